"""On a small generated book: exactly the misses ground_truth.json lists are found.

The book (12 accounts, 6,000 members, 2025) is generated once for the session (the synth tests'
small book, the same parameters: `generated_books`); each test loads
its sponsors, the contracts' guarantees (book.json, through `load_book_guarantees`) and the
four operational feeds through ingestion, then evaluates every account from the lake.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from clientdesk.accounts.models import Account, ActivityEvent
from clientdesk.audit.models import AuditEvent
from clientdesk.demo.loading import load_sponsors
from clientdesk.guarantees.book_import import load_book_guarantees
from clientdesk.guarantees.models import (
    Guarantee,
    GuaranteeAlert,
    GuaranteeForecast,
    GuaranteeResult,
)
from clientdesk.guarantees.penalties import CENT
from clientdesk.guarantees.runs import run_book, run_evaluation
from clientdesk.lake.ingestion import ingest_files
from clientdesk.synth.generator import SynthParams
from clientdesk.synth.testing import BookShelf
from clientdesk.testing import known

SMALL = SynthParams(accounts=12, members=6_000, months=12, start=dt.date(2025, 1, 1), seed=11)
FEEDS = ("call_record", "ivr_session", "claim_processing", "survey_response")
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def book(generated_books: BookShelf) -> Path:
    return generated_books(SMALL).path


def load(book: Path) -> dict[str, object]:
    doc = json.loads((book / "book.json").read_text())
    load_sponsors(doc, acting_user=None)
    created = load_book_guarantees(doc, acting_user=None)
    loads = {}
    for table in FEEDS:
        results = ingest_files(table, sorted((book / table).glob("*.parquet")), acting_user=None)
        loads[table] = (sum(r.rows_loaded for r in results), sum(r.rows_rejected for r in results))
    return {"doc": doc, "created": created, "loads": loads}


def writes() -> tuple[int, ...]:
    models = (AuditEvent, ActivityEvent, GuaranteeResult, GuaranteeForecast, GuaranteeAlert)
    return tuple(m.objects.count() for m in models)


@pytest.mark.django_db
def test_exactly_the_ground_truth_misses_are_found(book: Path) -> None:
    loaded = load(book)
    doc = loaded["doc"]
    assert isinstance(doc, dict)
    expected_guarantees = sum(len(c["guarantees"]) for s in doc["sponsors"] for c in s["contracts"])
    assert loaded["created"] == expected_guarantees == Guarantee.objects.count()
    # Every record of the generated feeds loads, survey invitations nobody answered included.
    loads = loaded["loads"]
    assert isinstance(loads, dict)
    assert all(rows > 0 and rejected == 0 for rows, rejected in loads.values()), loads
    unanswered = pq.read_table(book / "survey_response", columns=["answered_at"]).column(0)
    assert 0 < unanswered.null_count < len(unanswered)
    run_evaluation(list(Account.objects.all()), acting_user=None, today=TODAY)
    truth = json.loads((book / "ground_truth.json").read_text())
    planned = {(m["account"], m["metric"], m["period"]) for m in truth["guarantee_misses"]}
    assert planned, "the small book should carry guarantee misses"
    missed = GuaranteeResult.objects.filter(kind="period", met=False).select_related(
        "guarantee__contract__account"
    )
    found = {
        (r.guarantee.contract.account.group_number, r.guarantee.metric, r.period_label)
        for r in missed
    }
    assert found == planned
    # Every miss is a final period of 2025 that owes money; no period without data is judged.
    for r in missed:
        assert r.status == "final" and r.penalty > 0 and r.settles
    assert not GuaranteeResult.objects.filter(status="no_data").exclude(met=None).exists()
    # The basis each guarantee states: % of premium on fully insured contracts, of admin fees
    # on ASO ones; a first quarter inside the term puts pct x monthly fees x 3 at risk.
    bases = set()
    for r in GuaranteeResult.objects.filter(kind="period", period_label="2025Q1").select_related(
        "guarantee__contract__account"
    ):
        g, c, a = r.guarantee, r.guarantee.contract, r.guarantee.contract.account
        if g.at_risk_basis == "pct_of_premium":
            assert c.admin_fee_pepm is None
            monthly = known(c.premium_pmpm) * a.members
        else:
            assert (g.at_risk_basis, c.premium_pmpm) == ("pct_of_admin_fees", None)
            monthly = known(c.admin_fee_pepm) * a.employees
        if r.evidence["fees_counted_on"] == ["2025-01-01", "2025-03-31"]:
            bases.add(g.at_risk_basis)
            assert r.amount_at_risk == (g.at_risk_value / 100 * monthly * 3).quantize(CENT)
    assert bases == {"pct_of_premium", "pct_of_admin_fees"}
    # A reload creates no guarantee twice.
    assert load_book_guarantees(doc, acting_user=None) == 0
    # What the demo runs after a load (evaluate, then forecast the open quarter) is
    # idempotent: the second run writes nothing at all.
    as_of = dt.date(2025, 11, 14)
    first, forecasts = run_book(acting_user=None, today=TODAY, as_of=as_of)
    assert (first.created, first.updated) == (0, 0) and forecasts.changed == forecasts.stored > 0
    written = writes()
    again, forecasts = run_book(acting_user=None, today=TODAY, as_of=as_of)
    assert (again.created, again.updated, again.new_misses, forecasts.changed) == (0, 0, 0, 0)
    assert writes() == written
