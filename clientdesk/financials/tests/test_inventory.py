"""The pended-claims inventory and open admissions, reserved apart from the triangle
(backtest.estimate_with_inventory), on claims computed by hand. Valued on 2025-02-28.

    claim  incurred  received  finalized  paid     paid $  charge  family
    a      Jan       Jan 10    Jan 12     Jan 14   100     200     office
    b      Jan       Feb 5     Feb 6      Feb 8     50     100     office
    c      Feb       Feb 10    Feb 11     Feb 13    80     160     office
    d      Feb       Feb 25    Feb 27     Mar 3     40      90     office   finalized, unpaid
    e      Feb       Feb 26    Mar 5      Mar 8     30     100     office   pended
    f      Jan       Mar 10    Mar 12     Mar 15    20      50     office   not received

Paid-to-charge ratio of office lines finalized in the 91 days to Feb 28: (100 + 50 + 80 + 40) /
(200 + 100 + 160 + 90) = 270 / 550; e is valued 100 x 270/550 = 49.0909.
Reported triangle by received month: Jan 100 | 50; Feb 80 + 40 + 49.0909 = 169.0909.
Link ratio 150 / 100 = 1.5: Feb's ultimate 169.0909 x 1.5 = 253.6364, Jan's 150.
Paid to date: Jan 150, Feb 80, so IBNR = 0 + 173.6364 = finalized 40 + pended 49.0909 + not
yet received 84.5455.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pytest

from clientdesk.financials.backtest import EPOCH, ReportedRows, estimate_with_inventory
from clientdesk.financials.chain_ladder import (
    MONTH,
    REPORTED,
    chain_ladder,
    lag_table_from_cells,
    with_paid_to_date,
)

JAN, FEB = 2025 * 12, 2025 * 12 + 1
AS_OF = dt.date(2025, 2, 28)


def day(month: int, d: int) -> int:
    return int((np.datetime64(dt.date(2025, month, d), "D") - EPOCH).astype(np.int64))


def rows(extra: Sequence[tuple[int, ...]] = ()) -> ReportedRows:
    # (incurred, received, finalized, paid, amount, charge, family, admitted, claim, first)
    lines = [
        (JAN, day(1, 10), day(1, 12), day(1, 14), 100, 200, 0, -1, 0, 1),
        (JAN, day(2, 5), day(2, 6), day(2, 8), 50, 100, 0, -1, 1, 1),
        (FEB, day(2, 10), day(2, 11), day(2, 13), 80, 160, 0, -1, 2, 1),
        (FEB, day(2, 25), day(2, 27), day(3, 3), 40, 90, 0, -1, 3, 1),
        (FEB, day(2, 26), day(3, 5), day(3, 8), 30, 100, 0, -1, 4, 1),
        (JAN, day(3, 10), day(3, 12), day(3, 15), 20, 50, 0, -1, 5, 1),
        *extra,
    ]
    a = np.array(lines, dtype=np.float64)
    ints = a.astype(np.int64)
    return ReportedRows(
        incurred_month=ints[:, 0],
        received_day=ints[:, 1],
        finalized_day=ints[:, 2],
        paid_day=ints[:, 3],
        amount=a[:, 4],
        charge=a[:, 5],
        family=ints[:, 6],
        reversal=np.zeros(len(lines), dtype=bool),
        facility=ints[:, 6] == 1,
        admitted_day=ints[:, 7],
        claim=ints[:, 8],
        first_line=ints[:, 9] == 1,
    )


def test_the_inventory_is_valued_claim_by_claim_and_the_rest_developed() -> None:
    found = estimate_with_inventory(rows(), AS_OF, None)
    assert found.ratios == {0: pytest.approx(270 / 550)}
    assert found.paid == pytest.approx(230)
    assert found.finalized_unpaid == pytest.approx(40)
    assert found.pended == pytest.approx(100 * 270 / 550)  # 49.0909
    estimate = found.estimate
    assert estimate.basis == REPORTED
    assert estimate.factors.link == pytest.approx((1.5,))
    jan, feb = estimate.origins
    assert (jan.paid, jan.reported, jan.ultimate) == pytest.approx((150, 150, 150))
    reported_feb = 80 + 40 + 100 * 270 / 550
    assert (feb.paid, feb.reported) == pytest.approx((80, reported_feb))
    assert feb.ultimate == pytest.approx(reported_feb * 1.5)  # 253.6364
    assert found.ibnr_total == pytest.approx(reported_feb * 1.5 - 80)  # 173.6364
    assert found.unreported == pytest.approx(reported_feb * 1.5 + 150 - 230 - reported_feb + 80)
    assert "reported claims" in estimate.method() and "received periods" in estimate.method()
    assert feb.as_dict()["inventory"] == pytest.approx(reported_feb - 80, abs=0.01)


def test_an_open_admission_is_reserved_from_the_day_its_doctors_billed() -> None:
    # Facility claims (family 1): h, admitted Jan 3 (known from the attending's bill), billed
    # Jan 20, paid Jan 24, two lines 400 + 200 = 600. g, admitted Feb 20, the hospital's bill
    # only on Mar 20 (paid Mar 25, 1,000): open on Feb 28, reserved at the mean settled claim
    # (fewer than CASE_BASIS settled: all of them) = 600, counted in Feb from Feb 20.
    extra = [
        (JAN, day(1, 20), day(1, 22), day(1, 24), 400, 800, 1, day(1, 3), 6, 1),
        (JAN, day(1, 20), day(1, 22), day(1, 24), 200, 300, 1, day(1, 3), 6, 0),
        (FEB, day(3, 20), day(3, 22), day(3, 25), 1000, 2000, 1, day(2, 20), 7, 1),
    ]
    found = estimate_with_inventory(rows(extra), AS_OF, None, open_cases=True)
    assert found.open_admissions == 1
    assert found.open_reserve == pytest.approx(600)
    # Reported: Jan 100 + 600 | 50; Feb 169.0909 + 600. Link (750 / 700).
    reported_feb = 80 + 40 + 100 * 270 / 550 + 600
    jan, feb = found.estimate.origins
    assert found.estimate.factors.link == pytest.approx((750 / 700,))
    assert feb.ultimate == pytest.approx(reported_feb * 750 / 700)
    assert (jan.paid, feb.paid) == pytest.approx((750, 80))
    # Without open cases g is simply not received: not reserved, h counts when billed.
    plain = estimate_with_inventory(rows(extra), AS_OF, None)
    assert plain.open_admissions == 0 and plain.open_reserve == 0


def test_with_paid_to_date_keeps_the_ultimate_and_moves_the_inventory_into_ibnr() -> None:
    table = lag_table_from_cells(MONTH, {(JAN, JAN): 100, (JAN, FEB): 50, (FEB, FEB): 120})
    estimate = with_paid_to_date(chain_ladder(table), {"2025-01": 150, "2025-02": 90})
    _jan, feb = estimate.origins
    assert feb.reported == pytest.approx(120) and feb.paid == pytest.approx(90)
    assert feb.ultimate == pytest.approx(180)  # 120 x 1.5
    assert feb.ibnr == pytest.approx(90)  # 30 in the inventory + 60 not yet received
    assert estimate.ibnr_total == pytest.approx(90)
    assert estimate.as_dict()["basis"] == REPORTED
