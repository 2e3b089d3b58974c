"""Comments: masked examples, VADER sentiment by hand, themes per account and for the
portfolio, the page in the reader's scope."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.surveys import actions
from clientdesk.surveys.imports import parse_mapping
from clientdesk.surveys.verbatims import (
    Comment,
    Tone,
    common_words,
    mask_verbatim,
    name_words,
    sentiment,
    summarise,
    tone,
)
from clientdesk.testing import Cast


def vader(*valences: float) -> float:
    """VADER's compound of a sum of word valences: s / √(s² + 15), 4 places."""
    s = sum(valences)
    return round(s / math.sqrt(s * s + 15), 4)


def test_mask_leaves_no_address_number_or_name() -> None:
    common = common_words(["the claims were late"])
    maria = name_words(["Maria Lopez"])
    assert (
        mask_verbatim("Maria at the Denver office never called me back.", common, maria)
        == "▒ at the ▒ office never called me back."
    )
    # Unknown to the book, a lone first word opening a sentence is shown (members' names
    # are in the lake, not read here): the rule's known gap.
    assert (
        mask_verbatim("Maria at the Denver office never called me back.", common)
        == "Maria at the ▒ office never called me back."
    )
    assert (
        mask_verbatim(
            "Mail jo.smith@example.com or 555-123-4567 on claim 12345A, born 3/4/61",
            common_words(["mail it"]),
        )
        == "Mail ▒ or ▒ on claim ▒, born ▒"
    )
    # Acronyms, stop words, lexicon words ("Great") and words seen in lower case stay.
    assert mask_verbatim("HR said Claims were late. Great team!", common) == (
        "HR said Claims were late. Great team!"
    )
    assert mask_verbatim("HR said Claims were late.") == "HR said ▒ were late."


def test_a_sentences_first_word_stays_and_the_books_names_go_in_any_case() -> None:
    common = common_words(["the claims were late", "we will grant it"])
    names = name_words(["Dana Whitfield", "Will Grant", "J. Ortiz"])
    assert names == {"dana", "whitfield", "will", "grant", "ortiz"}  # initials left out
    # A capitalised first word is grammar, not a name: it stays (it was ▒ before).
    assert (
        mask_verbatim("Enrollment went smoothly. Onboarding too!", common, names)
        == "Enrollment went smoothly. Onboarding too!"
    )
    # A name the book knows goes anywhere, in any case; a lower-case one that is also a
    # common word ("will", "grant") stays.
    assert (
        mask_verbatim(
            "Dana was great, and dana called. We will grant it. Will called.", common, names
        )
        == "▒ was great, and ▒ called. We will grant it. ▒ called."
    )
    assert mask_verbatim("Thanks to Ortiz and Whitfield!", common, names) == "Thanks to ▒ and ▒!"
    # An unknown first word followed by another unknown capitalised word is a name.
    assert (
        mask_verbatim("Maria Lopez at the Denver office never called.", common, names)
        == "▒ ▒ at the ▒ office never called."
    )


def test_sentiment_is_vader_compound_by_hand() -> None:
    # Lexicon valences: good 1.9, bad -2.5, great 3.1; every other word here is neutral.
    assert sentiment("The team is good") == vader(1.9) == 0.4404
    assert sentiment("The portal is bad") == vader(-2.5) == -0.5423
    assert sentiment("great") == vader(3.1) == 0.6249
    assert sentiment("El equipo es bueno", "es") is None
    assert sentiment("  ") is None
    assert [tone(0.05), tone(0.0499), tone(-0.05), tone(None)] == [
        Tone.POSITIVE,
        Tone.NEUTRAL,
        Tone.NEGATIVE,
        None,
    ]


