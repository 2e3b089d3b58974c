"""Schedule adherence: time worked within the shifts ÷ scheduled time, the time worked read
from the agent's answered calls in the lake (in the reader's scope) and the work recorded in
the database, against one weekly schedule. Every figure below is computed by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries.actions import do_change_status
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import call_row, write_csv
from clientdesk.team.actions import TeamRuleError, do_save_person, do_set_schedule
from clientdesk.team.queries import adherence_of
from clientdesk.team.tests.cast import team
from clientdesk.testing import Cast

NINE_TO_FIVE = [
    {"weekday": d, "starts": dt.time(9), "ends": dt.time(17), "onsite": False} for d in range(5)
]


def _call(call_id: str, offered_utc: str, wait: int, handle: int, **more: str) -> dict[str, str]:
    row = call_row(
        call_id=call_id,
        queue="sponsor_line",
        line="sponsor",
        offered_at=offered_utc,
        wait_seconds=str(wait),
        handle_seconds=str(handle),
        agent_id="CM01",
    )
    return row | more


def test_adherence_reads_the_agents_calls_and_the_recorded_work(
    cast: Cast, client: Client, tmp_path: Path
) -> None:
    people = team(cast)
    do_save_person(cast.alice, {"agent_id": "CM01"}, acting_user=cast.mia)
    do_set_schedule(cast.alice, NINE_TO_FIVE, acting_user=cast.mia)
    # Tuesday 2026-11-10 in New York (EST, UTC-5). alice (CM01) answers on Acme:
    calls = [
        _call("K1", "2026-11-10 13:40:00", 60, 1140),  # 8:41-9:00, before the shift
        _call("K2", "2026-11-10 14:10:00", 0, 1200),  # 9:10-9:30
        _call("K3", "2026-11-10 15:45:00", 0, 900),  # 10:45-11:00
        _call("K4", "2026-11-10 21:50:00", 0, 1800),  # 16:50-17:20, past the shift's end
        # Not hers or not in the window: abandoned (nobody answered), another agent's, and
        # one on Oct 14 (the window is Oct 15 - Nov 11).
        _call("K5", "2026-11-10 17:00:00", 90, 0, answered="false", abandoned="true", agent_id=""),
        _call("K6", "2026-11-10 17:00:00", 0, 600, agent_id="CM02"),
        _call("K7", "2026-10-14 14:00:00", 0, 600),
        # On Bayside, which alice's manager sees and alice does not: 13:00-13:30.
        _call("K8", "2026-11-10 18:00:00", 0, 1800, group_id="G100002"),
    ]
    ingest_files("call_record", [write_csv(tmp_path / "calls.csv", calls)], acting_user=None)
    with time_machine.travel(dt.datetime(2026, 10, 1, 15, tzinfo=dt.UTC), tick=False):
        inquiry = acme_inquiry(cast)  # opened before the window: not counted
    moment = dt.datetime(2026, 11, 10, 15, 30, tzinfo=dt.UTC)  # 10:30: 10:25-10:30 of work
    with time_machine.travel(moment, tick=False):
        do_change_status(
            inquiry,
            "resolved",
            expected_version=None,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Explained the claim status.",
            now=moment,
        )
    person = people["alice"]
    person.refresh_from_db()
    today = dt.date(2026, 11, 12)

    # Read as alice (Acme only). Pieces 8:41-9:00, 9:10-9:30, 10:25-10:30, 10:45-11:00 and
    # 16:50-17:20; gaps of 30 minutes or less are bridged: 8:41-9:30 (49 min), 10:25-11:00
    # (35) and 16:50-17:20 (30) = 114 min worked, of which within 9:00-17:00: 30 + 35 + 10
    # = 75. Oct 15 - Nov 11 has 20 weekdays less Veterans Day (Nov 11): 19 days x 480 min
    # = 9,120 scheduled. Adherence 75 / 9,120 = 0.82 %, conformance 114 / 9,120 = 1.25 %.
    own = adherence_of(cast.alice, person, today)
    assert (own.scheduled_days, own.scheduled_minutes) == (19, 9120)
    assert (own.adherent_minutes, own.worked_minutes) == (75, 114)
    assert (own.calls, own.events, own.active_days, own.late_starts) == (4, 1, 1, 0)
    assert own.rate == "0.8%"

    # Read as mia (every account of her team's): the Bayside call is a span of its own
    # (13:00 is 2 h after 11:00): +30 min within the shift.
    managed = adherence_of(cast.mia, person, today)
    assert (managed.adherent_minutes, managed.worked_minutes, managed.calls) == (105, 144, 5)

    # Without an agent id on the record no call is hers: the status change alone, 5 min.
    do_save_person(cast.alice, {"agent_id": ""}, acting_user=cast.mia)
    person.refresh_from_db()
    alone = adherence_of(cast.mia, person, today)
    assert (alone.adherent_minutes, alone.worked_minutes, alone.calls) == (5, 5, 0)
    # A shift that starts at 9:00 and work first seen at 10:25: a late start.
    assert alone.late_starts == 1

    do_save_person(cast.alice, {"agent_id": "CM01"}, acting_user=cast.mia)
    with pytest.raises(TeamRuleError, match="CM01 is someone else's"):
        do_save_person(cast.bob, {"agent_id": "CM01"}, acting_user=cast.mia)
    client.force_login(cast.mia)
    with time_machine.travel(dt.datetime(2026, 11, 12, 15, tzinfo=dt.UTC)):
        page = client.get(reverse("team:adherence")).content.decode()
        record = client.get(reverse("team:person", args=[cast.alice.pk])).content.decode()
    assert "105 / 9120" in page and "1.2%" in page  # adherence 1.15 %, as mia reads it
    assert "Schedule adherence, last 28 days: <strong>1.2%</strong>" in record
