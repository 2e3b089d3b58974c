"""Touches with each sponsor's decision maker (synth/engagement.py, ``activity.json``): the
hidden disengagement of the renewal outcomes is seen as sparser touches."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from clientdesk.synth.engagement import decision_maker_touches
from clientdesk.synth.generator import BookSummary, SynthParams
from clientdesk.synth.renewals import hidden_drivers
from clientdesk.synth.sponsors import plan_sponsors

PARAMS = SynthParams(accounts=60, members=6_000, months=24, start=date(2024, 12, 1), seed=5)


def test_disengaged_sponsors_are_touched_less_often() -> None:
    sponsors = plan_sponsors(PARAMS)
    window = PARAMS.window
    gaps: dict[bool, list[float]] = {True: [], False: []}
    for sponsor in sponsors:
        touches = decision_maker_touches(PARAMS, sponsor)
        assert touches == decision_maker_touches(PARAMS, sponsor)  # reproducible
        days = [date.fromisoformat(t["occurred_on"]) for t in touches]
        assert days == sorted(days)
        assert all(
            max(window.start_date, sponsor.effective_date) <= d <= window.end_date for d in days
        )
        primary = next(c for c in sponsor.contacts if c.primary)
        assert {t["contact_email"] for t in touches} <= {primary.email}
        span = (window.end_date - max(window.start_date, sponsor.effective_date)).days
        is_disengaged = hidden_drivers(PARAMS.seed, sponsor.index)[1]
        gaps[is_disengaged].append(span / max(1, len(days)))
    assert gaps[True] and gaps[False]
    engaged = sorted(gaps[False])[len(gaps[False]) // 2]
    disengaged = sorted(gaps[True])[len(gaps[True]) // 2]
    # Median days per touch: about 35 when engaged, about 120 when not.
    assert 25 <= engaged <= 50 and 80 <= disengaged <= 170


def test_the_book_has_its_touches(small_book: tuple[Path, BookSummary]) -> None:
    book, _ = small_book
    touches = json.loads((book / "activity.json").read_text())["touches"]
    groups = {s["group_number"] for s in json.loads((book / "book.json").read_text())["sponsors"]}
    assert touches and {t["account"] for t in touches} <= groups
    assert {t["kind"] for t in touches} <= {"meeting", "call", "email"}
