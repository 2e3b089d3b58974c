"""The stewardship deck's satisfaction section reads our surveys through the same metric."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from clientdesk.lib.periods import parse_period
from clientdesk.reports import satisfaction
from clientdesk.reports.stewardship import satisfaction_section
from clientdesk.surveys import actions
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _import(cast: Cast, scores: list[int]) -> None:
    rows = "Group,When,NPS,CSAT\n" + "".join(
        f"G100001,2026-11-{day:02d} 10:00,{nps},{5 if nps >= 9 else 2}\n"
        for day, nps in enumerate(scores, start=1)
    )
    actions.do_import_responses(
        rows,
        {"account": "Group", "answered_at": "When", "nps": "NPS", "csat": "CSAT"},
        kind="relationship",
        source_name="x.csv",
        acting_user=cast.mia,
    )


def test_the_deck_shows_our_surveys_when_the_feed_has_none(cast: Cast) -> None:
    period = parse_period("2026-11")
    assert satisfaction.own_surveys_sentence(cast.acme.pk, period) is None
    _import(cast, [10, 9, 9, 9, 9, 9, 9, 9, 3, 2, 8, 8])  # 8 promoters, 2 detractors of 12
    sentence = satisfaction.own_surveys_sentence(cast.acme.pk, period, of_these=False)
    assert sentence == (
        "Our own surveys and imported exports, Nov 2026: 0 invitations, 12 responses; "
        "NPS +50.0; 66.7\u202f% satisfied."
    )
    context = SimpleNamespace(
        surveys=satisfaction.Satisfaction({}, {}, []),
        edition="client",
        account=cast.acme,
        period=period,
    )
    section = satisfaction_section(context)  # type: ignore[arg-type]
    assert section is not None
    assert section.bullets == [sentence]


def test_fewer_than_eleven_responses_are_suppressed(cast: Cast) -> None:
    _import(cast, [10, 3])
    assert satisfaction.own_surveys_sentence(cast.acme.pk, parse_period("2026-11")) == (
        "Of these, our own surveys and imported exports, Nov 2026: 0 invitations, <11 responses: "
        "fewer than 11, so the scores are suppressed."
    )
