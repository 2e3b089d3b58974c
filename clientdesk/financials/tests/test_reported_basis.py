"""The P&L's IBNR on the reported basis: claims by the month they were received, the claims in
process on the as-of date valued claim by claim, IBNR = ultimate - cash paid.

The fixture lake (fixture.py: Acme's hand-computed paid triangle) plus a claims-processing feed:
  C2 (incurred Jan, paid Feb 20, 50.00) received Jan 25, finalized Feb 10, charge 100;
  C9 (incurred Mar, paid Apr 20, 55.00) received Mar 20, finalized Apr 15, charge 110;
  X1 (service Apr 5) received Apr 25, adjudicated Apr 28 (40.00 of a 100.00 charge), not paid
     by the as-of date (Apr 30): waiting for the check run;
  X2 (service Mar 15) received Apr 29, pended, charge 200.00;
  X3 (service Apr 1) received May 3: after the as-of date, not known yet.
The other paid claims have no processing row: they count in their paid month (received = paid).

By hand: office-visit claims adjudicated in the 91 days before Apr 30 (after Jan 29): C2, C9,
X1: paid-to-charge ratio (50 + 55 + 40) / (100 + 110 + 100) = 145/310; X2 valued
200 x 145/310 = 93.548387.
Reported triangle (incremental): Jan 150 (100 + C2's 50 received in Jan), 0, 20, 10;
Feb 110, 60, 22; Mar 175 (120 + C9's 55), 93.548387 (X2, received Apr); Apr 170 (130 + X1).
Link ratios: 0-1 (150 + 170 + 268.548387) / (150 + 110 + 175) = 1.352985; 1-2 362/320 =
1.13125; 2-3 180/170 = 1.058824. Ultimates: Jan 180, Feb 203.2941, Mar 321.6657, Apr 275.5015;
cash paid Jan 180, Feb 192, Mar 175, Apr 130 -> IBNR 0, 11.2941, 146.6657, 145.5015 =
303.4613 (the paid basis gave sum(ULTIMATES) - 677 on the same payments).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.demo.loading import load_sponsors
from clientdesk.financials import queries
from clientdesk.financials.backtest import backtest
from clientdesk.financials.models import IbnrEstimate
from clientdesk.financials.runs import PNL_JOB, accounts_for_run, compute_run
from clientdesk.financials.tests.fixture import lay_down
from clientdesk.financials.tests.test_pnl_run import run_acme
from clientdesk.lake.gateway import open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import processing_row, write_csv
from clientdesk.lib.formatting import money
from clientdesk.synth.params import SynthParams
from clientdesk.synth.testing import BookShelf
from clientdesk.testing import Cast

BOOK = SynthParams(
    accounts=2, members=400, months=12, start=dt.date(2025, 1, 1), seed=11, runout_months=6
)
"""test_cli_ibnr's book (shared): run-out, so claims received by Dec 31 are paid later."""

PROCESSING = [
    processing_row(claim_id="C2", original_claim_id="C2", service_family="office_visit",
                   claim_start_date="2025-01-10", received_date="2025-01-25",
                   finalized_date="2025-02-10", paid_date="2025-02-20", charge_amount="100.00",
                   allowed_amount="70.00", paid_amount="50.00"),
    processing_row(claim_id="C9", original_claim_id="C9", service_family="office_visit",
                   claim_start_date="2025-03-10", received_date="2025-03-20",
                   finalized_date="2025-04-15", paid_date="2025-04-20", charge_amount="110.00",
                   allowed_amount="75.00", paid_amount="55.00"),
    processing_row(claim_id="X1", original_claim_id="X1", service_family="office_visit",
                   claim_start_date="2025-04-05", received_date="2025-04-25",
                   finalized_date="2025-04-28", paid_date="", charge_amount="100.00",
                   allowed_amount="60.00", paid_amount="40.00"),
    processing_row(claim_id="X2", original_claim_id="X2", service_family="office_visit",
                   claim_start_date="2025-03-15", received_date="2025-04-29",
                   finalized_date="", paid_date="", status="pended", carc_codes="",
                   auto_adjudicated="false", pend_reason="medical_review",
                   charge_amount="200.00", allowed_amount="", paid_amount=""),
    processing_row(claim_id="X3", original_claim_id="X3", service_family="office_visit",
                   claim_start_date="2025-04-01", received_date="2025-05-03",
                   finalized_date="", paid_date="", status="pended", carc_codes="",
                   auto_adjudicated="false", charge_amount="5000.00", allowed_amount="",
                   paid_amount=""),
]  # fmt: skip


@pytest.fixture
def lake(cast: Cast, tmp_path: Path) -> Cast:
    lay_down(tmp_path / "files")
    results = ingest_files(
        "claim_processing", [write_csv(tmp_path / "files" / "proc.csv", PROCESSING)],
        acting_user=None,
    )  # fmt: skip
    assert results[0].rows_rejected == 0, results[0].rejects_file
    return cast


