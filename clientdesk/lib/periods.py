"""Periods and spans of dates: the one vocabulary of "when" for every app.

Two shapes, with boundaries named so that no caller can mix them up:

* `Period`: a run of whole calendar months, `first_month`..`last_month` (month indexes, both
  included). Its days run from `start` (included) to `last_day` (included); `day_after` is
  the first day after it, for half-open filters (`opened_at__lt=local_midnight(day_after)`).
* `Span`: any dates `first`..`last`, both included — a contract year, the dates a one-time
  guarantee states, the part of a measurement period inside a contract term.

Neither has an attribute called `end`: the word meant "the last day" in one old module and
"the day after" in another, so it is not used at all.

Periods are written as the CLI and the pages accept them (`Period.code`): `2026-03` (a month),
`2026Q1` (a quarter; `2026-Q1` and `2026q1` are read too), `2026` (a year), `R12-2026-03` (the
rolling 12 months ending March 2026), or a range `2025-04..2026-03`. Every period is compared
with its `prior()` period (the same number of months immediately before) or the same months a
year earlier (`year_before()`).

Guarantee periods (a guarantee is measured monthly, quarterly, annually or once):

* A period belongs to the contract term in force on its last day and is measured whole (the
  renewal term, whose guarantees normally carry over, settles a quarter that straddles the
  renewal). When the term ends inside a period and no later term carries the same metric,
  the term settles the period up to its own last day.
* Contract years run from the term's start date on each anniversary; a period belongs to the
  contract year that holds its last measured day. Annual reconciliation and caps work per
  contract year.
* Dates due (§1.5): a period's report `report_lag_days` after it ends (60); the contract
  year's reconciliation `reconciliation_lag_days` after the year ends (60) and payment
  `payment_lag_days` after it ends (90).

The marts key days by `epoch_day` (days since 1970-01-01).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

EPOCH = dt.date(1970, 1, 1)
MAX_MONTHS = 120


class PeriodKind(StrEnum):
    """What a run of months is called: it decides its code and its words."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ROLLING_12 = "rolling12"
    RANGE = "range"


class Frequency(StrEnum):
    """How often a guarantee is measured (the values stored on a guarantee)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    ONE_TIME = "one_time"


class PeriodError(ValueError):
    """A period that cannot be read; the message is one line."""


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    """The first day of the month `index`."""
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    """The last day of the month `index` (included in the month)."""
    return month_start(index + 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """Dates `first` to `last`, both included."""

    label: str
    first: dt.date
    last: dt.date

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Period:
    """Whole calendar months `first_month`..`last_month` (month indexes, both included)."""

    first_month: int
    last_month: int
    kind: PeriodKind = PeriodKind.RANGE

    def __post_init__(self) -> None:
        if self.last_month < self.first_month:
            raise PeriodError("a period must end on or after its start")
        if self.months > MAX_MONTHS:
            raise PeriodError(f"a period is at most {MAX_MONTHS} months")

    @property
    def months(self) -> int:
        """How many months the period holds."""
        return self.last_month - self.first_month + 1

    @property
    def start(self) -> dt.date:
        """The first day, included."""
        return month_start(self.first_month)

    @property
    def last_day(self) -> dt.date:
        """The last day, included."""
        return month_end(self.last_month)

    @property
    def day_after(self) -> dt.date:
        """The first day after the period (excluded): the bound of half-open filters."""
        return month_start(self.last_month + 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.last_day

    def month_starts(self) -> list[dt.date]:
        """The first day of each month of the period, in order."""
        return [month_start(i) for i in range(self.first_month, self.last_month + 1)]

    def prior(self) -> Period:
        """The same number of months immediately before."""
        return Period(self.first_month - self.months, self.first_month - 1, self.kind)

    def year_before(self) -> Period:
        """The same months one year earlier (the same period last year)."""
        return Period(self.first_month - 12, self.last_month - 12, self.kind)

    def span(self) -> Span:
        """The period's days as a span labelled with its code."""
        return Span(self.code, self.start, self.last_day)

    @property
    def code(self) -> str:
        """The period written as `parse_period` reads it, e.g. "2026Q1"."""
        start = self.start
        if self.kind == PeriodKind.MONTH:
            return f"{start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{start.year}Q{(start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return f"{start.year}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"R12-{self.last_day:%Y-%m}"
        return f"{start:%Y-%m}..{self.last_day:%Y-%m}"

    @property
    def label(self) -> str:
        """The period in words, e.g. "Q1 2026" or "12 months to Mar 2026"."""
        start, last_day = self.start, self.last_day
        if self.kind == PeriodKind.MONTH:
            return f"{start:%b %Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        if self.kind == PeriodKind.YEAR:
            return f"{start.year}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"12 months to {last_day:%b %Y}"
        return f"{start:%b %Y} – {last_day:%b %Y}"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_ROLLING = re.compile(r"^[Rr]12-(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")
