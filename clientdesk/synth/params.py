"""Generator parameters and the calendar window they define.

Dates inside the generator are ``int`` day numbers since 1970-01-01 (the Arrow ``date32``
encoding), so numpy can do date arithmetic on whole arrays.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)

MAX_ACCOUNTS = 2_000
MAX_MEMBERS = 20_000_000
MAX_MONTHS = 120


def day_number(d: date) -> int:
    """Day number (days since 1970-01-01) of a calendar date."""
    return (d - EPOCH).days


def from_day_number(n: int) -> date:
    """Calendar date of a day number."""
    return EPOCH + timedelta(days=int(n))


def add_months(d: date, months: int) -> date:
    """First-of-month arithmetic: the first day of the month ``months`` after ``d``'s month."""
    index = d.year * 12 + (d.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(d: date) -> date:
    """Last day of ``d``'s month."""
    return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])


@dataclass(frozen=True)
class SynthParams:
    """What to generate: book size, calendar window and seed.

    ``members`` is the number of distinct people in the eligibility file over the whole
    window (households are trimmed so the total is exact). ``runout_months`` extends the
    claims extract past the window end so recent months are complete (0 = the extract is
    cut at the window end, as on the day the data arrives). ``workers`` is the number of
    processes (0 = one per core, at most 4); it never changes the output.
    """

    accounts: int = 24
    members: int = 20_000
    months: int = 24
    start: date = date(2024, 12, 1)
    seed: int = 7
    runout_months: int = 0
    workers: int = 0

    def validate(self) -> None:
        """Raise ``ValueError`` with a one-line message when a parameter is out of range."""
        if not 2 <= self.accounts <= MAX_ACCOUNTS:
            raise ValueError(f"accounts must be between 2 and {MAX_ACCOUNTS}, got {self.accounts}")
        if self.members < 50 * self.accounts:
            raise ValueError(
                f"members must be at least 50 per account ({50 * self.accounts} for "
                f"{self.accounts} accounts), got {self.members}"
            )
        if self.members > MAX_MEMBERS:
            raise ValueError(f"members must be at most {MAX_MEMBERS}, got {self.members}")
        if not 6 <= self.months <= MAX_MONTHS:
            raise ValueError(f"months must be between 6 and {MAX_MONTHS}, got {self.months}")
        if self.start.day != 1:
            raise ValueError(f"start must be the first day of a month, got {self.start}")
        if not 2000 <= self.start.year <= 2090:
            raise ValueError(f"start year must be between 2000 and 2090, got {self.start.year}")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a non-negative 63-bit integer, got {self.seed}")
        if not 0 <= self.runout_months <= 24:
            raise ValueError(f"runout_months must be between 0 and 24, got {self.runout_months}")
        if not 0 <= self.workers <= 64:
            raise ValueError(f"workers must be between 0 (auto) and 64, got {self.workers}")

    @property
    def window(self) -> Window:
        """The calendar window these parameters describe."""
        return Window.of(self.start, self.months, self.runout_months)


@dataclass(frozen=True)
class Window:
    """The generated calendar: ``first_day``..``last_day`` inclusive, plus the extract date.

    ``extract_day`` is the last day whose claims payments are in the extract
    (``last_day`` plus the run-out months).
    """

    first_day: int
    last_day: int
    extract_day: int
    months: int
    month_starts: np.ndarray = field(repr=False, compare=False)

    @classmethod
    def of(cls, start: date, months: int, runout_months: int = 0) -> Window:
        """Window of ``months`` calendar months from ``start`` (a first of month)."""
        last = month_end(add_months(start, months - 1))
        extract = month_end(add_months(start, months - 1 + runout_months))
        starts = np.array(
            [day_number(add_months(start, k)) for k in range(months + 1)], dtype=np.int32
        )
        return cls(day_number(start), day_number(last), day_number(extract), months, starts)

    @property
    def days(self) -> int:
        """Number of calendar days in the window."""
        return self.last_day - self.first_day + 1

    @property
    def start_date(self) -> date:
        """First day of the window."""
        return from_day_number(self.first_day)

    @property
    def end_date(self) -> date:
        """Last day of the window."""
        return from_day_number(self.last_day)

    def month_index(self, days: np.ndarray) -> np.ndarray:
        """Index (0-based) of the window month each day number falls in."""
        return (np.searchsorted(self.month_starts, days, side="right") - 1).astype(np.int32)
