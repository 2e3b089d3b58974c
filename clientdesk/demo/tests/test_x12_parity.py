"""A synthetic book written as X12 (834, 837P/I, 835) and loaded from it gives the same
utilization, guarantees and issues as the same book loaded from Parquet.

Both lakes load a copy of the book in which one account's claims of three May weeks were
denied (CARC 27), so there is an issue to find (`with_a_denial_spike`).

The tiny shared book (2 accounts, 100 members, 6 months: the synth tests' `TINY`) is loaded
once from its Parquet parts into one lake and once from its X12 files into another (pharmacy
from Parquet in both). Compared: every account's utilization report
(member months, PMPM by service category, use per 1,000, cost sharing, high-cost claimants,
conditions, trends), every guarantee result the X12 files can carry, and the issues the
detector finds. What an 835 has no element for (pend reason, the payment audit) is named, not
compared; auto-adjudication is checked as what it is from an 835: not stated, so every
original claim is left out of the rate (no value) and counted in the result's evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from clientdesk.accounts.models import Account
from clientdesk.demo.loading import load_sponsors
from clientdesk.guarantees.book_import import load_book_guarantees
from clientdesk.guarantees.evaluation import evaluate
from clientdesk.insights.pipeline import load_panel, run_detection
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.lake.x12.write import write_x12
from clientdesk.lib.periods import parse_period
from clientdesk.synth.params import SynthParams
from clientdesk.synth.testing import BookShelf
from clientdesk.utilization.analysis import Request, account_report, book_report, metric_frames
from clientdesk.utilization.book_benchmark import benchmark_of

pytestmark = pytest.mark.django_db

TINY = SynthParams(accounts=2, members=100, months=6, start=dt.date(2025, 1, 1), seed=5, workers=1)
JOB = SystemActor("x12 parity")
TODAY = dt.date(2025, 7, 20)
CURRENT = parse_period("2025Q2")
PRIOR = CURRENT.prior()
NOT_IN_AN_835 = {"auto_adjudication_rate", "payment_accuracy", "financial_accuracy", "claim_pends"}
"""Guarantee metrics and watched series fed by claim_processing columns no 835 element carries
(auto_adjudicated, the audit sample, pend_reason)."""
UNSTATED = "auto_adjudication_rate"
"""An 835's claims carry no auto-adjudication flag (null): left out of the rate, counted."""
OTHER_FEEDS = ("pharmacy_claim",)
"""Loaded from Parquet into both lakes: the pharmacy joins the members X12 loads. The calls,
IVR, inquiries and surveys would load the same files twice and prove nothing about X12."""


def figures() -> dict[str, Any]:
    """Utilization reports, guarantee results and detected issues of the loaded lake (the
    utilization marts' derived tables built on their first read, as a page builds them)."""
    request = Request(CURRENT, PRIOR, as_of=TODAY)
    frames = metric_frames(JOB, request)
    benchmark = benchmark_of(book_report(JOB, request, frames))
    accounts = list(Account.objects.order_by("group_number"))
    reports = {
        a.group_number: account_report(JOB, a, request, frames=frames, book=benchmark)
        for a in accounts
    }
    evaluated = evaluate(accounts, today=TODAY)
    results = {
        (r.guarantee.contract.account.group_number, r.guarantee.metric, r.period_label): (
            r.status,
            r.numerator,
            r.denominator,
            r.actual,
            r.met,
        )
        for r in evaluated
    }
    # (original claims, of which with no auto-adjudication flag) of each result's evidence
    flags = {
        (r.guarantee.contract.account.group_number, r.guarantee.metric, r.period_label): (
            r.evidence.get("components", {}).get("originals", 0),
            r.evidence.get("components", {}).get("unflagged", 0),
        )
        for r in evaluated
        if r.guarantee.metric == UNSTATED and r.evidence
    }
    with open_lake(JOB) as lake:
        series = load_panel(lake, TODAY, with_themes=False)
    detection = run_detection(series, since=dt.date(2025, 4, 1))
    issues = sorted(
        (i.account_id, i.cause_family, i.cause, i.first_alert, i.last_alert)
        for i in detection.issues
    )
    panel = series.panel
    watched = {
        (k.family, k.account_id, k.dims): (
            tuple(panel.counts[row].tolist()),
            tuple(panel.exposure[row].tolist()),
        )
        for row, k in enumerate(series.keys)
    }
    return {
        "reports": reports,
        "results": results,
        "flags": flags,
        "issues": issues,
        "series": watched,
    }


