"""Periods as people write them: `2026-03` (a month), `2026Q1` (a quarter), `2026` (a year)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    """Calendar dates from `start` up to, not including, `end`."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_period(text: str) -> Period:
    """A month, quarter or year; ValueError naming the accepted forms otherwise."""
    raw = text.strip()
    if match := _MONTH.match(raw):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(f"{text!r}: the month must be 01 to 12")
        start = dt.date(year, month, 1)
        return Period(start, _add_months(start, 1), f"{year}-{month:02d}")
    if match := _QUARTER.match(raw):
        year, quarter = int(match[1]), int(match[2])
        start = dt.date(year, 3 * quarter - 2, 1)
        return Period(start, _add_months(start, 3), f"{year}Q{quarter}")
    if match := _YEAR.match(raw):
        year = int(match[1])
        return Period(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), str(year))
    raise ValueError(f"{text!r}: write a period as 2026-03, 2026Q1 or 2026")


def week_start(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())
