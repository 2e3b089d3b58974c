"""The team's rules as pure functions of values and a date (no database)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from clientdesk.lib.business_calendar import BusinessCalendar, is_business_day
from clientdesk.lib.periods import add_years

LICENSE_ALERT_DAYS = (90, 60, 30)
"""A license's expiry is announced 90, 60 and 30 days before."""

HOURS_PER_DAY = Decimal(8)
MIN_SELF_ID_CELL = 5
"""Self-identification is reported only in cells of 5 people or more."""

TEAM_CALENDAR = BusinessCalendar()  # Monday to Friday, US federal holidays, New York


def license_alert(expires_on: dt.date, today: dt.date) -> int | None:
    """The alert a license is under today: 0 when lapsed, else the tightest of 90/60/30 days
    that its expiry falls within, or None when it is further away."""
    left = (expires_on - today).days
    if left < 0:
        return 0
    inside = [d for d in LICENSE_ALERT_DAYS if left <= d]
    return min(inside) if inside else None


@lru_cache(maxsize=8192)
def next_due(completed_on: dt.date) -> dt.date:
    """A yearly course is due again a year after it was last completed (a rolling lapse)."""
    return add_years(completed_on, 1)


@dataclass(frozen=True)
class Cell:
    """One person x one required course: where they stand today."""

    state: str  # "current", "due", "overdue", "missing"
    date: dt.date | None  # valid until (current), due on (due, overdue)


def compliance_cell(
    *,
    last_completed: dt.date | None,
    open_due: dt.date | None,
    yearly: bool,
    today: dt.date,
) -> Cell:
    """Where one person stands on one required course: a completion still valid is current
    (for a yearly course, within a year of it); an open assignment is due or overdue by its
    due date; with neither, the course is missing."""
    if last_completed is not None:
        valid_until = next_due(last_completed) if yearly else None
        if (valid_until is None or valid_until > today) and open_due is None:
            return Cell("current", valid_until)
    if open_due is not None:
        return Cell("overdue" if open_due < today else "due", open_due)
    if last_completed is not None and yearly:
        return Cell("overdue", next_due(last_completed))
    return Cell("missing", None)


def score_quiz(answers: Mapping[str, int], key: Mapping[str, int]) -> int:
    """Percent of the questions answered right (rounded half up); an unanswered question is
    wrong. ``key`` maps each question's id to its right choice."""
    if not key:
        return 100
    right = sum(1 for qid, answer in key.items() if answers.get(qid) == answer)
    return (right * 200 + len(key)) // (2 * len(key))


def working_days(first: dt.date, last: dt.date, calendar: BusinessCalendar = TEAM_CALENDAR) -> int:
    days = 0
    day = first
    while day <= last:
        days += is_business_day(day, calendar)
        day += dt.timedelta(days=1)
    return days


