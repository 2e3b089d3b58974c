"""When a recurring survey is next sent: pure dates, no clock of their own."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, the month's last day when it has no such day (Nov 30 + 3
    months is Feb 28, or 29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_after(due: dt.date, months: int, today: dt.date) -> dt.date:
    """The first turn after `today` of a schedule due on `due` every `months` months, counted
    from `due` (so the day of the month holds: Jan 31 quarterly is Apr 30, then Jul 31)."""
    turns = 1
    while (following := add_months(due, months * turns)) <= today:
        turns += 1
    return following
