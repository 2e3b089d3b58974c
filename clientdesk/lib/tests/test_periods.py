"""Periods as people write them, their boundaries, and the guarantee periods built on them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientdesk.lib.periods import (
    Frequency,
    Period,
    PeriodError,
    PeriodKind,
    Span,
    add_years,
    calendar_periods,
    epoch_day,
    from_epoch_day,
    month_end,
    month_index,
    month_start,
    parse_period,
    parse_span,
    period_between,
    period_containing,
    period_of_kind,
    week_start,
)

D = dt.date


def test_month_quarter_year_and_their_days() -> None:
    march = parse_period("2026-03")
    assert (march.start, march.last_day, march.day_after) == (
        D(2026, 3, 1),
        D(2026, 3, 31),
        D(2026, 4, 1),
    )
    assert (march.code, march.label, march.months) == ("2026-03", "Mar 2026", 1)
    assert D(2026, 3, 31) in march and D(2026, 4, 1) not in march and D(2026, 2, 28) not in march
    q4 = parse_period("2026q4")
    assert (q4.start, q4.last_day, q4.day_after) == (D(2026, 10, 1), D(2026, 12, 31), D(2027, 1, 1))
    assert (q4.code, q4.label) == ("2026Q4", "Q4 2026")
    assert parse_period("2026-Q1").code == "2026Q1"
    year = parse_period(" 2026 ")
    assert (year.start, year.last_day, year.months, year.label) == (
        D(2026, 1, 1),
        D(2026, 12, 31),
        12,
        "2026",
    )
    february = parse_period("2028-02")  # a leap year
    assert february.last_day == D(2028, 2, 29)


def test_rolling_and_ranges() -> None:
    rolling = parse_period("R12-2026-03")
    assert (rolling.start, rolling.last_day, rolling.label, rolling.code) == (
        D(2025, 4, 1),
        D(2026, 3, 31),
        "12 months to Mar 2026",
        "R12-2026-03",
    )
    span = parse_period("2025-04..2025-08")
    assert (span.months, span.label, span.prior().code) == (
        5,
        "Apr 2025 – Aug 2025",
        "2024-11..2025-03",
    )
    assert period_between("2025-04", "2025-06").code == "2025Q2"
    assert period_between("2025-01", "2025-12").code == "2025"
    assert period_between("2025-02", "2026-01").code == "R12-2026-01"
    assert period_between("2025-03", "2025-03").code == "2025-03"


def test_prior_period_and_the_same_period_last_year() -> None:
    assert parse_period("2026Q1").prior().code == "2025Q4"
    assert parse_period("2026-01").prior().code == "2025-12"
    assert parse_period("2026").prior().code == "2025"
    assert parse_period("2026Q3").year_before().code == "2025Q3"
    assert parse_period("2026-03").month_starts() == [D(2026, 3, 1)]
    assert parse_period("2026Q2").month_starts() == [D(2026, 4, 1), D(2026, 5, 1), D(2026, 6, 1)]


def test_period_of_kind_contains_the_month() -> None:
    november = month_index(D(2026, 11, 15))
    assert period_of_kind(PeriodKind.QUARTER, november).code == "2026Q4"
    assert period_of_kind(PeriodKind.YEAR, november).code == "2026"
    assert period_of_kind(PeriodKind.MONTH, november).code == "2026-11"
    assert period_of_kind(PeriodKind.ROLLING_12, november).code == "R12-2026-11"


@pytest.mark.parametrize(
    "text", ["2026-13", "March", "2026Q5", "26-03", "", "1899", "2026-00", "2026-05..2026-04"]
)
def test_other_forms_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_a_period_is_at_most_ten_years() -> None:
    with pytest.raises(PeriodError, match="120 months"):
        parse_period("2000-01..2010-01")


def test_week_start_is_monday() -> None:
    assert week_start(D(2026, 3, 8)) == D(2026, 3, 2)
    assert week_start(D(2026, 3, 2)) == D(2026, 3, 2)


def test_guarantee_spans_and_day_keys() -> None:
    assert parse_span("2026Q2") == Span("2026Q2", D(2026, 4, 1), D(2026, 6, 30))
    assert parse_span("2026-02").days == 28
    assert period_containing(Frequency.QUARTERLY, D(2026, 5, 9)) == parse_span("2026Q2")
    assert period_containing("annual", D(2026, 5, 9)) == Span(
        "2026", D(2026, 1, 1), D(2026, 12, 31)
    )
    with pytest.raises(ValueError, match="one_time"):
        period_containing(Frequency.ONE_TIME, D(2026, 5, 9))
    assert [s.label for s in calendar_periods("monthly", D(2026, 1, 31), D(2026, 3, 1))] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert (epoch_day(D(1970, 1, 2)), from_epoch_day(20_156)) == (1, D(2025, 3, 9))
    assert add_years(D(2024, 2, 29), 1) == D(2025, 2, 28)


months = st.integers(min_value=1900 * 12, max_value=2099 * 12 + 11)


@given(months, st.integers(min_value=0, max_value=119))
def test_a_period_is_its_days_and_its_prior_touches_it(first: int, extra: int) -> None:
    period = Period(first, first + extra)
    assert period.day_after == period.last_day + dt.timedelta(days=1)
    assert period.start in period and period.last_day in period
    assert period.day_after not in period
    assert (period.start - dt.timedelta(days=1)) not in period
    assert len(period.month_starts()) == period.months == extra + 1
    prior = period.prior()
    assert prior.months == period.months and prior.day_after == period.start
    assert period.year_before().start == add_years(period.start, -1)


@given(months, st.sampled_from(list(PeriodKind)))
def test_every_code_reads_back_as_the_same_period(last: int, kind: PeriodKind) -> None:
    period = period_of_kind(kind, last)
    assert parse_period(period.code) == period
    assert month_start(last) in period and month_end(last) in period


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31)))
def test_the_calendar_period_holding_a_day_holds_it(day: dt.date) -> None:
    for kind in (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL):
        span = period_containing(kind, day)
        assert span.contains(day) and span.first.day == 1
        assert parse_span(span.label) == span
    assert from_epoch_day(epoch_day(day)) == day
