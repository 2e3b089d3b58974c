"""The answer library's two ways in: full-text search (SQLite FTS5 on the default database,
PostgreSQL text search over a stored, indexed vector otherwise) and, for imported questions,
suggestions ranked by TF-IDF cosine similarity (scikit-learn, fitted on the library on the
spot; nothing leaves the machine)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

from clientdesk.growth.models import LibraryAnswer

WORD = re.compile(r"\w+", re.UNICODE)
SUGGESTIONS_PER_QUESTION = 3
MIN_SIMILARITY = 0.15


def search_ids(query: str, limit: int = 20) -> list[int]:
    """Ids of the answers matching every word of `query`, best first."""
    words = WORD.findall(query.lower())[:12]
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " ".join(f'"{w}"' for w in words)
            cursor.execute(
                "SELECT rowid FROM growth_library_fts WHERE growth_library_fts MATCH %s "
                "ORDER BY bm25(growth_library_fts, 2.0, 1.0) LIMIT %s",
                [match, limit],
            )
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT id FROM growth_libraryanswer, plainto_tsquery('english', %s) query "
                "WHERE search_vector @@ query "
                "ORDER BY ts_rank(search_vector, query) DESC, id LIMIT %s",
                [" ".join(words), limit],
            )
        else:  # another database: a plain containment match on every word
            ids = LibraryAnswer.objects.all()
            for word in words:
                ids = ids.filter(question__icontains=word) | ids.filter(answer__icontains=word)
            return list(ids.values_list("id", flat=True)[:limit])
        return [int(row[0]) for row in cursor.fetchall()]


def search(query: str, limit: int = 20) -> list[LibraryAnswer]:
    ids = search_ids(query, limit)
    found = LibraryAnswer.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def suggest(
    questions: Sequence[str], *, top: int = SUGGESTIONS_PER_QUESTION
) -> list[list[list[float]]]:
    """For each question, up to `top` [answer id, similarity] pairs, best first, similarity
    at least MIN_SIMILARITY (0..1, rounded to 3 places)."""
    rows = list(LibraryAnswer.objects.values_list("id", "question", "answer"))
    if not rows or not questions:
        return [[] for _ in questions]
    # scikit-learn is imported here, when an RFP asks: at the top it was a second of every
    # process's start that loads the URLs (a server's workers, each CLI command).
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
    library = vectorizer.fit_transform([f"{q} {q} {a}" for _, q, a in rows])
    asked = vectorizer.transform(list(questions))
    scores = linear_kernel(asked, library)
    ids = [r[0] for r in rows]
    result: list[list[list[float]]] = []
    for row in scores:
        best = row.argsort()[::-1][:top]
        result.append(
            [[int(ids[i]), round(float(row[i]), 3)] for i in best if row[i] >= MIN_SIMILARITY]
        )
    return result


@dataclass(frozen=True)
class Age:
    days: int
    overdue: bool

    @property
    def label(self) -> str:
        if self.days < 60:
            return f"{self.days} days"
        return f"{self.days // 30} months"


def answer_age(answer: LibraryAnswer, today: dt.date) -> Age:
    """Days since the answer was last reviewed, and whether its review is overdue."""
    return Age((today - answer.last_reviewed).days, answer.review_due < today)