_FORMS = "2026-03, 2026Q1, 2026, R12-2026-03 or 2025-04..2026-03"


def parse_month(text: str) -> int:
    """`YYYY-MM` as a month index."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"{text!r} is not a month; write YYYY-MM, e.g. 2026-03")
    year = int(match.group(1))
    if not 1900 <= year <= 2099:
        raise PeriodError(f"{text!r} is outside 1900–2099")
    return year * 12 + int(match.group(2)) - 1


def parse_period(text: str) -> Period:
    """A period from its code: 2026-03, 2026Q1, 2026, R12-2026-03 or 2025-04..2026-03."""
    text = text.strip()
    if _MONTH.match(text):
        index = parse_month(text)
        return Period(index, index, PeriodKind.MONTH)
    if match := _QUARTER.match(text):
        first = parse_month(f"{match.group(1)}-01") + (int(match.group(2)) - 1) * 3
        return Period(first, first + 2, PeriodKind.QUARTER)
    if match := _YEAR.match(text):
        first = parse_month(f"{match.group(1)}-01")
        return Period(first, first + 11, PeriodKind.YEAR)
    if match := _ROLLING.match(text):
        last = parse_month(f"{match.group(1)}-{match.group(2)}")
        return Period(last - 11, last, PeriodKind.ROLLING_12)
    if match := _RANGE.match(text):
        return Period(parse_month(match.group(1)), parse_month(match.group(2)))
    raise PeriodError(f"{text!r} is not a period; write {_FORMS}")


def period_between(first: str, last: str) -> Period:
    """The months from `first` to `last` (YYYY-MM each), named by kind when it is one."""
    period = Period(parse_month(first), parse_month(last))
    start = period.start
    kind = PeriodKind.RANGE
    if period.months == 1:
        kind = PeriodKind.MONTH
    elif period.months == 3 and start.month in (1, 4, 7, 10):
        kind = PeriodKind.QUARTER
    elif period.months == 12 and start.month == 1:
        kind = PeriodKind.YEAR
    elif period.months == 12:
        kind = PeriodKind.ROLLING_12
    return Period(period.first_month, period.last_month, kind)


def period_of_kind(kind: PeriodKind, last_month: int) -> Period:
    """The period of `kind` that contains (month, quarter, year) or ends at (rolling 12, range
    read as rolling 12) the month `last_month`."""
    if kind == PeriodKind.MONTH:
        return Period(last_month, last_month, kind)
    if kind == PeriodKind.QUARTER:
        first = last_month - last_month % 3
        return Period(first, first + 2, kind)
    if kind == PeriodKind.YEAR:
        first = last_month - last_month % 12
        return Period(first, first + 11, kind)
    return Period(last_month - 11, last_month, PeriodKind.ROLLING_12)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


def epoch_day(day: dt.date) -> int:
    """Days since 1970-01-01: the integer day key of the marts."""
    return (day - EPOCH).days


def from_epoch_day(number: int) -> dt.date:
    """The date of a mart's day key."""
    return EPOCH + dt.timedelta(days=number)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February in other years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# Guarantee periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementPeriod:
    """A period a guarantee is measured on: the whole `measured` span of data, and the part
    of it inside the contract term (`term_part`), on which fees at risk are counted."""

    measured: Span
    term_part: Span


