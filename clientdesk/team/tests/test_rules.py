"""The team's pure rules, with hand-computed values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientdesk.team.rules import (
    accrual,
    compliance_cell,
    flight_risk,
    license_alert,
    request_hours,
    score_quiz,
    suppressed_counts,
)

TODAY = dt.date(2026, 12, 1)


def test_license_alerts_at_90_60_30_days_and_lapsed() -> None:
    assert license_alert(dt.date(2027, 3, 2), TODAY) is None  # 91 days
    assert license_alert(dt.date(2027, 3, 1), TODAY) == 90
    assert license_alert(dt.date(2027, 1, 30), TODAY) == 60
    assert license_alert(dt.date(2026, 12, 31), TODAY) == 30
    assert license_alert(TODAY, TODAY) == 30
    assert license_alert(dt.date(2026, 11, 30), TODAY) == 0


def test_compliance_cells() -> None:
    done = dt.date(2025, 12, 2)
    assert compliance_cell(last_completed=done, open_due=None, yearly=True, today=TODAY) == (
        compliance_cell(last_completed=done, open_due=None, yearly=True, today=TODAY)
    )
    cell = compliance_cell(last_completed=done, open_due=None, yearly=True, today=TODAY)
    assert (cell.state, cell.date) == ("current", dt.date(2026, 12, 2))
    lapsed = compliance_cell(
        last_completed=dt.date(2025, 11, 30), open_due=None, yearly=True, today=TODAY
    )
    assert (lapsed.state, lapsed.date) == ("overdue", dt.date(2026, 11, 30))
    once = compliance_cell(
        last_completed=dt.date(2020, 1, 1), open_due=None, yearly=False, today=TODAY
    )
    assert (once.state, once.date) == ("current", None)
    due = compliance_cell(
        last_completed=None, open_due=dt.date(2026, 12, 1), yearly=True, today=TODAY
    )
    assert due.state == "due"
    late = compliance_cell(
        last_completed=None, open_due=dt.date(2026, 11, 30), yearly=True, today=TODAY
    )
    assert late.state == "overdue"
    assert compliance_cell(last_completed=None, open_due=None, yearly=True, today=TODAY).state == (
        "missing"
    )


def test_quiz_score_rounds_half_up() -> None:
    key = {"1": 0, "2": 1, "3": 2}
    assert score_quiz({"1": 0, "2": 1, "3": 2}, key) == 100
    assert score_quiz({"1": 0, "2": 1}, key) == 67  # 66.67
    assert score_quiz({"1": 0}, key) == 33
    assert score_quiz({"1": 0, "2": 0}, {"1": 0, "2": 1}) == 50
    assert (
        score_quiz({"1": 0}, {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1, "6": 1, "7": 1, "8": 1}) == 13
    )  # 12.5


def test_request_hours_skip_weekends_and_holidays() -> None:
    assert request_hours(dt.date(2026, 12, 21), dt.date(2026, 12, 27)) == Decimal(32)
    assert request_hours(dt.date(2026, 12, 26), dt.date(2026, 12, 27)) == Decimal(0)


def test_accrual_from_the_hire_month_capped_and_idempotent() -> None:
    # Hired on the 20th of September: accrual starts in October. Through December: 3 months.
    hours, through = accrual(
        hours=Decimal(0),
        accrued_through=None,
        hire_date=dt.date(2026, 9, 20),
        month=dt.date(2026, 12, 1),
        per_month=Decimal("6.67"),
        cap=None,
    )
    assert (hours, through) == (Decimal("20.01"), dt.date(2026, 12, 1))
    again = accrual(
        hours=hours,
        accrued_through=through,
        hire_date=dt.date(2026, 9, 20),
        month=dt.date(2026, 12, 1),
        per_month=Decimal("6.67"),
        cap=None,
    )
    assert again == (hours, through)
    capped = accrual(
        hours=Decimal(35),
        accrued_through=dt.date(2026, 10, 1),
        hire_date=dt.date(2020, 1, 1),
        month=dt.date(2026, 12, 1),
        per_month=Decimal(10),
        cap=Decimal(40),
    )
    assert capped == (Decimal(40), dt.date(2026, 12, 1))


def test_small_cells_and_the_complement_are_withheld() -> None:
    assert suppressed_counts(["a"] * 5 + ["b"] * 5) == [("a", 5), ("b", 5)]
    assert suppressed_counts(["a"] * 9 + ["b"] * 3 + ["c"] * 2) == [
        ("a", 9),
        ("b", None),
        ("c", None),
    ]
    assert suppressed_counts(["a"] * 9 + ["b"] * 6 + ["c"]) == [("a", 9), ("b", None), ("c", None)]


def test_flight_risk_reasons() -> None:
    risk = flight_risk(
        overdue_training=2,
        accounts=7,
        capacity=6,
        escalations=1,
        last_one_to_one=dt.date(2026, 10, 1),
        today=TODAY,
    )
    assert risk.score == 3
    assert risk.reasons == [
        "2 overdue courses",
        "heavy load: 7 accounts for a capacity of 6",
        "last one-to-one 61 days ago",
    ]


def test_attendance_points_fall_off_after_a_year() -> None:
    from clientdesk.team.rules import attendance_points

    occurrences = [
        (dt.date(2025, 12, 1), Decimal(3)),  # exactly a year ago: fallen off
        (dt.date(2026, 3, 2), Decimal(3)),
        (dt.date(2026, 6, 1), Decimal(1)),
        (dt.date(2026, 11, 30), Decimal("0.5")),
    ]
    assert attendance_points(occurrences, TODAY) == (Decimal("4.5"), "")
    assert attendance_points([*occurrences, (TODAY, Decimal("0.5"))], TODAY) == (
        Decimal(5),
        "warning",
    )
    assert attendance_points([(TODAY, Decimal(3))] * 3, TODAY) == (Decimal(9), "final warning")


def test_schedule_adherence_from_the_recorded_work() -> None:
    from zoneinfo import ZoneInfo

    from clientdesk.team.rules import schedule_adherence

    NEW_YORK = ZoneInfo("America/New_York")

    # Mon Nov 2 to Fri Nov 13, 2026; shifts Mon-Fri 8:30-17:00; Wed Nov 11 is Veterans Day;
    # approved time off Thu-Fri Nov 12-13. Scheduled days: Nov 2-6 (5) + Nov 9, 10 = 7.
    nine_to_five = (dt.time(8, 30), dt.time(17, 0))
    shifts = dict.fromkeys(range(5), nine_to_five)

    def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)

    def call(day: int, hour: int, minute: int, minutes: int) -> tuple[dt.datetime, dt.datetime]:
        begin = at(day, hour, minute)
        return begin, begin + dt.timedelta(minutes=minutes)

    calls = [
        call(2, 8, 40, 20),  # 8:40-9:00
        call(2, 9, 20, 10),  # 9:20-9:30: 20 min after the last, bridged: 8:40-9:30
        call(3, 9, 30, 30),  # 9:30-10:00: first work an hour late (a late start)
        call(7, 11, 0, 15),  # a Saturday: worked, no shift
        call(12, 10, 0, 15),  # on approved time off: worked, not scheduled
    ]
    events = [
        at(3, 10, 40),  # 10:35-10:40: 35 min after the call ended, a span of its own
        at(3, 17, 3),  # 16:58-17:03: 2 min in the shift, 3 after
        at(9, 8, 59),  # 8:54-8:59: first work within the grace (9:00), on time
    ]
    result = schedule_adherence(
        shifts,
        [(dt.date(2026, 11, 12), dt.date(2026, 11, 13))],
        calls,
        events,
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 13),
    )
    # Scheduled: 7 days x 8.5 h = 3,570 min. Within the shifts: Nov 2 the span 8:40-9:30 =
    # 50, Nov 3 30 + 5 + 2 = 37, Nov 9 5: 92. Worked: 50 + 30 + 5 + 5 + 15 + 5 + 15 = 125.
    # Active days: Nov 2, 3, 9 (the Saturday and the day off are not scheduled days).
    assert (
        result.scheduled_days,
        result.scheduled_minutes,
        result.adherent_minutes,
        result.worked_minutes,
        result.active_days,
        result.late_starts,
        result.calls,
        result.events,
    ) == (7, 3570, 92, 125, 3, 1, 5, 3)
    assert (result.rate, result.conformance) == ("2.6%", "3.5%")  # 92 / 3570, 125 / 3570
    empty = schedule_adherence(shifts, [], [], [], dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert (empty.scheduled_days, empty.scheduled_minutes, empty.rate) == (1, 510, "0.0%")
    none = schedule_adherence({}, [], [], [], dt.date(2026, 11, 2), dt.date(2026, 11, 2))
    assert none.rate == "no schedule"