def test_themes_per_account_and_portfolio_with_sentiment_and_examples() -> None:
    comments = [
        Comment(1, "The team is good"),  # 0.4404
        Comment(1, "The portal is bad"),  # -0.5423
        Comment(2, "The portal is bad, ask Maria"),  # -0.5423, masked name
        Comment(2, ""),  # no comment: not counted
        Comment(2, "El portal es malo", "es"),  # no sentiment
        Comment(2, "The portal is bad"),  # the same words again: counted, not shown twice
    ]
    assigned = ["team", "portal", "portal", "", "portal", "portal"]
    found = summarise(comments, ["portal", "team"], assigned)
    assert found.fitted
    book = found.portfolio
    assert book.comments == 5
    assert [(t.label, t.comments, t.scored, t.positive, t.negative) for t in book.themes] == [
        ("portal", 4, 3, 0, 3),
        ("team", 1, 1, 1, 0),
    ]
    portal = book.themes[0]
    assert portal.sentiment == round(3 * -0.5423 / 3, 3) == -0.542
    assert portal.tone == Tone.NEGATIVE
    assert portal.share_of(book.comments) == 80.0
    # The most negative first (ties in the order given), then the unscored; names masked.
    assert [(e.text, e.sentiment) for e in portal.examples] == [
        ("The portal is bad", -0.5423),
        ("The portal is bad, ask ▒", -0.5423),
        ("El portal es malo", None),
    ]
    assert found.accounts[1].comments == 2
    assert [(t.label, t.comments) for t in found.accounts[1].themes] == [("portal", 1), ("team", 1)]
    assert [(t.label, t.comments, t.sentiment) for t in found.accounts[2].themes] == [
        ("portal", 3, -0.542)
    ]
    none = summarise(comments, [], [""] * 6)
    assert not none.fitted
    assert [(t.label, t.comments) for t in none.portfolio.themes] == [("All comments", 5)]


EXPORT_HEAD = "ResponseId,EndDate,Group,Q_NPS,Comment\n"
MAPPING = {"account": "Group", "nps": "Q_NPS", "verbatim": "Comment"}


@pytest.mark.django_db
def test_page_shows_the_readers_comments_and_one_accounts_share(cast: Cast) -> None:
    lines = [
        "R_1,2026-11-02 09:00:00,G100001,2,The portal is bad",
        "R_2,2026-11-02 10:00:00,G100001,10,The team is good",
        "R_3,2026-11-02 11:00:00,G100002,3,Claims are slow",
    ]
    actions.do_import_responses(
        EXPORT_HEAD + "\n".join(lines) + "\n",
        parse_mapping(MAPPING, tool="qualtrics"),
        kind="relationship",
        source_name="q.csv",
        acting_user=cast.mia,
    )
    mia, alice, oscar = Client(), Client(), Client()
    mia.force_login(cast.mia)
    alice.force_login(cast.alice)
    oscar.force_login(cast.oscar)
    url = reverse("surveys:verbatims")
    span = "first=2026-11-01&last=2026-11-30"
    page = mia.get(f"{url}?{span}").content.decode()
    # Three comments are too few for themes: one row, mean of 0.4404, -0.5423 and 0.0.
    assert "Too few or too alike comments" in page
    assert "3 comments" in page
    assert "-0.03" in page  # round((0.4404 - 0.5423 + 0) / 3, 3) = -0.034
    one = mia.get(f"{url}?{span}&account={cast.acme.pk}").content.decode()
    assert "2 comments of 3 on your accounts" in one
    assert "Claims are slow" not in one
    assert oscar.get(f"{url}?{span}&account={cast.acme.pk}").status_code == 404
    assert alice.get(f"{url}?{span}").status_code == 200


@pytest.mark.django_db
def test_the_feeds_comments_are_read_once_per_state_of_the_feed(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from contextlib import contextmanager

    from clientdesk.surveys import queries

    reads: list[tuple[int, ...]] = []

    @contextmanager
    def lake(reader: object, accounts: list[int]) -> Iterator[None]:
        yield None

    def feed(lake: object, zones: dict[int, str], first: object, last: object) -> list[object]:
        reads.append(tuple(sorted(zones)))
        return [(cast.acme.pk, "Claims were slow")]

    monkeypatch.setattr(queries, "open_lake", lake)
    monkeypatch.setattr(queries, "feed_verbatims", feed)
    queries._verbatim_memo.clear()
    first, last = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    for _ in range(2):
        found = queries.verbatim_comments(cast.alice, [cast.acme.pk], first, last)
        assert [(c.account_id, c.text) for c in found] == [(cast.acme.pk, "Claims were slow")]
    assert reads == [(cast.acme.pk,)]  # the second view read nothing
    queries.verbatim_comments(cast.mia, [cast.acme.pk, cast.bayside.pk], first, last)
    assert len(reads) == 2  # other accounts (and scope): read again
    queries._verbatim_memo.clear()