def test_ibnr_on_the_reported_basis_by_hand(lake: Cast) -> None:
    run_acme(lake)
    rows = queries.pnl_rows(lake.acme)
    # Cash stays cash: what was paid by the as-of date, by incurred month.
    assert [r.paid_claims for r in rows] == [
        Decimal("180.00"),
        Decimal("192.00"),
        Decimal("175.00"),
        Decimal("130.00"),
    ]
    assert [float(r.ibnr) for r in rows] == pytest.approx(
        [0.0, 11.2941, 146.6657, 145.5015], abs=0.006
    )
    estimate = IbnrEstimate.objects.get(account=lake.acme)
    assert float(estimate.ibnr_total) == pytest.approx(303.4613, abs=0.01)
    links = [f["link_ratio"] for f in estimate.detail["factors"][:3]]
    assert links == pytest.approx([1.352985, 1.13125, 1.058824], abs=1e-6)
    assert estimate.method.startswith("reported claims")
    march = next(p for p in estimate.detail["periods"] if p["incurred_period"] == "2025-03")
    # March: 175 paid + X2's 93.55 in process = 268.55 reported, 93.55 of it not yet paid.
    assert march["reported"] == pytest.approx(268.55, abs=0.01)
    assert march["inventory"] == pytest.approx(93.55, abs=0.01)


@pytest.mark.django_db
def test_the_run_on_a_generated_book_is_the_backtests_reported_method(
    generated_books: BookShelf, tmp_path: Path, settings: Any
) -> None:
    """The P&L (Ibis over the lake) and the backtest (numpy over the book's files) are two
    implementations of one method: on a generated book loaded into the lake they give the
    same book IBNR, the claims in process included (the backtest's seeds decided the method;
    this keeps the P&L on it)."""
    book = generated_books(BOOK).path
    load_sponsors(json.loads((book / "book.json").read_text()), acting_user=None)
    settings.LAKE_DIR = tmp_path / "lake"
    for table in ("eligibility", "medical_claim", "pharmacy_claim", "claim_processing"):
        results = ingest_files(table, sorted((book / table).glob("*.parquet")), acting_user=None)
        assert all(r.rows_rejected == 0 for r in results), table
    as_of = dt.date(2025, 12, 31)
    with open_lake(PNL_JOB) as lake:
        run = compute_run(lake, accounts_for_run(), as_of, months=12, immature=0)
    measured = backtest(book, as_of, immature=0)
    assert measured["basis"] == "reported"
    assert run.book.ibnr_total == pytest.approx(measured["estimated_ibnr"], abs=0.05)
    by_month = {m["incurred_period"]: m["estimated_ibnr"] for m in measured["by_month"]}
    assert {o.period: round(o.ibnr, 2) for o in run.book.origins} == pytest.approx(
        by_month, abs=0.05
    )
    assert run.book.basis == "reported"
    inventory = run.book_figures["in_process"]
    assert inventory["adjudicated_unpaid"] == pytest.approx(
        measured["estimated_inventory"]["finalized_unpaid"], abs=0.05
    )
    assert inventory["pended_valued"] == pytest.approx(
        measured["estimated_inventory"]["pended_valued"], abs=0.05
    )
    assert inventory["claims"] > 0
    # The same range stated with both (Mack's sd from the same triangle; the claims in process
    # known in both).
    shown, measured_range = run.book.as_dict()["range"], measured["range"]
    for key in ("low", "high", "sd", "known", "process_sd", "parameter_sd"):
        assert shown[key] == pytest.approx(measured_range[key], abs=0.05), key
    assert shown["known"] == pytest.approx(
        inventory["adjudicated_unpaid"] + inventory["pended_valued"], abs=0.05
    )
    assert shown["low"] < run.book.ibnr_total < shown["high"]


def test_the_ibnr_page_shows_the_claims_in_process(
    lake: Cast, login: Callable[[str], Client]
) -> None:
    run_acme(lake)
    page = login("mia").get(reverse("financials:ibnr", args=[lake.acme.pk])).content.decode()
    assert "Months from incurred to received" in page and "In process" in page
    # March: X2 pended, valued 93.55; April: X1 adjudicated, 40 (whole dollars on the page).
    assert '<td class="num">$94</td>' in page and '<td class="num">$40</td>' in page


def test_the_ibnr_page_states_the_range(lake: Cast, login: Callable[[str], Client]) -> None:
    """The stored estimate carries its range (chain_ladder.stated_range, computed by hand in
    test_chain_ladder) and the page shows it, with each month's standard error."""
    run_acme(lake)
    estimate = IbnrEstimate.objects.get(account=lake.acme)
    shown = estimate.detail["range"]
    assert shown["level"] == 0.9
    # March and April's in-process claims (93.55 + 40.00) are the known part of the IBNR.
    assert shown["known"] == pytest.approx(133.55, abs=0.01)
    assert shown["known"] < shown["low"] < float(estimate.ibnr_total) < shown["high"]
    page = login("mia").get(reverse("financials:ibnr", args=[lake.acme.pk])).content.decode()
    assert "How sure" in page and "four month-ends in five, not nine in ten" in page
    assert f"{money(shown['low'])} to {money(shown['high'])}" in page
    assert "± sd" in page
    april = estimate.detail["sd_by_period"]["2025-04"]
    assert april > 0 and f'<td class="num">{money(april, 0)}</td>' in page