def with_a_denial_spike(shelf_book: Path, folder: Path) -> tuple[Path, str, int]:
    """A copy of the book where the paid claims of one account (the one with most) finalized
    May 5-25, 2025 were denied with CARC 27 (coverage terminated) instead, so the detector has
    an issue to find (the tiny book has none of its own after April, so "the same issues" was
    0 = 0); returns the copy, the account's group number and how many claims."""
    book = folder / "book"
    shutil.copytree(shelf_book, book)
    table = ds.dataset(book / "claim_processing", format="parquet").to_table()
    finalized = table["finalized_date"].cast("string")
    window = pc.and_(
        pc.and_(pc.greater_equal(finalized, "2025-05-05"), pc.less_equal(finalized, "2025-05-25")),
        pc.and_(pc.equal(table["status"], "paid"), pc.is_valid(table["paid_date"])),
    )
    window = pc.and_(window, pc.equal(table["adjustment_type"], "original"))
    counts = pc.value_counts(pc.filter(table["group_id"], window)).to_pylist()
    busiest = max(counts, key=lambda c: (c["counts"], c["values"]))["values"]
    flip = pc.and_(window, pc.equal(table["group_id"], busiest))

    def where(column: str, value: Any) -> pa.Array:
        return pc.if_else(flip, pa.scalar(value, table[column].type), table[column])

    zero = table["paid_amount"].type
    table = table.set_column(
        table.schema.get_field_index("status"), "status", where("status", "denied")
    )
    table = table.set_column(table.schema.get_field_index("carc"), "carc", where("carc", "27"))
    table = table.set_column(
        table.schema.get_field_index("carc_codes"), "carc_codes", where("carc_codes", "CO-27")
    )
    table = table.set_column(
        table.schema.get_field_index("paid_amount"),
        "paid_amount",
        pc.if_else(flip, pa.scalar(0, zero), table["paid_amount"]),
    )
    shutil.rmtree(book / "claim_processing")
    (book / "claim_processing").mkdir()
    pq.write_table(table, book / "claim_processing" / "part-0.parquet")
    return book, str(busiest), pc.sum(flip.cast("int64")).as_py()


def test_a_book_loaded_from_x12_gives_the_same_figures_as_from_parquet(
    generated_books: BookShelf, tmp_path: Path, settings: Any
) -> None:
    book, group, denied = with_a_denial_spike(generated_books(TINY).path, tmp_path)
    assert denied > 0
    doc = json.loads((book / "book.json").read_text())
    load_sponsors(doc, acting_user=None)
    load_book_guarantees(doc, acting_user=None)

    settings.LAKE_DIR = tmp_path / "parquet-lake"
    for table in ("eligibility", "medical_claim", *OTHER_FEEDS):
        ingest_files(table, sorted((book / table).glob("*.parquet")), acting_user=None)
    # An 835 goes with a payment: the claims in process on the extract date (pended, or
    # adjudicated and waiting for the check run; no paid date) are in the claims system's
    # feed, not in a remittance. Both lakes get the remitted claims.
    processing = ds.dataset(book / "claim_processing", format="parquet").to_table()
    in_process = pc.is_null(processing["paid_date"])
    assert pc.any(in_process).as_py(), "the book's extract should list claims in process"
    remitted = tmp_path / "claim_processing.parquet"
    pq.write_table(processing.filter(pc.invert(in_process)), remitted)
    ingest_files("claim_processing", [remitted], acting_user=None)
    from_parquet = figures()

    settings.LAKE_DIR = tmp_path / "x12-lake"
    written = write_x12(book, tmp_path / "x12")
    # every claim in process is left out of the 835, under one of its two names
    assert (
        written.left_out.get("claims not finalized (not remitted)", 0)
        + written.left_out.get("claims not yet paid (remitted at the check run)", 0)
    ) == pc.sum(in_process.cast("int64")).as_py()
    files = [written.files[k] for k in ("834", "837 professional", "837 institutional", "835")]
    results = ingest_x12(files, acting_user=None, data_source="clientdesk_synth")
    assert all(r.status == "committed" and r.rows_rejected == 0 for r in results), [
        r.message for r in results
    ]
    for table in OTHER_FEEDS:  # the same files again, into this lake
        ingest_files(
            table, sorted((book / table).glob("*.parquet")), acting_user=None, replace=True
        )
    from_x12 = figures()

    assert from_x12["reports"].keys() == from_parquet["reports"].keys()
    for group, report in from_parquet["reports"].items():
        assert from_x12["reports"][group] == report, group
    carried = {k: v for k, v in from_parquet["results"].items() if k[1] not in NOT_IN_AN_835}
    assert carried, "the book's contracts should have guarantees an X12 load can measure"
    assert {k: from_x12["results"][k] for k in carried} == carried
    # Auto-adjudication: the platform's feed flags every claim; from the 835 none is flagged,
    # so each period has the same original claims, all left out, and no rate.
    flagged = from_parquet["flags"]
    assert flagged and any(originals for originals, _ in flagged.values())
    assert all(unflagged == 0 for _, unflagged in flagged.values())
    assert from_x12["flags"] == {k: (originals, originals) for k, (originals, _) in flagged.items()}
    for key in flagged:
        assert from_x12["results"][key] == ("no_data", 0, 0, None, None), key
    watched = {k: v for k, v in from_parquet["series"].items() if k[0] not in NOT_IN_AN_835}
    assert watched, "the detector should watch series an X12 load feeds"
    assert {k: v for k, v in from_x12["series"].items() if k[0] not in NOT_IN_AN_835} == watched
    # the detector finds the injected denials (and the tiny book has no other issue after
    # April): the same issue, account, cause and alert days from the 835s as from Parquet
    spiked = Account.objects.get(group_number=group).pk
    assert [i[:3] for i in from_parquet["issues"]] == [(spiked, "denials", (("carc", "27"),))]
    assert from_x12["issues"] == from_parquet["issues"]
