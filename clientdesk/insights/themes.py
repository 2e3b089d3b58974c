"""Text themes in inquiry intake notes: TF-IDF + NMF (scikit-learn), offline, fixed seed.

Themes label issues ("what people are writing about") and are one more category axis for the
detector (`inquiry_themes` series: account x theme). Deterministic: the same notes give the
same themes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # imported where a model is fitted (a second of a process's start)
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

SEED = 7
MAX_THEMES = 10
MIN_NOTES = 40
STOP_WORDS = [
    "member",
    "members",
    "subscriber",
    "asks",
    "called",
    "call",
    "says",
    "said",
    "needs",
    "wants",
    "week",
    "weeks",
    "day",
    "days",
    "ago",
    "new",
    "plan",
    "contact",
    "hr",
    "sponsor",
    "spouse",
    "year",
]


@dataclass
class ThemeModel:
    """A fitted theme model: `labels[theme] = 'word · word · word'`."""

    vectorizer: TfidfVectorizer
    nmf: NMF
    names: list[str]

    @property
    def labels(self) -> dict[str, str]:
        return {name: name for name in self.names}

    def assign(self, texts: list[str]) -> list[str]:
        """The dominant theme of each text (the strongest NMF component)."""
        weights = self.nmf.transform(self.vectorizer.transform(texts))
        best = np.argmax(weights, axis=1)
        return [self.names[int(i)] for i in best]


def fit_themes(texts: list[str], n_themes: int | None = None) -> ThemeModel | None:
    """Fit themes on the notes; None when there are too few notes to say anything."""
    docs = [t for t in texts if t.strip()]
    if len(docs) < MIN_NOTES:
        return None
    k = n_themes or int(np.clip(len(docs) // 60, 3, MAX_THEMES))
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words=sorted(ENGLISH_STOP_WORDS.union(STOP_WORDS)),
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]{2,}\b",  # noqa: S106  (a regex, not a password)
        ngram_range=(1, 2),
        min_df=3,
        max_df=0.5,
        max_features=3000,
    )
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:
        return None
    k = min(k, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if k < 2:
        return None
    nmf = NMF(n_components=k, init="nndsvda", random_state=SEED, max_iter=400)
    nmf.fit(matrix)
    words = vectorizer.get_feature_names_out()
    names: list[str] = []
    for component in nmf.components_:
        top = [str(words[i]) for i in np.argsort(component)[::-1]]
        picked: list[str] = []
        for word in top:
            if not any(word in p or p in word for p in picked):
                picked.append(word)
            if len(picked) == 3:
                break
        name = " · ".join(picked)
        while name in names:
            name += "'"
        names.append(name)
    return ThemeModel(vectorizer, nmf, names)


def dominant_theme(themes: list[str]) -> str:
    """The most common theme of a set of notes ('' for none)."""
    if not themes:
        return ""
    return Counter(themes).most_common(1)[0][0]