def request_hours(first: dt.date, last: dt.date) -> Decimal:
    """Hours a time-off request takes from a balance: 8 per working day (holidays are free)."""
    return HOURS_PER_DAY * working_days(first, last)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_between(after: dt.date, through: dt.date) -> list[dt.date]:
    """First days of the months after ``after``'s month up to ``through``'s month."""
    months: list[dt.date] = []
    index = after.year * 12 + after.month  # the month after
    last = through.year * 12 + through.month - 1
    while index <= last:
        months.append(dt.date(index // 12, index % 12 + 1, 1))
        index += 1
    return months


def accrual(
    *,
    hours: Decimal,
    accrued_through: dt.date | None,
    hire_date: dt.date,
    month: dt.date,
    per_month: Decimal,
    cap: Decimal | None,
) -> tuple[Decimal, dt.date | None]:
    """The balance after accruing every month not yet accrued up to ``month``: a full month's
    hours for each month worked from the hire month on (a hire after the 15th starts the next
    month), never above the cap. Returns (hours, accrued through); running it twice for the
    same month adds nothing."""
    first = month_start(hire_date) if hire_date.day <= 15 else _month_after(hire_date)
    start_after = accrued_through if accrued_through is not None else _month_before(first)
    months = [m for m in months_between(start_after, month) if m >= first]
    if not months:
        return hours, accrued_through
    total = hours + per_month * len(months)
    if cap is not None:
        total = min(total, max(cap, hours))
    return total, months[-1]


def _month_after(day: dt.date) -> dt.date:
    index = day.year * 12 + day.month
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_before(day: dt.date) -> dt.date:
    index = day.year * 12 + day.month - 2
    return dt.date(index // 12, index % 12 + 1, 1)


def suppressed_counts(
    values: Iterable[str], *, blank: str = "Not answered"
) -> list[tuple[str, int | None]]:
    """Counts per answer, largest first; a count of 1 to 4 is withheld (None), and so is the
    smallest other count when exactly one cell is withheld (it could be worked out from the
    total)."""
    counts = Counter(v or blank for v in values)
    rows: list[tuple[str, int]] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hidden = [k for k, n in rows if 0 < n < MIN_SELF_ID_CELL]
    if len(hidden) == 1:
        shown = [k for k, _ in rows if k not in hidden]
        if shown:
            hidden.append(shown[-1])
    return [(k, None if k in hidden else n) for k, n in rows]


@dataclass(frozen=True)
class Risk:
    score: int
    reasons: list[str]


def flight_risk(
    *,
    overdue_training: int,
    accounts: int,
    capacity: int,
    escalations: int,
    last_one_to_one: dt.date | None,
    today: dt.date,
) -> Risk:
    """A flight-risk score of 0 to 4, one point per reason, with the reasons in words."""
    reasons: list[str] = []
    if overdue_training:
        reasons.append(f"{overdue_training} overdue course{'s' if overdue_training > 1 else ''}")
    if capacity and accounts > capacity:
        reasons.append(f"heavy load: {accounts} accounts for a capacity of {capacity}")
    if escalations >= 2:
        reasons.append(f"{escalations} open escalations on their accounts")
    if last_one_to_one is None:
        reasons.append("no one-to-one on record")
    elif (today - last_one_to_one).days > 45:
        reasons.append(f"last one-to-one {(today - last_one_to_one).days} days ago")
    return Risk(len(reasons), reasons)


def tenure_years(hire_date: dt.date, today: dt.date) -> Decimal:
    return (Decimal((today - hire_date).days) / Decimal("365.25")).quantize(Decimal("0.1"))


STAGE_MOVES: dict[str, Sequence[str]] = {
    "applied": ("screened", "rejected", "declined"),
    "screened": ("interviewed", "rejected", "declined"),
    "interviewed": ("offer", "rejected", "declined"),
    "offer": ("hired", "declined", "rejected"),
    "hired": (),
    "declined": (),
    "rejected": (),
}
CLOSED_STAGES = frozenset({"hired", "declined", "rejected"})


QUALITY_CRITERIA: dict[str, int] = {
    "Accuracy": 40,
    "Completeness": 25,
    "Compliance": 25,
    "Courtesy": 10,
}
"""The scorecard's criteria and their weights (percent of the total)."""

AUTO_FAILS = (
    "Member data disclosed to someone not entitled to it",
    "Wrong benefit or claim information given",
    "Inquiry closed without answering it",
)
"""Items that fail a review whatever its scores."""


QUALITY_LOW_SCORE = 2
"""A criterion scored this or lower (of 5) is a flaw a training need can take up."""
QUALITY_TOPIC = "Quality: "
"""A training need opened from quality results is named after its flaw with this prefix."""


def review_flaws(scores: Mapping[str, int], auto_fail: Sequence[str]) -> list[str]:
    """What one review found wrong: each auto-fail item it marked, then each criterion
    scored ``QUALITY_LOW_SCORE`` or lower, in the scorecard's order."""
    low = [c for c in QUALITY_CRITERIA if scores.get(c, 5) <= QUALITY_LOW_SCORE]
    return [*auto_fail, *low]


def quality_total(scores: Mapping[str, int], auto_fail: Sequence[str]) -> int:
    """The weighted percent of a review (each criterion scored 0 to 5), or 0 on an
    auto-fail; rounded half up."""
    if auto_fail:
        return 0
    points = sum(QUALITY_CRITERIA[c] * scores[c] for c in QUALITY_CRITERIA)  # out of 500
    return (points + 2) // 5


def quality_sample(inquiry_ids: Sequence[int], rate: float, *, key: str) -> list[int]:
    """A month's sample of one associate's resolved inquiries: ceil(rate x n) of them, at
    least one when there are any, drawn at random with a seed made of ``key`` (associate and
    month), so the same month gives the same sample every time it is asked for."""
    import math
    import random

    ordered = sorted(inquiry_ids)
    if not ordered:
        return []
    size = min(len(ordered), max(1, math.ceil(rate * len(ordered))))
    rng = random.Random(key)  # noqa: S311  (a reproducible sample, not a secret)
    return sorted(rng.sample(ordered, size))


POINTS_WINDOW_DAYS = 365
POINTS_WARNING = Decimal(5)
POINTS_FINAL = Decimal(8)


def attendance_points(
    occurrences: Iterable[tuple[dt.date, Decimal]], today: dt.date
) -> tuple[Decimal, str]:
    """Points of the occurrences within the last 365 days, and the step they reach: a
    warning at 5 points, a final warning at 8."""
    since = today - dt.timedelta(days=POINTS_WINDOW_DAYS)
    points = sum((p for on, p in occurrences if since < on <= today), Decimal(0))
    step = (
        "final warning" if points >= POINTS_FINAL else "warning" if points >= POINTS_WARNING else ""
    )
    return points, step


ADHERENCE_GRACE_MINUTES = 30
"""A day's first recorded work this long after the shift began still counts as on time."""
IDLE_BRIDGE_MINUTES = 30
"""Between two pieces of work, a gap this long or shorter counts as worked (available for the
next call or case); a longer one as away."""
EVENT_MINUTES = 5
"""A recorded moment (an inquiry change, a note, a logged activity) stands for the five
minutes of work before it; a call counts from its answer to the end of its handle time."""

Span = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Adherence:
    """Schedule adherence as the domain defines it (time in the scheduled state ÷ scheduled
    time) and conformance (time worked ÷ scheduled time), from what the records show: the
    agent's answered calls in the lake and the work the product records with a time and an
    author. Not a workforce-management clock (no log-in states), and said so."""

    scheduled_days: int  # working days with a shift, not on approved time off
    active_days: int  # of those, days with any recorded work
    scheduled_minutes: int  # the shifts' length on those days
    adherent_minutes: int  # worked within a shift on a scheduled day
    worked_minutes: int  # worked at all in the period (conformance)
    calls: int  # answered calls in the period
    events: int  # inquiry changes, notes and logged activities in the period
    late_starts: int  # active scheduled days whose first work came after the grace

    @property
    def rate(self) -> str:
        if not self.scheduled_minutes:
            return "no schedule"
        return f"{self.adherent_minutes * 100 / self.scheduled_minutes:.1f}%"

    @property
    def conformance(self) -> str:
        if not self.scheduled_minutes:
            return "no schedule"
        return f"{self.worked_minutes * 100 / self.scheduled_minutes:.1f}%"


def worked_spans(calls: Iterable[Span], events: Iterable[dt.datetime]) -> list[Span]:
    """The stretches of time worked: each call (answered -> end of handle time) and the
    ``EVENT_MINUTES`` before each recorded moment, merged when the gap between them is at
    most ``IDLE_BRIDGE_MINUTES``. All times in one zone."""
    pieces = sorted([*calls, *((m - dt.timedelta(minutes=EVENT_MINUTES), m) for m in events)])
    bridge = dt.timedelta(minutes=IDLE_BRIDGE_MINUTES)
    spans: list[Span] = []
    for begin, end in pieces:
        if spans and begin - spans[-1][1] <= bridge:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
    return spans


def _overlap(spans: Sequence[Span], begin: dt.datetime, end: dt.datetime) -> dt.timedelta:
    total = dt.timedelta(0)
    for a, b in spans:
        lo, hi = max(a, begin), min(b, end)
        if hi > lo:
            total += hi - lo
    return total


def _minutes(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() / 60)


def schedule_adherence(
    shifts: Mapping[int, tuple[dt.time, dt.time]],
    away: Iterable[tuple[dt.date, dt.date]],
    calls: Iterable[Span],
    events: Iterable[dt.datetime],
    first: dt.date,
    last: dt.date,
    calendar: BusinessCalendar = TEAM_CALENDAR,
) -> Adherence:
    """Adherence over ``first``..``last`` from the weekly shifts (weekday -> start, end, local
    times), approved time off ``away``, the answered calls (answered, ended) and the recorded
    moments, all as naive or aware datetimes in the team's zone: the scheduled days (a shift
    on a business day not within time off) and their minutes, the minutes worked within those
    shifts (``worked_spans``), the minutes worked in the period at all, and the late starts."""
    off = [(a, b) for a, b in away]
    calls = list(calls)
    events = list(events)
    pieces = sorted([*calls, *((m - dt.timedelta(minutes=EVENT_MINUTES), m) for m in events)])
    spans = worked_spans(calls, events)
    tz = spans[0][0].tzinfo if spans else None
    period = (
        dt.datetime.combine(first, dt.time(0), tz),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tz),
    )
    first_work: dict[dt.date, dt.datetime] = {}
    for begin, _ in pieces:  # in order: the first seen is the day's first work
        first_work.setdefault(begin.date(), begin)
    scheduled = active = late = 0
    scheduled_time = adherent = dt.timedelta(0)
    day = first
    while day <= last:
        shift = shifts.get(day.weekday())
        if (
            shift is not None
            and is_business_day(day, calendar)
            and not any(a <= day <= b for a, b in off)
        ):
            scheduled += 1
            begin = dt.datetime.combine(day, shift[0], tz)
            end = dt.datetime.combine(day, shift[1], tz)
            scheduled_time += end - begin
            adherent += _overlap(spans, begin, end)
            started = first_work.get(day)
            if started is not None:
                active += 1
                late += started > begin + dt.timedelta(minutes=ADHERENCE_GRACE_MINUTES)
        day += dt.timedelta(days=1)
    in_period = [(a, b) for a, b in calls if period[0] <= a < period[1]]
    return Adherence(
        scheduled_days=scheduled,
        active_days=active,
        scheduled_minutes=_minutes(scheduled_time),
        adherent_minutes=_minutes(adherent),
        worked_minutes=_minutes(_overlap(spans, *period)),
        calls=len(in_period),
        events=sum(1 for m in events if period[0] <= m < period[1]),
        late_starts=late,
    )


# ── coverage of an account's days ─────────────────────────────────────────────────────────

NO_ONE_ONSITE = "No one onsite at the sponsor"
NO_ONSITE_SCHEDULE = "The onsite team has no schedule"
NO_ONE_WORKING = "No one of the account team is working"
IF_APPROVED = "If the pending time off is approved: "


@dataclass(frozen=True)
class Seat:
    """One person's part in an account's coverage: on the account's team (lead or backup)
    and/or placed onsite at its sponsor; their weekly shifts (weekday -> spent onsite); the
    days they are employed; the spans they are away (approved time off, an unplanned absence
    recorded as an attendance occurrence) with why, and time off asked and not yet decided."""

    name: str
    on_team: bool
    onsite_here: bool
    shifts: Mapping[int, bool]
    hired: dt.date
    left: dt.date | None = None
    away: Sequence[tuple[dt.date, dt.date, str]] = ()
    pending: Sequence[tuple[dt.date, dt.date]] = ()


@dataclass(frozen=True)
class CoverageDay:
    day: dt.date
    working_day: bool
    in_: list[str]
    out: list[str]  # "name (why)": scheduled that day and away
    onsite: list[str]
    warning: str
    pending: list[str] = field(default_factory=list)  # working, with time off asked that day


def _why_out(seat: Seat, day: dt.date) -> str:
    if seat.left is not None and day >= seat.left:
        return f"left {seat.left:%b %-d, %Y}"
    if day < seat.hired:
        return f"starts {seat.hired:%b %-d, %Y}"
    return next((why for a, b, why in seat.away if a <= day <= b), "")


def _gap(
    seats: Sequence[Seat], day: dt.date, away: Mapping[int, str]
) -> tuple[str, list[str], list[str]]:
    """The day's warning, who of the team works and who is onsite, with the seats of
    ``away`` (index -> why) out."""
    weekday = day.weekday()
    expected_onsite = any(s.onsite_here and s.shifts.get(weekday, False) for s in seats)
    unscheduled_site = any(s.onsite_here for s in seats) and not any(
        s.onsite_here and s.shifts for s in seats
    )
    present = [(i, s) for i, s in enumerate(seats) if i not in away]
    in_ = [s.name for i, s in present if s.on_team and weekday in s.shifts]
    onsite = [s.name for i, s in present if s.onsite_here and s.shifts.get(weekday, False)]
    if expected_onsite and not onsite:
        return NO_ONE_ONSITE, in_, onsite
    if unscheduled_site:
        return NO_ONSITE_SCHEDULE, in_, onsite
    if any(s.on_team for s in seats) and not in_:
        return NO_ONE_WORKING, in_, onsite
    return "", in_, onsite


def coverage_day(day: dt.date, working: bool, seats: Sequence[Seat]) -> CoverageDay:
    """Who of an account's people works ``day`` and who is onsite, and the warning when the
    account is left without them:

    - *No one onsite at the sponsor*: someone placed there is scheduled onsite that weekday
      and everyone so scheduled is away (time off, an absence, not yet started or left);
    - *The onsite team has no schedule*: people are placed at the sponsor and none of them
      has any shift, so no day of theirs can be counted on;
    - *No one of the account team is working*: none of its lead and backups is scheduled
      and present.

    With no warning, a day that one would give if the time off asked for it were approved
    gets that warning prefixed by ``IF_APPROVED``. Seats are listed in the order given."""
    if not working:
        return CoverageDay(day, False, [], [], [], "")
    weekday = day.weekday()
    away: dict[int, str] = {}
    for i, s in enumerate(seats):
        why = _why_out(s, day)
        if why and weekday in s.shifts:
            away[i] = why
    warning, in_, onsite = _gap(seats, day, away)
    asked = {
        i: "time off asked"
        for i, s in enumerate(seats)
        if i not in away and weekday in s.shifts and any(a <= day <= b for a, b in s.pending)
    }
    if not warning and asked:
        if_approved, _, _ = _gap(seats, day, away | asked)
        warning = IF_APPROVED + if_approved[0].lower() + if_approved[1:] if if_approved else ""
    out = [f"{seats[i].name} ({why})" for i, why in sorted(away.items())]
    return CoverageDay(day, True, in_, out, onsite, warning, [seats[i].name for i in sorted(asked)])
