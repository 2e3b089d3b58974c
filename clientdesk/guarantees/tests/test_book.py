"""On a small generated book: exactly the misses ground_truth.json lists are found.

The book (12 accounts, 6,000 members, 2025) is generated once for the module; each test loads
its sponsors, the contracts' guarantees (book.json, through `load_book_guarantees`) and the
four operational feeds through ingestion, then evaluates every account from the lake.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from clientdesk.accounts.models import Account
from clientdesk.guarantees.book_import import load_book_guarantees
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.lake.ingestion import ingest_files
from clientdesk.synth.generator import SynthParams, generate_book
from clientdesk.synth.loading import load_sponsors

SMALL = SynthParams(accounts=12, members=6_000, months=12, start=dt.date(2025, 1, 1), seed=11)
FEEDS = ("call_record", "ivr_session", "claim_processing", "survey_response")
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("guarantee_book")
    generate_book(SMALL, out)
    return out


def load(book: Path) -> dict[str, object]:
    doc = json.loads((book / "book.json").read_text())
    load_sponsors(doc, acting_user=None)
    created = load_book_guarantees(doc, acting_user=None)
    for table in FEEDS:
        ingest_files(table, sorted((book / table).glob("*.parquet")), acting_user=None)
    return {"doc": doc, "created": created}


@pytest.mark.django_db
def test_exactly_the_ground_truth_misses_are_found(book: Path) -> None:
    loaded = load(book)
    doc = loaded["doc"]
    assert isinstance(doc, dict)
    expected_guarantees = sum(len(c["guarantees"]) for s in doc["sponsors"] for c in s["contracts"])
    assert loaded["created"] == expected_guarantees == Guarantee.objects.count()
    run_evaluation(list(Account.objects.all()), acting_user=None, today=TODAY)
    truth = json.loads((book / "ground_truth.json").read_text())
    planned = {(m["account"], m["metric"], m["period"]) for m in truth["guarantee_misses"]}
    assert planned, "the small book should carry guarantee misses"
    missed = GuaranteeResult.objects.filter(kind="period", met=False).select_related(
        "guarantee__contract__account"
    )
    found = {(r.guarantee.contract.account.group_number, r.guarantee.metric, r.period_label)
             for r in missed}  # fmt: skip
    assert found == planned
    # Every miss is a final period of 2025 that owes money; no period without data is judged.
    for r in missed:
        assert r.status == "final" and r.penalty > 0 and r.settles
    assert not GuaranteeResult.objects.filter(status="no_data").exclude(met=None).exists()
    # A reload creates no guarantee twice.
    assert load_book_guarantees(doc, acting_user=None) == 0
