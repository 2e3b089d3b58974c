"""Business-hours arithmetic on a team calendar.

Pure functions of aware UTC datetimes: nothing here reads the clock, the database or settings.
A calendar has opening hours on workdays in one IANA time zone, is closed on the country's
public holidays (for "US", the federal holidays with their observed days, from the `holidays`
package) and on extra closed days. Opening hours are wall-clock hours, so a day with a DST
change still opens at 8:00 and closes at 18:00 local time.

A *clock* (an SLA timer) runs only during business hours and only inside its *runs*: the
intervals in which it is not paused or stopped. `read_clock` gives the business time elapsed
and the instants at which the clock reaches given targets; `read_clock_micros` does the same on
integer microseconds, for recomputing many clocks at once.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

UTC = dt.UTC
ZERO = dt.timedelta(0)
WEEKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
# add_business_duration gives up after this many calendar days without reaching the duration
# (a calendar with no working day at all would otherwise loop forever).
HORIZON_DAYS = 3660

Interval = tuple[dt.datetime, dt.datetime]
Run = tuple[dt.datetime, dt.datetime | None]  # end None: still running


@dataclass(frozen=True)
class BusinessCalendar:
    """Working hours in one time zone, with holidays and extra closed days."""

    timezone: str = "America/New_York"
    opens: dt.time = dt.time(8, 0)
    closes: dt.time = dt.time(18, 0)
    workdays: frozenset[int] = WEEKDAYS
    holiday_country: str | None = "US"
    closed_days: frozenset[dt.date] = field(default_factory=frozenset)
    # Hashed once: a calendar is the key of its timeline, looked up for every clock read.
    _hash: int = field(init=False, repr=False, compare=False, default=0)

    def __hash__(self) -> int:
        return self._hash

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("a business day must close after it opens")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opening hours are local wall-clock times without a time zone")
        if not self.workdays <= set(range(7)):
            raise ValueError("workdays are 0 (Monday) to 6 (Sunday)")
        ZoneInfo(self.timezone)  # raises for an unknown zone
        fields = (self.timezone, self.opens, self.closes, self.workdays)
        object.__setattr__(self, "_hash", hash((*fields, self.holiday_country, self.closed_days)))

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @property
    def hours_per_day(self) -> dt.timedelta:
        today = dt.date(2000, 1, 3)
        return dt.datetime.combine(today, self.closes) - dt.datetime.combine(today, self.opens)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=512)
def public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """The country's public holidays in a year, observed days included (US: federal)."""
    return frozenset(holidays.country_holidays(country, years=year, observed=True).keys())


def require_utc(value: dt.datetime, name: str = "value") -> None:
    """Rules take aware UTC datetimes only; anything else is a programming error."""
    if value.tzinfo is None or value.utcoffset() != ZERO:
        raise ValueError(f"{name} must be an aware UTC datetime, not {value!r}")


def is_business_day(day: dt.date, calendar: BusinessCalendar) -> bool:
    if day.weekday() not in calendar.workdays or day in calendar.closed_days:
        return False
    if calendar.holiday_country is None:
        return True
    return day not in public_holidays(calendar.holiday_country, day.year)


@lru_cache(maxsize=131072)
def business_window(day: dt.date, calendar: BusinessCalendar) -> Interval | None:
    """The day's opening hours as a UTC interval, or None when the team is closed."""
    if not is_business_day(day, calendar):
        return None
    zone = calendar.zone
    start = dt.datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(UTC)
    end = dt.datetime.combine(day, calendar.closes, tzinfo=zone).astimezone(UTC)
    return start, end


def _local_date(moment: dt.datetime, calendar: BusinessCalendar) -> dt.date:
    return moment.astimezone(calendar.zone).date()


def business_windows(
    start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar
) -> Iterator[Interval]:
    """The parts of [start, end) that fall in business hours, in order."""
    require_utc(start, "start")
    require_utc(end, "end")
    if end <= start:
        return
    day = _local_date(start, calendar)
    last = _local_date(end, calendar)
    while day <= last:
        window = business_window(day, calendar)
        if window is not None:
            lo, hi = max(window[0], start), min(window[1], end)
            if lo < hi:
                yield lo, hi
        day += dt.timedelta(days=1)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = dt.timedelta(microseconds=1)
_WEEK = 7 * 86_400_000_000  # a timeline answers for a week beyond its first and last window


