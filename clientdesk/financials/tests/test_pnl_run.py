"""The P&L run end to end on the fixture lake: triangle, IBNR, exposure, fees, margin."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from clientdesk.audit.models import AuditEvent
from clientdesk.financials import queries
from clientdesk.financials.actions import do_store_run, do_update_segment_expense, do_update_terms
from clientdesk.financials.models import IbnrEstimate, PnlMonth
from clientdesk.financials.runs import PNL_JOB, accounts_for_run, compute_run
from clientdesk.financials.tests.fixture import AS_OF, LAKE, lay_down
from clientdesk.financials.tests.test_chain_ladder import ULTIMATES
from clientdesk.lake.gateway import open_lake
from clientdesk.testing import Cast


def run_acme(cast: Cast, immature: int = 0) -> None:
    with open_lake(PNL_JOB, accounts=[cast.acme.pk]) as lake:
        result = compute_run(
            lake, accounts_for_run([cast.acme.pk]), AS_OF, months=4, immature=immature
        )
    do_store_run(result, acting_user=cast.mia)


@pytest.fixture
def lake(cast: Cast, tmp_path: Path) -> Iterator[Cast]:
    lay_down(tmp_path / "files")
    yield cast
    LAKE.keep_derived()


def test_claims_completed_with_the_chain_ladder(lake: Cast) -> None:
    run_acme(lake)
    rows = queries.pnl_rows(lake.acme)
    assert [f"{r.month:%Y-%m}" for r in rows] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    assert [r.paid_claims for r in rows] == [
        Decimal("180.00"),
        Decimal("192.00"),
        Decimal("175.00"),
        Decimal("130.00"),
    ]
    assert [float(r.completed_claims) for r in rows] == pytest.approx(ULTIMATES, abs=0.006)
    assert [r.member_months for r in rows] == [2, 2, 1, 1]
    assert [r.subscriber_months for r in rows] == [1, 1, 1, 1]
    estimate = IbnrEstimate.objects.get(account=lake.acme)
    assert estimate.detail["factors"][0]["link_ratio"] == 1.5
    assert "chain ladder" in estimate.method
    assert float(estimate.ibnr_total) == pytest.approx(sum(ULTIMATES) - 677, abs=0.01)


def test_aso_revenue_and_costs(lake: Cast) -> None:
    run_acme(lake)
    april = queries.pnl_rows(lake.acme)[-1]
    # $38.50 PEPM x 1 subscriber; admin expense default $28 PEPM x 1; claims are the sponsor's.
    assert april.admin_fees == Decimal("38.50")
    assert april.admin_expense == Decimal("28.00")
    assert april.revenue == Decimal("38.50")
    assert april.costs == Decimal("28.00")
    assert april.margin == Decimal("10.50")
    t = queries.total(queries.pnl_rows(lake.acme))
    assert t.margin == Decimal("42.00")
    assert t.margin_pct == pytest.approx(42 / 154 * 100)


def test_assumptions_change_the_next_run_and_are_audited(lake: Cast) -> None:
    do_update_segment_expense(
        "commercial",
        {"admin_pepm": Decimal("30"), "admin_pmpm": Decimal("2")},
        acting_user=lake.ada,
    )
    do_update_terms(lake.acme, {"vendor_pepm": Decimal("1.50")}, acting_user=lake.mia)
    run_acme(lake)
    january = queries.pnl_rows(lake.acme)[0]
    assert january.admin_expense == Decimal("34.00")  # 30 x 1 subscriber + 2 x 2 members
    assert january.vendor == Decimal("1.50")
    assert january.margin == Decimal("3.00")  # 38.50 - 34 - 1.50
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "financials.segment_expense_update",
        "financials.terms_update",
        "financials.pnl_run",
    } <= actions


def test_newest_month_blended_with_its_pmpm(lake: Cast) -> None:
    run_acme(lake, immature=1)
    april = queries.pnl_rows(lake.acme)[-1]
    # Jan-Mar ultimate, each trended at 8.5 % a year to April (3, 2 and 1 months on), over
    # 2 + 2 + 1 member months
    pmpm = sum(u * 1.085 ** (k / 12) for u, k in zip(ULTIMATES[:3], (3, 2, 1), strict=True)) / 5
    completion = 17 / 30.54375
    assert april.ibnr_method == "pmpm_blend"
    assert float(april.completed_claims) == pytest.approx(
        130 + (1 - completion) * pmpm * 1, abs=0.006
    )
    detail = IbnrEstimate.objects.get(account=lake.acme).detail
    assert detail["pmpm_trend_pct"] == 8.5
    assert "trended at 8.5 % a year" in detail["method"]


def test_cli_pnl_stores_and_prints(lake: Cast) -> None:
    args = ["pnl", "--as-of", "2025-04-30", "--months", "4", "--immature", "0", "--format", "json"]
    out = io.StringIO()
    call_command("financials", *args, "--account", "G100001", stdout=out)
    data = json.loads(out.getvalue())
    [acme] = data["accounts"]
    assert Decimal(acme["margin"]) == Decimal("42.00")
    assert data["ibnr_total"] == pytest.approx(sum(ULTIMATES) - 677, abs=0.01)
    assert not PnlMonth.objects.filter(account=lake.bayside).exists()
    call_command("financials", *args, stdout=io.StringIO())
    assert PnlMonth.objects.filter(account=lake.bayside).exists()  # every account by default


def test_stop_loss_claims_above_the_specific_deductible(lake: Cast) -> None:
    """P1's paid by incurred month 180, 192, 175, 130: cumulative in the policy year (from the
    contract's January start) 180, 372, 547, 677; above a $300 specific deductible the
    months add 0, 72, 175, 130. Stop-loss premium $10 PEPM x 1 subscriber."""
    from clientdesk.accounts.models import Contract

    Contract.objects.filter(pk=lake.acme_contract.pk).update(products=["medical", "stop_loss"])
    do_update_terms(
        lake.acme,
        {"stop_loss_deductible": Decimal("300"), "stop_loss_premium_pepm": Decimal("10")},
        acting_user=lake.mia,
    )
    run_acme(lake)
    rows = queries.pnl_rows(lake.acme)
    assert [r.stop_loss_claims for r in rows] == [
        Decimal("0"),
        Decimal("72.00"),
        Decimal("175.00"),
        Decimal("130.00"),
    ]
    assert rows[-1].stop_loss_premium == Decimal("10.00")
    assert rows[-1].margin == Decimal("-109.50")  # 38.50 + 10 - 28 - 130


def test_a_line_sent_twice_counts_once(lake: Cast) -> None:
    from clientdesk.financials import marts

    with open_lake(PNL_JOB, accounts=[lake.acme.pk]) as lake_:
        read = lake_.execute(marts.mart_lag_cells(marts.payments(lake_, AS_OF, 0)))
        raw = marts.stg_payments(lake_.medical_claim, lake_.pharmacy_claim, AS_OF, versions=False)
        naive = lake_.execute(marts.mart_lag_cells(raw))
    assert read["paid"].sum() == 677
    assert naive["paid"].sum() == 677 + 130  # what ordering the versions prevents


def test_triangles_by_segment_each_with_its_own_factors(lake: Cast) -> None:
    def triangle(*args: str) -> str:
        out = io.StringIO()
        call_command("financials", "triangle", "--as-of", "2025-04-30", "--months", "4",
                     "--immature", "0", *args, stdout=out)  # fmt: skip
        return out.getvalue()

    data = json.loads(triangle("--by", "segment", "--format", "json"))
    assert data["by"] == "segment"
    commercial, labor = data["groups"]
    # Acme (commercial): the hand-computed triangle of test_chain_ladder, its own factors.
    assert (commercial["group"], commercial["accounts"]) == ("Commercial employer", 1)
    assert [r["paid_by_lag"] for r in commercial["triangle"]] == [
        [100, 50, 20, 10],
        [110, 60, 22],
        [120, 55],
        [130],
    ]
    assert commercial["estimate"]["factors"][0]["link_ratio"] == 1.5
    assert commercial["estimate"]["ibnr_total"] == pytest.approx(sum(ULTIMATES) - 677, abs=0.01)
    # Bayside (labor fund): March's $5,000 claim and $12.50 fill, paid in March; nothing later.
    assert (labor["group"], labor["accounts"]) == ("Labor (Taft-Hartley) fund", 1)
    assert [r["paid_by_lag"] for r in labor["triangle"]] == [[5012.5, 0.0], [0.0]]
    assert labor["estimate"]["ibnr_total"] == 0
    # The book: one triangle of both accounts.
    (book,) = json.loads(triangle("--by", "book", "--format", "json"))["groups"]
    assert book["accounts"] == 2 and book["estimate"]["paid_total"] == 677 + 5012.5
    # Text: each group with its method and totals.
    text = triangle("--by", "funding")
    assert text.startswith("ASO (self-funded) (2 accounts), as of 2025-04-30: chain ladder")
    assert "total paid 5,689.50" in text
    # ... and the range stated with it (chain_ladder.stated_range), as the JSON has it.
    (aso,) = json.loads(triangle("--by", "funding", "--format", "json"))["groups"]
    shown = aso["estimate"]["range"]
    assert f"90 % range {shown['low']:,.2f} to {shown['high']:,.2f}" in text
    assert shown["low"] < aso["estimate"]["ibnr_total"] < shown["high"]
