"""Every penalty structure, worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from clientdesk.guarantees.library import ANTHEM_ABANDONMENT_TIERS, ANTHEM_ASA_TIERS
from clientdesk.guarantees.penalties import (
    PenaltyTerms,
    amount_at_risk,
    monthly_fees,
    months_in,
    penalty,
    reconcile,
    reported,
    tiers_from_json,
)

ASA = PenaltyTerms("<=", D("30"), "tiers", tiers_from_json(ANTHEM_ASA_TIERS), decimals=0)
ABANDON = PenaltyTerms("<=", D("3.00"), "tiers", tiers_from_json(ANTHEM_ABANDONMENT_TIERS))


def test_reported_values_round_half_up() -> None:
    assert reported(30.5, 0) == D("31")
    assert reported(30.49, 0) == D("30")
    assert reported(3.405, 2) == D("3.41")
    assert reported(99.995, 2) == D("100.00")


@pytest.mark.parametrize(
    ("seconds", "pct"),
    [
        (30, "0"),
        (31, "25"),
        (33, "25"),
        (34, "50"),
        (36, "50"),
        (37, "75"),
        (39, "75"),
        (40, "100"),
        (95, "100"),
    ],
)
def test_anthem_asa_tiers(seconds: int, pct: str) -> None:
    """§1.6: <= 30 s none; 31-33 s 25 %; 34-36 s 50 %; 37-39 s 75 %; >= 40 s 100 %."""
    result = penalty(D(seconds), ASA, D("20000.00"))
    assert result.pct == D(pct)
    assert result.amount == D("20000.00") * D(pct) / 100
    assert result.met is (seconds <= 30)


@pytest.mark.parametrize(
    ("rate", "pct"),
    [
        ("3.00", "0"),
        ("3.01", "25"),
        ("3.40", "25"),
        ("3.41", "50"),
        ("3.70", "50"),
        ("3.71", "75"),
        ("3.99", "75"),
        ("4.00", "100"),
    ],
)
def test_anthem_abandonment_tiers(rate: str, pct: str) -> None:
    assert penalty(D(rate), ABANDON, D("8000.00")).amount == D("80.00") * D(pct)


def test_tiers_on_an_at_least_metric() -> None:
    """Score-based refund (§1.6): 90-94 25 %, 85-89 50 %, 80-84 75 %, < 80 100 %."""
    tiers = tiers_from_json(
        [
            {"at": "94", "pct": "25"},
            {"at": "89", "pct": "50"},
            {"at": "84", "pct": "75"},
            {"at": "79.99", "pct": "100"},
        ]
    )
    terms = PenaltyTerms(">=", D("95"), "tiers", tiers)
    assert penalty(D("95"), terms, D("1000")).amount == 0
    assert penalty(D("94.5"), terms, D("1000")).amount == 0  # missed, but no tier reached
    assert penalty(D("92"), terms, D("1000")).amount == D("250.00")
    assert penalty(D("85"), terms, D("1000")).amount == D("500.00")
    assert penalty(D("79"), terms, D("1000")).amount == D("1000.00")


def test_all_or_nothing() -> None:
    terms = PenaltyTerms(">=", D("75"), "all_or_nothing")
    assert penalty(D("75"), terms, D("5000")).amount == 0
    missed = penalty(D("74.99"), terms, D("5000"))
    assert (missed.met, missed.pct, missed.amount) == (False, D(100), D("5000.00"))


def test_per_point_of_shortfall_and_its_cap() -> None:
    """$5,000 per percentage point below 99 % (§1.6), prorated, never above the amount at
    risk when one is set."""
    terms = PenaltyTerms(">=", D("99"), "per_point", per_point_amount=D("5000"))
    assert penalty(D("98.5"), terms, D("10000")).amount == D("2500.00")  # 0.5 pt
    assert penalty(D("97"), terms, D("10000")).amount == D("10000.00")  # 2 pt = the cap
    assert penalty(D("95.56"), terms, D("10000")).amount == D("10000.00")  # 3.44 pt, capped
    assert penalty(D("97"), terms, D("0")).amount == D("10000.00")  # no cap set
    asa = PenaltyTerms("<=", D("30"), "per_point", per_point_amount=D("100"), decimals=0)
    assert penalty(D("42"), asa, D("5000")).amount == D("1200.00")  # 12 s x $100


def test_amounts_at_risk() -> None:
    quarter = months_in(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert quarter == 3
    aso: dict[str, Any] = {"employees": 1200, "members": 2900, "admin_fee_pepm": D("38.50")}
    # 1 % of the quarter's admin fees: $38.50 x 1,200 employees x 3 months x 1 %.
    assert amount_at_risk("pct_of_admin_fees", D("1"), months=quarter, **aso) == D("1386.00")
    # PEPM x employees: $0.50 x 1,200 x 3 months.
    assert amount_at_risk("pepm", D("0.50"), months=quarter, **aso) == D("1800.00")
    assert amount_at_risk("fixed", D("7500"), months=quarter, **aso) == D("7500.00")
    # Fully insured, % of premium: 0.5 % x $600 PMPM x 2,900 members x 1 month.
    insured: dict[str, Any] = {"employees": 1200, "members": 2900, "premium_pmpm": D("600")}
    assert amount_at_risk("pct_of_premium", D("0.5"), months=D(1), **insured) == D("8700.00")
    # The basis is the contract's word: a % of fees the contract has no rate for is an error.
    with pytest.raises(ValueError, match="no admin fee"):
        amount_at_risk("pct_of_admin_fees", D("1"), months=quarter, **insured)
    with pytest.raises(ValueError, match="no premium"):
        amount_at_risk("pct_of_premium", D("1"), months=quarter, **aso)
    # The pool's fees (GuaranteeTerms.pool_pct_of_fees): admin fees, or premium if insured.
    assert monthly_fees(
        admin_fee_pepm=D("38.50"), premium_pmpm=None, employees=1200, members=2900
    ) == D("46200.00")
    assert monthly_fees(
        admin_fee_pepm=None, premium_pmpm=D("600"), employees=1200, members=2900
    ) == D("1740000")


def test_months_count_partial_months_by_days() -> None:
    assert months_in(dt.date(2025, 5, 1), dt.date(2025, 6, 30)) == 2
    assert months_in(dt.date(2025, 2, 15), dt.date(2025, 2, 28)) == D("0.5")  # 14 of 28 days
    assert months_in(dt.date(2025, 1, 17), dt.date(2025, 3, 31)) == D("2.4839")  # 15/31 + 2
    assert months_in(dt.date(2025, 3, 1), dt.date(2025, 2, 1)) == 0


def test_reconciliation_caps() -> None:
    # No caps: what the schedules said.
    assert reconcile({1: D("3750"), 2: D("1386")}, pool=None, max_share_pct=None) == {
        1: D("3750.00"),
        2: D("1386.00"),
    }
    # Pool $8,316 (1.5 % of a year's fees of 554,400), at most 20 % of it = $1,663.20 each.
    owed = reconcile({1: D("3750"), 2: D("1386"), 3: D("0")}, pool=D("8316"), max_share_pct=D("20"))
    assert owed == {1: D("1663.20"), 2: D("1386.00"), 3: D("0.00")}
    # The pool binds: 3,000 + 2,000 + 1,000 = 6,000 owed into a pool of 1,000, scaled by 1/6.
    owed = reconcile({1: D("3000"), 2: D("2000"), 3: D("1000")}, pool=D("1000"), max_share_pct=None)
    assert owed == {1: D("500.00"), 2: D("333.33"), 3: D("166.67")}
    assert sum(owed.values()) == D("1000.00")
    # Rounding cents go to the largest amount so the total is exactly the pool.
    owed = reconcile({1: D("1"), 2: D("1"), 3: D("1")}, pool=D("1"), max_share_pct=None)
    assert sum(owed.values()) == D("1.00") and owed[1] == D("0.34")


@pytest.mark.parametrize(
    "terms",
    [
        ASA,
        ABANDON,
        PenaltyTerms(">=", D("99"), "per_point", per_point_amount=D("5000")),
        PenaltyTerms(">=", D("75"), "all_or_nothing"),
    ],
    ids=["asa-tiers", "abandonment-tiers", "per-point", "all-or-nothing"],
)
def test_the_forecasts_vector_form_agrees_with_the_schedule(terms: PenaltyTerms) -> None:
    """The forecast judges 2,000 runs at once; each must owe what `penalty` says."""
    import numpy as np

    from clientdesk.guarantees.penalties import penalty_vector

    values = np.round(np.arange(0, 10_000) / 100, 2)  # 0.00 to 99.99
    missed, owed = penalty_vector(values, terms, D("7777.77"))
    for value, miss, amount in zip(values[::7], missed[::7], owed[::7], strict=True):
        expected = penalty(D(repr(float(value))), terms, D("7777.77"))
        assert (bool(miss), D(repr(float(amount))).quantize(D("0.01"))) == (
            not expected.met,
            expected.amount,
        )
