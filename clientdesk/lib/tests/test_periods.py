"""Periods as people write them."""

from __future__ import annotations

import datetime as dt

import pytest

from clientdesk.lib.periods import parse_period, week_start


def test_month_quarter_year() -> None:
    march = parse_period("2026-03")
    assert (march.start, march.end, march.label) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
        "2026-03",
    )
    assert dt.date(2026, 3, 31) in march and dt.date(2026, 4, 1) not in march
    q4 = parse_period("2026q4")
    assert (q4.start, q4.end, q4.label) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026Q4")
    year = parse_period(" 2026 ")
    assert (year.start, year.end) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    december = parse_period("2026-12")
    assert december.end == dt.date(2027, 1, 1)


@pytest.mark.parametrize("text", ["2026-13", "March", "2026Q5", "26-03", ""])
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"2026-03|01 to 12"):
        parse_period(text)


def test_week_start_is_monday() -> None:
    assert week_start(dt.date(2026, 3, 8)) == dt.date(2026, 3, 2)
    assert week_start(dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)