_CALENDAR_KIND = {
    Frequency.MONTHLY: PeriodKind.MONTH,
    Frequency.QUARTERLY: PeriodKind.QUARTER,
    Frequency.ANNUAL: PeriodKind.YEAR,
}


def period_containing(kind: str, day: dt.date) -> Span:
    """The calendar month, quarter or year (a guarantee `Frequency`) holding `day`."""
    try:
        calendar_kind = _CALENDAR_KIND[Frequency(kind)]
    except (KeyError, ValueError):
        raise ValueError(f"no calendar period of kind {kind!r}") from None
    return period_of_kind(calendar_kind, month_index(day)).span()


def parse_span(text: str) -> Span:
    """`2026-03`, `2026Q2` or `2026` (any period code) as a span of dates, labelled with the
    code (PeriodError, a ValueError, otherwise)."""
    return parse_period(text).span()


def calendar_periods(kind: str, first: dt.date, last: dt.date) -> list[Span]:
    """Every calendar period of `kind` that overlaps first..last, in order."""
    spans: list[Span] = []
    day = first
    while day <= last:
        span = period_containing(kind, day)
        spans.append(span)
        day = span.last + dt.timedelta(days=1)
    return spans


def measurement_periods(
    kind: str,
    term: Span,
    *,
    later_term_covers: Callable[[dt.date], bool],
    one_time: Span | None = None,
) -> list[MeasurementPeriod]:
    """The periods a guarantee of one contract term settles (see the module docstring).

    `later_term_covers(day)` says whether a later term of the account carrying the same
    metric is in force on `day`."""
    if kind == Frequency.ONE_TIME:
        if one_time is None:
            raise ValueError("a one-time guarantee needs the dates it measures")
        return [MeasurementPeriod(one_time, one_time)]
    out: list[MeasurementPeriod] = []
    for span in calendar_periods(kind, term.first, term.last):
        if span.last <= term.last:
            part = Span(span.label, max(span.first, term.first), span.last)
            out.append(MeasurementPeriod(span, part))
        elif not later_term_covers(span.last):
            measured = Span(span.label, span.first, term.last)
            part = Span(span.label, max(span.first, term.first), term.last)
            out.append(MeasurementPeriod(measured, part))
    return out


def contract_years(term: Span) -> list[Span]:
    """The term's contract years (the last one may be short)."""
    years: list[Span] = []
    first = term.first
    while first <= term.last:
        nxt = add_years(term.first, len(years) + 1)
        last = min(nxt - dt.timedelta(days=1), term.last)
        years.append(Span(f"{first.isoformat()}/{last.isoformat()}", first, last))
        first = nxt
    return years


def contract_year_of(term: Span, day: dt.date) -> Span:
    """The contract year of `term` that holds `day` (clamped to the first or last year)."""
    years = contract_years(term)
    for year in years:
        if year.contains(day):
            return year
    return years[0] if day < term.first else years[-1]


@dataclass(frozen=True)
class DueDates:
    report: dt.date
    reconciliation: dt.date
    payment: dt.date


def due_dates(
    period_last: dt.date,
    year_last: dt.date,
    *,
    report_lag_days: int,
    reconciliation_lag_days: int,
    payment_lag_days: int,
) -> DueDates:
    return DueDates(
        report=period_last + dt.timedelta(days=report_lag_days),
        reconciliation=year_last + dt.timedelta(days=reconciliation_lag_days),
        payment=year_last + dt.timedelta(days=payment_lag_days),
    )