def _micros(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _MICRO


def _instant(micros: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=micros)


@dataclass(frozen=True)
class _Timeline:
    """Every business window of a span of years, as UTC microseconds, with the business time
    before each: business time up to an instant, and its inverse, are then a binary search
    instead of a walk over the days. Built per calendar and widened when a date falls outside."""

    first_year: int
    last_year: int
    opens: list[int]
    closes: list[int]
    before: list[int]  # business microseconds in all earlier windows
    through: list[int]  # business microseconds up to the end of this window

    @property
    def low(self) -> int:
        return self.opens[0] - _WEEK if self.opens else 0

    @property
    def high(self) -> int:
        return self.closes[-1] + _WEEK if self.opens else -1

    def elapsed(self, micros: int) -> int:
        """Business time from the start of the span up to an instant."""
        index = bisect_right(self.opens, micros) - 1
        if index < 0:
            return 0
        return self.before[index] + min(micros, self.closes[index]) - self.opens[index]

    def instant(self, elapsed: int) -> int:
        """The first instant at which `elapsed` business time has passed (elapsed > 0)."""
        index = bisect_left(self.through, elapsed)
        if index >= len(self.opens):
            raise ValueError("beyond the calendar's span")
        return self.opens[index] + elapsed - self.before[index]


# Each calendar's timeline with the instants it answers for, kept together in one entry so
# that a thread never pairs a timeline with another timeline's bounds.
_TIMELINES: dict[BusinessCalendar, tuple[_Timeline, int, int]] = {}


def _build(calendar: BusinessCalendar, first_year: int, last_year: int) -> _Timeline:
    opens: list[int] = []
    closes: list[int] = []
    before: list[int] = []
    through: list[int] = []
    total = 0
    day = dt.date(first_year, 1, 1)
    end = dt.date(last_year, 12, 31)
    while day <= end:
        window = business_window(day, calendar)
        if window is not None:
            start, stop = _micros(window[0]), _micros(window[1])
            opens.append(start)
            closes.append(stop)
            before.append(total)
            total += stop - start
            through.append(total)
        day += dt.timedelta(days=1)
    return _Timeline(first_year, last_year, opens, closes, before, through)


def _timeline(calendar: BusinessCalendar, *moments: int) -> _Timeline:
    entry = _TIMELINES.get(calendar)
    timeline = None
    if entry is not None:
        timeline, low, high = entry
        if low <= min(moments) and max(moments) <= high:
            return timeline
    years = [_instant(m).year for m in moments]
    first = min(years) - 2
    last = max(years) + 3
    if timeline is not None:
        first, last = min(first, timeline.first_year), max(last, timeline.last_year)
    if last - first > HORIZON_DAYS // 365 * 3:
        raise ValueError(f"instants span too many years for the calendar: {first}-{last}")
    timeline = _build(calendar, first, last)
    _TIMELINES[calendar] = (timeline, timeline.low, timeline.high)
    return timeline


def business_duration(
    start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar
) -> dt.timedelta:
    """Business time between two instants (zero when end is not after start)."""
    require_utc(start, "start")
    require_utc(end, "end")
    if end <= start:
        return ZERO
    lo, hi = _micros(start), _micros(end)
    timeline = _timeline(calendar, lo, hi)
    return dt.timedelta(microseconds=timeline.elapsed(hi) - timeline.elapsed(lo))


def add_business_duration(
    start: dt.datetime, duration: dt.timedelta, calendar: BusinessCalendar
) -> dt.datetime:
    """The instant at which `duration` of business time has passed since `start`.

    A duration that ends exactly at closing time ends then, not at the next opening.
    """
    require_utc(start, "start")
    if duration < ZERO:
        raise ValueError("duration must not be negative")
    if duration == ZERO:
        return start
    return _instant(_add(calendar, _micros(start), duration // _MICRO))


def _add(calendar: BusinessCalendar, start: int, duration: int) -> int:
    if duration <= 0:
        return start
    timeline = _timeline(calendar, start)
    base = timeline.elapsed(start)
    while True:
        try:
            return timeline.instant(base + duration)
        except ValueError:
            # Past the span: widen it by a few years (a calendar with no working day at all
            # fails in _timeline once the span grows too wide).
            timeline = _timeline(calendar, start, timeline.closes[-1] + 86_400_000_000 * 800)
            base = timeline.elapsed(start)


@dataclass(frozen=True)
class ClockReading:
    """Where a business-hours clock stands at `now`.

    `crossings[i]` is the instant the clock reaches `thresholds[i]`: in the past when it
    already has, in the future when the clock is running and will; for a clock that is paused
    or stopped short of a threshold, the instant it would reach it had it kept running from
    the end of its last run (the deadline "as it stood"), or None when the clock never ran.
    """

    elapsed: dt.timedelta
    running: bool
    thresholds: tuple[dt.timedelta, ...]
    crossings: tuple[dt.datetime | None, ...]
    last_run_end: dt.datetime | None

    def reached(self, index: int = 0) -> bool:
        """The clock has gone past threshold `index` (exactly on it is not past)."""
        return self.elapsed > self.thresholds[index]


def read_clock(
    runs: Sequence[Run],
    calendar: BusinessCalendar,
    now: dt.datetime,
    thresholds: Sequence[dt.timedelta],
) -> ClockReading:
    """Read a clock that runs during business hours inside `runs` (sorted, not overlapping;
    the last may be open-ended), as of `now`. Runs after `now` are ignored."""
    require_utc(now, "now")
    targets = tuple(thresholds)
    micro_runs: list[MicroRun] = []
    for start_time, end_time in runs:
        require_utc(start_time, "run start")
        micro_runs.append((_micros(start_time), None if end_time is None else _micros(end_time)))
    elapsed, running, crossings, last_end = read_clock_micros(
        micro_runs, calendar, _micros(now), [t // _MICRO for t in targets]
    )
    return ClockReading(
        elapsed=dt.timedelta(microseconds=elapsed),
        running=running,
        thresholds=targets,
        crossings=tuple(None if c is None else _instant(c) for c in crossings),
        last_run_end=None if running or last_end is None else _instant(last_end),
    )


MicroRun = tuple[int, int | None]  # a run in UTC microseconds since the epoch (end None: running)


# An aware datetime as UTC microseconds since the epoch (what read_clock_micros takes), and
# back: the module's own conversions under public names.
micros = _micros
instant = _instant


def read_clock_micros(
    runs: Sequence[MicroRun],
    calendar: BusinessCalendar,
    at: int,
    goals: Sequence[int],
) -> tuple[int, bool, list[int | None], int | None]:
    """`read_clock` on integers, for recomputing many clocks (no datetime is built until the
    caller needs one): runs, `at` and the goals in microseconds. Answers the elapsed business
    microseconds, whether the clock is running, the crossing instant of each goal (as in
    ClockReading.crossings) and the end of the last run (None when it never ran)."""
    crossings: list[int | None] = [None] * len(goals)
    elapsed = 0
    running = False
    last_end: int | None = None
    last_base = 0  # business time up to last_end on the timeline in `entry`
    previous_end: int | None = None
    entry = _TIMELINES.get(calendar)
    for start, end in runs:
        if previous_end is not None and start < previous_end:
            raise ValueError("runs must be sorted and must not overlap")
        if start > at:
            break
        if end is None or end > at:
            stop = at
            running = True
        else:
            stop = end
        if entry is None or not (entry[1] <= min(start, stop) and max(start, stop) <= entry[2]):
            _timeline(calendar, start, stop)
            entry = _TIMELINES[calendar]
        timeline = entry[0]
        base = timeline.elapsed(start)
        piece = timeline.elapsed(stop) - base
        reached = elapsed + piece
        for i, goal in enumerate(goals):
            if crossings[i] is None and reached >= goal:
                crossings[i] = _crossing(calendar, timeline, start, base, goal - elapsed)
        elapsed = reached
        last_end = stop
        last_base = base + piece
        previous_end = end if end is not None else at
    if last_end is not None and entry is not None:
        for i, goal in enumerate(goals):
            if crossings[i] is None:
                crossings[i] = _crossing(calendar, entry[0], last_end, last_base, goal - elapsed)
    return elapsed, running, crossings, last_end


def _crossing(
    calendar: BusinessCalendar, timeline: _Timeline, start: int, base: int, duration: int
) -> int:
    """_add(calendar, start, duration) when `timeline` covers `start` and base is the business
    time up to it: the same answer without looking the timeline up again."""
    if duration <= 0:
        return start
    try:
        return timeline.instant(base + duration)
    except ValueError:
        return _add(calendar, start, duration)
