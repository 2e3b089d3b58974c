"""The scheduling core, on networks computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from clientdesk.implementations.library import TEMPLATES
from clientdesk.implementations.plan_files import read_rows
from clientdesk.implementations.scheduling import (
    BusinessDays,
    Link,
    LinkType,
    ScheduleError,
    TaskSpec,
    compute_schedule,
    parse_duration,
    parse_predecessors,
)
from clientdesk.lib.business_calendar import BusinessCalendar

CAL = BusinessCalendar()


def _specs(*rows: tuple[str, int, str]) -> list[TaskSpec]:
    return [
        TaskSpec(ref, days, parse_predecessors(preds), row=line)
        for line, (ref, days, preds) in enumerate(rows, start=2)
    ]


def test_ms_project_predecessor_notation() -> None:
    assert parse_predecessors("4FS+3") == (Link("4", LinkType.FS, 3),)
    assert parse_predecessors("2SS+4") == (Link("2", LinkType.SS, 4),)
    assert parse_predecessors("6;3") == (Link("6"), Link("3"))
    assert parse_predecessors("5ff-2, 7SF") == (Link("5", LinkType.FF, -2), Link("7", LinkType.SF))
    assert parse_predecessors("8FS+1 wk") == (Link("8", LinkType.FS, 5),)
    assert parse_predecessors("") == ()
    assert [link.notation() for link in parse_predecessors("4FS+3;6;2SS-1")] == [
        "4FS+3",
        "6",
        "2SS-1",
    ]
    with pytest.raises(ScheduleError, match=r"row 7 \(task 9\): predecessor '4FS\+3h'"):
        parse_predecessors("4FS+3h", row=7, task="9")


def test_durations() -> None:
    assert parse_duration("5") == 5
    assert parse_duration("5 days") == 5
    assert parse_duration("5d?") == 5
    assert parse_duration("2 wks") == 10
    assert parse_duration(0) == 0
    assert parse_duration(3.0) == 3
    for bad in ("1.5d", "-2", "3 hrs", "abc", "", "2 mons", "5 edays"):
        with pytest.raises(ScheduleError, match="row 4"):
            parse_duration(bad, row=4)


def test_finish_to_start_network() -> None:
    # A(3) → B(2), A → C(4); B, C → D(1): by hand ES A0 B3 C3 D7, length 8, path A-C-D.
    schedule = compute_schedule(_specs(("A", 3, ""), ("B", 2, "A"), ("C", 4, "A"), ("D", 1, "B;C")))
    assert schedule.length == 8
    times = {
        key: (t.early_start, t.early_finish, t.late_start, t.late_finish, t.slack)
        for key, t in schedule.tasks.items()
    }
    assert times == {
        "A": (0, 3, 0, 3, 0),
        "B": (3, 5, 5, 7, 2),
        "C": (3, 7, 3, 7, 0),
        "D": (7, 8, 7, 8, 0),
    }
    assert schedule.critical_path == ("A", "C", "D")


def test_every_link_type_with_lags() -> None:
    schedule = compute_schedule(
        _specs(
            ("1", 5, ""), ("2", 3, "1SS+2"), ("3", 4, "1FF+1"), ("4", 2, "2FS+3"), ("5", 3, "1SF+4")
        )
    )
    got = {
        key: (t.early_start, t.early_finish, t.late_start, t.late_finish)
        for key, t in schedule.tasks.items()
    }
    # By hand: 2 starts 2 days after 1 starts; 3 finishes a day after 1 finishes; 4 waits 3
    # days after 2 finishes; 5 finishes no sooner than 4 days after 1 starts.
    assert got == {
        "1": (0, 5, 0, 5),
        "2": (2, 5, 2, 5),
        "3": (2, 6, 6, 10),
        "4": (8, 10, 8, 10),
        "5": (1, 4, 7, 10),
    }
    assert schedule.length == 10
    assert schedule.critical_path == ("1", "2", "4")
    assert schedule.tasks["3"].slack == 4
    assert schedule.tasks["5"].slack == 6


def test_progress_fixed_actuals_and_a_deadline_give_negative_slack() -> None:
    specs = _specs(("A", 3, ""), ("B", 2, "A"), ("C", 4, "A"), ("D", 1, "B;C"))
    # A really took 5 days; C cannot start before day 6 (today); the plan must end by 8.
    schedule = compute_schedule(specs, fixed={"A": (0, 5)}, earliest={"C": 6}, finish_by=8)
    assert schedule.tasks["C"].early_finish == 10
    assert schedule.tasks["D"].early_start == 10
    assert schedule.tasks["D"].slack == -3  # late start 7, early start 10
    assert schedule.tasks["C"].slack == -3
    assert schedule.tasks["B"].slack == 0  # 5..7, may finish by 7


def test_refusals_name_the_row() -> None:
    with pytest.raises(ScheduleError, match=r"row 3 \(task B\): predecessor Z is not a task"):
        compute_schedule(_specs(("A", 1, ""), ("B", 1, "Z")))
    with pytest.raises(
        ScheduleError, match=r"row 2 \(task A\): the predecessors make a cycle: A → B → C → A"
    ):
        compute_schedule(_specs(("A", 1, "C"), ("B", 1, "A"), ("C", 1, "B"), ("D", 1, "")))
    with pytest.raises(ScheduleError, match=r"row 3 \(task A\): id A is used twice"):
        compute_schedule(_specs(("A", 1, ""), ("A", 1, "")))
    with pytest.raises(ScheduleError, match="own predecessor"):
        compute_schedule(_specs(("A", 1, "A")))
    sheet = [
        ("ID", "Name", "Duration", "Predecessors"),
        ("1", "Kickoff", "1", ""),
        ("2", "Build", "two", "1"),
    ]
    with pytest.raises(ScheduleError, match=r"row 3 \(task 2\): duration 'two'"):
        read_rows(sheet)


def test_business_days_around_a_holiday_effective_date() -> None:
    # 2027-01-01 is New Year's Day (a Friday); 2026-12-25 is Christmas (a Friday).
    days = BusinessDays(CAL, 10, dt.date(2027, 1, 1))
    assert days.date(10) == dt.date(2027, 1, 1)
    assert days.date(9) == dt.date(2026, 12, 31)
    assert days.date(5) == dt.date(2026, 12, 24)
    assert days.date(4) == dt.date(2026, 12, 23)
    assert days.date(11) == dt.date(2027, 1, 4)
    assert days.offset(dt.date(2026, 12, 23)) == 4
    assert days.offset(dt.date(2026, 12, 26)) == 6  # Saturday counts as Monday the 28th
    assert days.offset(dt.date(2026, 12, 25)) == 6  # Christmas too
    assert days.offset(dt.date(2027, 1, 2)) == 11
    assert days.offset(dt.date(2027, 1, 1)) == 10
    assert days.finish_date(4, 6) == dt.date(2026, 12, 24)  # works the 23rd and 24th
    assert days.finish_date(10, 10) == dt.date(2027, 1, 1)  # a milestone sits on its day


def test_the_seeded_new_account_template_by_hand() -> None:
    seed = next(t for t in TEMPLATES if t.code == "new-self-funded")
    sheet = [
        ("ID", "Name", "Duration", "Predecessors"),
        *((r[0], r[1], str(r[2]), r[3]) for r in seed.rows),
    ]
    schedule = compute_schedule(read_rows(sheet).specs())
    # 1 (0-1) → 2 (1-6) → 3 sign-off (6) → 11 OE materials (6-16) → 12 meetings (16-26) →
    # 13 production load (26-28) → 14 ID cards (28-38) → +10 → 19 go-live (48) → +20 → 20 (68-69)
    assert schedule.tasks["19"].early_start == 48
    assert schedule.length == 69
    assert schedule.critical_path == ("1", "2", "3", "11", "12", "13", "14", "19", "20")
    assert schedule.tasks["18"].slack == 6  # readiness review 38-39, late start 44
