"""Measurement periods, contract years and due dates (local time: lib/tests/test_local_time.py)."""

from __future__ import annotations

import datetime as dt

from clientdesk.lib.periods import (
    Span,
    contract_year_of,
    contract_years,
    due_dates,
    epoch_day,
    measurement_periods,
    parse_span,
)

D = dt.date


def labels(periods: list) -> list[tuple[str, dt.date, dt.date]]:  # type: ignore[type-arg]
    return [(p.measured.label, p.measured.first, p.measured.last) for p in periods]


def test_a_renewal_settles_the_quarter_that_straddles_it() -> None:
    """Terms May 2024-Apr 2025 and May 2025-Apr 2026, same metric: Q2 2025 (Apr-Jun) is the
    renewal term's, measured whole; the first term ends with Q1 2025."""
    first = Span("C1", D(2024, 5, 1), D(2025, 4, 30))
    second = Span("C2", D(2025, 5, 1), D(2026, 4, 30))
    early = measurement_periods("quarterly", first, later_term_covers=second.contains)
    assert [p.measured.label for p in early] == ["2024Q2", "2024Q3", "2024Q4", "2025Q1"]
    assert early[0].term_part == Span("2024Q2", D(2024, 5, 1), D(2024, 6, 30))
    late = measurement_periods("quarterly", second, later_term_covers=lambda day: False)
    assert labels(late)[0] == ("2025Q2", D(2025, 4, 1), D(2025, 6, 30))
    assert late[0].term_part.first == D(2025, 5, 1)  # fees only from the term's start
    # The last term ends inside 2026Q2 with nothing after it: measured to its end.
    assert labels(late)[-1] == ("2026Q2", D(2026, 4, 1), D(2026, 4, 30))


def test_monthly_annual_and_one_time() -> None:
    term = Span("C", D(2025, 1, 1), D(2025, 12, 31))
    none = lambda day: False  # noqa: E731
    assert len(measurement_periods("monthly", term, later_term_covers=none)) == 12
    assert labels(measurement_periods("annual", term, later_term_covers=none)) == [
        ("2025", D(2025, 1, 1), D(2025, 12, 31))
    ]
    once = Span("one-time", D(2025, 1, 1), D(2025, 2, 15))
    assert labels(measurement_periods("one_time", term, later_term_covers=none, one_time=once)) == [
        ("one-time", D(2025, 1, 1), D(2025, 2, 15))
    ]


def test_contract_years_and_dates_due() -> None:
    term = Span("C", D(2024, 7, 1), D(2026, 3, 31))
    assert [(y.first, y.last) for y in contract_years(term)] == [
        (D(2024, 7, 1), D(2025, 6, 30)),
        (D(2025, 7, 1), D(2026, 3, 31)),
    ]
    assert contract_year_of(term, D(2025, 6, 30)).label == "2024-07-01/2025-06-30"
    dues = due_dates(
        D(2025, 3, 31),
        D(2025, 6, 30),
        report_lag_days=60,
        reconciliation_lag_days=60,
        payment_lag_days=90,
    )
    assert (dues.report, dues.reconciliation, dues.payment) == (
        D(2025, 5, 30),
        D(2025, 8, 29),
        D(2025, 9, 28),
    )
    assert parse_span("2026Q2") == Span("2026Q2", D(2026, 4, 1), D(2026, 6, 30))
    assert epoch_day(D(1970, 1, 2)) == 1
