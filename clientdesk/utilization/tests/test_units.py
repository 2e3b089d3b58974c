"""Pure pieces: periods, exact rounding, the decomposition identity, reference tables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientdesk.lib.periods import PeriodError, parse_period, period_between
from clientdesk.utilization.reference import ICD_CHAPTERS
from clientdesk.utilization.rounding import allocate
from clientdesk.utilization.trend import CategoryUse, decompose


def test_periods_and_their_prior() -> None:
    q = parse_period("2026Q1")
    assert (q.start, q.last_day, q.prior().code) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "2025Q4",
    )
    assert parse_period("2026").prior().code == "2025"
    r = parse_period("R12-2026-03")
    assert (r.start, r.last_day, r.label) == (
        dt.date(2025, 4, 1),
        dt.date(2026, 3, 31),
        "12 months to Mar 2026",
    )
    assert parse_period("2026-02").prior().code == "2026-01"
    assert parse_period("2025-04..2025-08").prior().code == "2024-11..2025-03"
    assert period_between("2025-04", "2025-06").code == "2025Q2"
    with pytest.raises(PeriodError):
        parse_period("2026Q5")


@given(
    st.lists(st.integers(min_value=-(10**7), max_value=10**7), min_size=1, max_size=40),
    st.integers(min_value=1, max_value=10**5),
)
def test_allocated_parts_add_up_to_the_rounded_total(cents: list[int], months: int) -> None:
    parts = [Fraction(c, 100 * months) for c in cents]
    rounded = allocate(parts)
    total = sum(parts, Fraction(0))
    assert sum(rounded, Decimal(0)) == Decimal(total.numerator) / Decimal(
        total.denominator
    ).quantize(Decimal("0.01")) or abs(
        sum(rounded, Decimal(0)) - Decimal(total.numerator) / Decimal(total.denominator)
    ) <= Decimal("0.005")


uses = st.dictionaries(
    st.sampled_from(["ed", "office", "lab", "rx", "ip"]),
    st.builds(
        CategoryUse,
        st.integers(min_value=0, max_value=500),
        st.integers(min_value=0, max_value=10**6),
    ),
)


@given(
    uses, uses, st.integers(min_value=1, max_value=10**4), st.integers(min_value=1, max_value=10**4)
)
def test_decomposition_has_no_residual(
    prior: dict[str, CategoryUse], current: dict[str, CategoryUse], m0: int, m1: int
) -> None:
    prior = {k: v if v.units else CategoryUse(0, 0) for k, v in prior.items()}
    current = {k: v if v.units else CategoryUse(0, 0) for k, v in current.items()}
    d = decompose(prior, current, m0, m1)
    assert d.utilization + d.mix + d.unit_cost == d.change
    for e in d.categories:
        assert e.utilization + e.mix + e.unit_cost == e.change


def test_chapter_ranges_match_the_code_list() -> None:
    import simple_icd_10_cm as icd  # parses its code list on import (~1.6 CPU s)

    for number, low, high, _ in ICD_CHAPTERS:
        assert icd.get_description(number).endswith(f"({low}-{high})")
