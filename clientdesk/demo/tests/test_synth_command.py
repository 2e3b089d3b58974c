"""`clientdesk synth --load`: a generated book loaded through ingestion leaves the lake ready to
read, its derived tables built as `ingest --prepare` builds them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from clientdesk.accounts.models import Account
from clientdesk.demo.loading import load_book
from clientdesk.lake.gateway import prepare_derived
from clientdesk.lake.x12.convert import convert
from clientdesk.synth.generator import generate_book
from clientdesk.synth.params import SynthParams

pytestmark = pytest.mark.django_db

TINY = ["--accounts", "2", "--members", "100", "--months", "6", "--start", "2025-01", "--seed", "5"]
DERIVED = [
    "util_member_months",
    "util_medical_lines",
    "util_pharmacy_fills",
    "util_member_month_spend",
    "util_medical_months",
    "util_pharmacy_months",
    "util_condition_months",
    "util_diagnosis_months",
    "util_paid_through",
]
"""The utilization marts' derived tables, in the order `prepare` builds them."""


def test_synth_load_builds_the_derived_tables(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("synth", *TINY, "--out", str(tmp_path / "book"), "--load", stdout=out)
    printed = out.getvalue()

    assert Account.objects.count() == 2
    assert "derived tables: 11 built in" in printed  # utilization's 9 and financials' 2
    assert prepare_derived() == {"financials": [], "utilization": []}  # all current


def test_load_book_without_prepare_leaves_them_to_the_first_read(tmp_path: Path) -> None:
    params = SynthParams(
        accounts=2, members=100, months=6, start=dt.date(2025, 1, 1), seed=5, workers=1
    )
    generate_book(params, tmp_path, progress=False)

    summary = load_book(tmp_path, prepare=False)

    assert "derived_built" not in summary
    assert prepare_derived() == {
        "financials": ["fin_payments", "fin_exposure"],
        "utilization": DERIVED,
    }


def test_synth_x12_writes_the_book_as_834_837_and_835(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("synth", *TINY, "--out", str(tmp_path / "book"), "--x12", stdout=out)
    printed = out.getvalue()

    folder = tmp_path / "book" / "x12"
    names = ["enrollment.834", "professional.837", "institutional.837", "remittance.835"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)
    assert f"X12 in {folder}: {', '.join(names)} (enrollment spans 100," in printed
    # every file reads back whole: one record per span, claim line and remitted claim
    spans = convert(folder / "enrollment.834", tmp_path / "834").report
    assert (spans["rejected"], spans["rows"]) == (0, {"eligibility": 100})
    remits = convert(folder / "remittance.835", tmp_path / "835").report
    assert remits["rejected"] == 0 and remits["accepted_with_errors"] == 0
    assert f"remitted claims {remits['rows']['claim_processing']:,}" in printed
