"""Reporting periods: a run of whole calendar months, and the period before it.

Written as the CLI and the pages accept them: `2026-03` (a month), `2026Q1` (a quarter),
`2026` (a year), `R12-2026-03` (the rolling 12 months ending March 2026), or a range
`2025-04..2026-03`. Every period is compared with the *prior period*: the same number of
months immediately before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ROLLING_12 = "rolling12"
    RANGE = "range"


def month_index(day: dt.date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


class PeriodError(ValueError):
    """A period that cannot be read; the message is one line."""


@dataclass(frozen=True)
class Period:
    """Whole months `first`..`last` (month indexes, inclusive)."""

    first: int
    last: int
    kind: PeriodKind = PeriodKind.RANGE

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError("a period must end on or after its start")
        if self.months > 120:
            raise PeriodError("a period is at most 120 months")

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    @property
    def start(self) -> dt.date:
        return month_start(self.first)

    @property
    def end(self) -> dt.date:
        return month_end(self.last)

    def month_starts(self) -> list[dt.date]:
        return [month_start(i) for i in range(self.first, self.last + 1)]

    def prior(self) -> Period:
        """The same number of months immediately before."""
        return Period(self.first - self.months, self.first - 1, self.kind)

    @property
    def code(self) -> str:
        """The period written as `parse_period` reads it."""
        start = self.start
        if self.kind == PeriodKind.MONTH:
            return f"{start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{start.year}Q{(start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return f"{start.year}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"R12-{self.end:%Y-%m}"
        return f"{start:%Y-%m}..{self.end:%Y-%m}"

    @property
    def label(self) -> str:
        """The period in words, e.g. "Q1 2026" or "12 months to Mar 2026"."""
        start, end = self.start, self.end
        if self.kind == PeriodKind.MONTH:
            return f"{start:%b %Y}"
        if self.kind == PeriodKind.QUARTER:
            return f"Q{(start.month - 1) // 3 + 1} {start.year}"
        if self.kind == PeriodKind.YEAR:
            return f"{start.year}"
        if self.kind == PeriodKind.ROLLING_12:
            return f"12 months to {end:%b %Y}"
        return f"{start:%b %Y} – {end:%b %Y}"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_ROLLING = re.compile(r"^[Rr]12-(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")


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
        first = int(match.group(1)) * 12 + (int(match.group(2)) - 1) * 3
        return Period(first, first + 2, PeriodKind.QUARTER)
    if match := _YEAR.match(text):
        first = parse_month(f"{match.group(1)}-01")
        return Period(first, first + 11, PeriodKind.YEAR)
    if match := _ROLLING.match(text):
        last = parse_month(f"{match.group(1)}-{match.group(2)}")
        return Period(last - 11, last, PeriodKind.ROLLING_12)
    if match := _RANGE.match(text):
        return Period(parse_month(match.group(1)), parse_month(match.group(2)))
    raise PeriodError(
        f"{text!r} is not a period; write 2026-03, 2026Q1, 2026, R12-2026-03 or 2025-04..2026-03"
    )


def period_between(first: str, last: str) -> Period:
    """The months from `first` to `last` (YYYY-MM each), named by kind when it is one."""
    period = Period(parse_month(first), parse_month(last))
    start = period.start
    if period.months == 1:
        return Period(period.first, period.last, PeriodKind.MONTH)
    if period.months == 3 and start.month in (1, 4, 7, 10):
        return Period(period.first, period.last, PeriodKind.QUARTER)
    if period.months == 12 and start.month == 1:
        return Period(period.first, period.last, PeriodKind.YEAR)
    if period.months == 12:
        return Period(period.first, period.last, PeriodKind.ROLLING_12)
    return period


def period_of_kind(kind: PeriodKind, last_month: int) -> Period:
    """The period of `kind` that contains (month, quarter, year) or ends at (rolling 12)
    the month `last_month`."""
    if kind == PeriodKind.MONTH:
        return Period(last_month, last_month, kind)
    if kind == PeriodKind.QUARTER:
        first = last_month - last_month % 3
        return Period(first, first + 2, kind)
    if kind == PeriodKind.YEAR:
        first = last_month - last_month % 12
        return Period(first, first + 11, kind)
    return Period(last_month - 11, last_month, PeriodKind.ROLLING_12)
