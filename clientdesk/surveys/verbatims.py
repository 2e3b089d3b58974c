"""Verbatims: the free-text comments of survey answers, masked to be shown, their sentiment,
and their themes per account and for the portfolio.

* **Masking.** A comment is the respondent's own words and may name a member, a claim, an
  address: before a comment is shown as an example it loses every e-mail address, phone
  number, run of digits (member and claim ids, dates, amounts) and capitalised word inside a
  capitalised word not known as a common word (a person's or a place's name; all-capital
  acronyms such as HR or ID stay). Over-masking a comment is the accepted cost.
* **Sentiment** is VADER's compound score (-1 to 1; the `vaderSentiment` lexicon, shipped in
  its wheel, offline), read with VADER's own cut-offs: positive at 0.05 or more, negative at
  -0.05 or less, neutral between. The lexicon is English: a comment in another language has
  no sentiment (None), not a guessed one.
* **Themes** come from the emerging-issues text engine (`insights.queries.text_themes`): one
  fit on every comment the reader may see in the period, then each comment counted in its
  theme, per account and in total, so an account's themes are named like the portfolio's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

POSITIVE_MIN = 0.05
NEGATIVE_MAX = -0.05
EXAMPLES = 3
MASK = "▒"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")
_DIGITS = re.compile(r"\w*\d[\w/.-]*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """Words written in lower case somewhere in the texts: a word people write in lower case
    is a common word, not a name (a name is almost always capitalised)."""
    return frozenset(w for t in texts for w in _WORD.findall(t) if w.islower())


def _known(word: str, common: frozenset[str]) -> bool:
    lower = word.lower()
    return lower in common or lower in _stop_words() or lower in _lexicon()


def mask_verbatim(text: str, common: frozenset[str] = frozenset()) -> str:
    """The comment as an example may show it: e-mails, phone numbers and anything with a
    digit replaced by ▒, and every capitalised word that is not known as a common word (a
    stop word, a word of the sentiment lexicon, or one of `common`); all-capital acronyms
    (HR, ID) stay."""
    text = _EMAIL.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    text = _DIGITS.sub(MASK, text)

    def name(match: re.Match[str]) -> str:
        word = match.group()
        if word[0].isupper() and not word.isupper() and not _known(word, common):
            return MASK
        return word

    return _WORD.sub(name, text)


class Tone(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@cache
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(_analyzer().lexicon)


def sentiment(text: str, language: str = "en") -> float | None:
    """VADER's compound score of an English comment (-1..1, 4 places); None for a blank
    comment or another language."""
    if language != "en" or not text.strip():
        return None
    return round(float(_analyzer().polarity_scores(text)["compound"]), 4)


def tone(score: float | None) -> Tone | None:
    if score is None:
        return None
    if score >= POSITIVE_MIN:
        return Tone.POSITIVE
    if score <= NEGATIVE_MAX:
        return Tone.NEGATIVE
    return Tone.NEUTRAL


@dataclass(frozen=True)
class Comment:
    """One answer's comment: whose account, its words, its language, when."""

    account_id: int
    text: str
    language: str = "en"


@dataclass(frozen=True)
class Example:
    """A comment as shown: masked, with its own sentiment (None: not English)."""

    text: str
    sentiment: float | None


@dataclass
class ThemeFigures:
    """One theme in one group (an account, or the portfolio): how many comments, their mean
    sentiment and tones, and a few masked examples, each different (the most negative
    first: the ones to read)."""

    label: str
    comments: int = 0
    scored: int = 0
    score_sum: float = 0.0
    positive: int = 0
    negative: int = 0
    examples: list[Example] = field(default_factory=list)
    _candidates: list[tuple[float, int, str, float | None]] = field(
        default_factory=list, repr=False
    )

    @property
    def sentiment(self) -> float | None:
        return round(self.score_sum / self.scored, 3) if self.scored else None

    @property
    def tone(self) -> Tone | None:
        return tone(self.sentiment)

    def share_of(self, total: int) -> float:
        return round(100 * self.comments / total, 1) if total else 0.0


@dataclass
class ThemeTable:
    """Themes of one group, the largest first, and its number of comments."""

    comments: int
    themes: list[ThemeFigures]


@dataclass
class VerbatimThemes:
    """The portfolio's themes and each account's, on the same fitted themes. `fitted` is
    False when the comments were too few or too alike for themes (then only the totals and
    sentiment are said)."""

    fitted: bool
    portfolio: ThemeTable
    accounts: dict[int, ThemeTable]


def _table(figures: dict[str, ThemeFigures], comments: int, common: frozenset[str]) -> ThemeTable:
    themes = sorted(figures.values(), key=lambda f: (-f.comments, f.label))
    for f in themes:
        f._candidates.sort()
        examples: list[Example] = []
        for _order, _index, text, score in f._candidates:
            shown = mask_verbatim(text, common)
            if shown not in [e.text for e in examples]:  # the same words twice say no more
                examples.append(Example(shown, score))
            if len(examples) == EXAMPLES:
                break
        f.examples = examples
        f._candidates.clear()
    return ThemeTable(comments, themes)


def summarise(
    comments: Sequence[Comment], labels: Sequence[str], assigned: Sequence[str]
) -> VerbatimThemes:
    """Count each comment in its assigned theme (`assigned[i]` for `comments[i]`, '' for
    none) per account and for the portfolio, with the sentiment of each. `labels` empty: no
    themes were fitted, every comment counts under one row "All comments"."""
    fitted = bool(labels)
    portfolio: dict[str, ThemeFigures] = {}
    accounts: dict[int, dict[str, ThemeFigures]] = {}
    totals: dict[int, int] = {}
    written = 0
    for index, (comment, theme) in enumerate(zip(comments, assigned, strict=True)):
        if not comment.text.strip():
            continue
        written += 1
        totals[comment.account_id] = totals.get(comment.account_id, 0) + 1
        label = theme if fitted else "All comments"
        score = sentiment(comment.text, comment.language)
        for group in (portfolio, accounts.setdefault(comment.account_id, {})):
            f = group.setdefault(label, ThemeFigures(label))
            f.comments += 1
            if score is not None:
                f.scored += 1
                f.score_sum += score
                f.positive += score >= POSITIVE_MIN
                f.negative += score <= NEGATIVE_MAX
            order = score if score is not None else 0.0
            f._candidates.append((order, index, comment.text, score))
    common = common_words(c.text for c in comments)
    return VerbatimThemes(
        fitted,
        _table(portfolio, written, common),
        {a: _table(figures, totals[a], common) for a, figures in sorted(accounts.items())},
    )
