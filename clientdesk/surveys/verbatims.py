"""Verbatims: the free-text comments of survey answers, masked to be shown, their sentiment,
and their themes per account and for the portfolio.

* **Masking.** A comment is the respondent's own words and may name a member, a contact, an
  associate, a claim, an address: before a comment is shown as an example it loses every
  e-mail address, phone number and run of digits (member and claim ids, dates, amounts), every
  name the book knows (the accounts' contacts and the team's people: in any case, except a
  lower-case one that is also a common word, "will", "mark"), and every other capitalised word
  not known as a common word *inside* a sentence (a name the book does not know; all-capital
  acronyms such as HR or ID stay). A sentence's first word is capitalised by grammar, not
  because it is a name, so it stays unless the book knows it as a name or another unknown
  capitalised word follows it ("Maria Lopez called"). Members' names are not read (they are
  in the lake): a member's lone first name opening a sentence is shown.
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


_SENTENCE_END = '.!?;:\n"“”(-–—'


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The words of people's names (contacts, associates), lower case: "Dana Whitfield" gives
    dana and whitfield; initials and one-letter words are left out."""
    return frozenset(w.lower() for n in names for w in _WORD.findall(n) if len(w) > 1)


def _starts_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in _SENTENCE_END


def mask_verbatim(
    text: str, common: frozenset[str] = frozenset(), names: frozenset[str] = frozenset()
) -> str:
    """The comment as an example may show it: e-mails, phone numbers and anything with a
    digit replaced by ▒; every word of `names` (name_words: the people the book knows) in any
    case, unless written in lower case and also a common word; and every other capitalised
    word inside a sentence that is not known as a common word (a stop word, a word of the
    sentiment lexicon, or one of `common`). A sentence's first word and all-capital acronyms
    (HR, ID) stay unless they are a known name."""
    text = _EMAIL.sub(MASK, text)
    text = _PHONE.sub(MASK, text)
    text = _DIGITS.sub(MASK, text)

    def name(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower in names and not (word.islower() and _known(word, common)):
            return MASK
        unknown = word[0].isupper() and not word.isupper() and not _known(word, common)
        # A sentence's first word is capitalised by grammar; it is a name when the book knows
        # it (above) or a capitalised unknown word follows ("Maria Lopez said").
        if unknown and (
            not _starts_sentence(text, match.start()) or _name_follows(text, match.end())
        ):
            return MASK
        return word

    def _name_follows(text: str, at: int) -> bool:
        following = _WORD.match(text[at:].lstrip(" "))
        if following is None:
            return False
        word = following.group()
        return word[0].isupper() and not word.isupper() and not _known(word, common)

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


def _table(
    figures: dict[str, ThemeFigures],
    comments: int,
    common: frozenset[str],
    names: frozenset[str],
) -> ThemeTable:
    themes = sorted(figures.values(), key=lambda f: (-f.comments, f.label))
    for f in themes:
        f._candidates.sort()
        examples: list[Example] = []
        for _order, _index, text, score in f._candidates:
            shown = mask_verbatim(text, common, names)
            if shown not in [e.text for e in examples]:  # the same words twice say no more
                examples.append(Example(shown, score))
            if len(examples) == EXAMPLES:
                break
        f.examples = examples
        f._candidates.clear()
    return ThemeTable(comments, themes)


def summarise(
    comments: Sequence[Comment],
    labels: Sequence[str],
    assigned: Sequence[str],
    names: frozenset[str] = frozenset(),
) -> VerbatimThemes:
    """Count each comment in its assigned theme (`assigned[i]` for `comments[i]`, '' for
    none) per account and for the portfolio, with the sentiment of each. `labels` empty: no
    themes were fitted, every comment counts under one row "All comments". `names`
    (name_words) are masked in the examples wherever they appear."""
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
        _table(portfolio, written, common, names),
        {a: _table(f, totals[a], common, names) for a, f in sorted(accounts.items())},
    )
