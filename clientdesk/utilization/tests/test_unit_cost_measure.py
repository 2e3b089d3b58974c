"""The drug unit-cost trend (utilization/measures.py): the same drug at the same days' supply
followed over time, each drug and supply pair compared with itself only."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import PHARMACY_CLAIM
from clientdesk.lake.tests.lakefiles import pharmacy_row, write_csv
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.testing import Cast
from clientdesk.utilization.measures import drug_unit_cost_trend

AS_OF = dt.date(2026, 6, 30)
DRUG_A, DRUG_B, DRUG_C, DRUG_D, DRUG_E = (f"0009371531{k}" for k in range(5))


def _fill(
    n: int, group: str, ndc: str, supply: int, day: dt.date, allowed: float
) -> dict[str, Any]:
    return pharmacy_row(
        claim_id=f"RX{n}",
        member_id="M1",
        group_id=group,
        ndc_code=ndc,
        days_supply=str(supply),
        quantity=str(supply),
        dispensing_date=day.isoformat(),
        paid_date=day.isoformat(),
        allowed_amount=f"{allowed:.2f}",
        paid_amount=f"{allowed:.2f}",
        copayment_amount="0.00",
    )


def _load(folder: Path, rows: list[dict[str, Any]]) -> None:
    columns = [*(c.name for c in PHARMACY_CLAIM.columns if not c.extension), "group_id"]
    done = ingest_files(
        "pharmacy_claim", [write_csv(folder / "rx.csv", rows, columns)], acting_user=None
    )
    assert done[0].rows_rejected == 0, done[0].rejects_file


@pytest.mark.django_db
def test_each_drug_and_supply_pair_is_compared_with_itself(cast: Cast, tmp_path: Path) -> None:
    """Acme: a cheap drug at 30 days and a dear one at 90 days, each 10 % dearer a year later,
    and the dear one filled more often in the later year (a mix shift a PMPM would read as
    a rise). Pooled within pairs the slope is ln 1.1 over 365 days (a year of 365.25 days;
    the ten days within each year's fills add a little to sxx and nothing to sxy): +10.0 %
    to one decimal. Bayside: one pair flat, one falling 10 % in 365 days."""
    ago = AS_OF - dt.timedelta(days=365)
    rows = []
    n = 0
    for k in range(10):  # 10 fills a day apart in each year, per pair
        for ndc, supply, price, later_fills in ((DRUG_A, 30, 20.0, 1), (DRUG_B, 90, 600.0, 3)):
            for _ in range(later_fills):
                n += 1
                rows.append(
                    _fill(n, "G100001", ndc, supply, AS_OF - dt.timedelta(days=k), price * 1.1)
                )
            n += 1
            rows.append(_fill(n, "G100001", ndc, supply, ago - dt.timedelta(days=k), price))
    for k in range(10):
        for ndc, before, after in ((DRUG_C, 50.0, 50.0), (DRUG_D, 100.0, 90.0)):
            n += 1
            rows.append(_fill(n, "G100002", ndc, 30, AS_OF - dt.timedelta(days=k), after))
            n += 1
            rows.append(_fill(n, "G100002", ndc, 30, ago - dt.timedelta(days=k), before))
    # Left out: a fill after the day, one more than 24 months before, one with nothing allowed,
    # and a pair filled once (nothing to compare it with).
    rows.append(_fill(900, "G100001", DRUG_A, 30, AS_OF + dt.timedelta(days=1), 99.0))
    rows.append(_fill(901, "G100001", DRUG_A, 30, AS_OF - dt.timedelta(days=730), 1.0))
    rows.append(_fill(902, "G100001", DRUG_A, 30, AS_OF - dt.timedelta(days=3), 0.0))
    rows.append(_fill(903, "G100001", DRUG_E, 30, AS_OF - dt.timedelta(days=3), 5.0))
    _load(tmp_path, rows)
    acme, bayside = cast.acme.pk, cast.bayside.pk

    got = drug_unit_cost_trend([acme, bayside], AS_OF)

    assert got[acme].value == 10.0
    assert got[acme].detail == (
        "the same drug at the same days' supply +10.0 % a year "
        "(60 fills of 2 drug and supply pairs, 24 months)"
    )
    # Bayside: both pairs have the same dates (10 days x 2 years), so the same sxx; C adds
    # no sxy: the pooled slope is half of D's, about ln 0.9 / 2 a year, e^slope - 1 = -5.1 %.
    assert got[bayside].value == round(math.expm1(math.log(0.9) / 2) * 100, 1) == -5.1
    assert ACCOUNT_MEASURES.get("drug_unit_cost_trend") is not None


@pytest.mark.django_db
def test_too_few_fills_give_no_figure(cast: Cast, tmp_path: Path) -> None:
    """29 fills in pairs filled twice or more: no figure (one more and there is)."""
    ago = AS_OF - dt.timedelta(days=365)
    rows = [
        _fill(k, "G100001", DRUG_A, 30, ago + dt.timedelta(days=12 * k), 20.0) for k in range(29)
    ]
    _load(tmp_path, rows)
    assert drug_unit_cost_trend([cast.acme.pk], AS_OF) == {}

    _load(tmp_path, [_fill(99, "G100001", DRUG_A, 30, AS_OF, 20.0)])
    assert drug_unit_cost_trend([cast.acme.pk], AS_OF)[cast.acme.pk].value == 0.0
