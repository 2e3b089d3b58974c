"""FHIR R4 (Bundles, NDJSON) into the lake: the same rows and figures as the same book in CSV,
rejects by reason without member values, one idempotent batch per file and table, the CLI."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from clientdesk.lake.fhir import ingest_fhir
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import IngestError, ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.tests.fhirfiles import (
    bundle_resources,
    coverage,
    eob,
    patient,
    professional_item,
    write_bundle,
    write_ndjson,
)
from clientdesk.lake.tests.lakefiles import (
    NPI_A,
    NPI_B,
    eligibility_row,
    medical_row,
    pharmacy_row,
    write_csv,
)
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

ELIGIBILITY = (
    "member_id",
    "person_id",
    "group_id",
    "plan",
    "gender",
    "birth_date",
    "enrollment_start_date",
    "enrollment_end_date",
    "subscriber_relation",
    "state",
)
MEDICAL = (
    "claim_id",
    "claim_line_number",
    "claim_type",
    "member_id",
    "group_id",
    "hcpcs_code",
    "hcpcs_modifier_1",
    "place_of_service_code",
    "bill_type_code",
    "revenue_center_code",
    "claim_line_start_date",
    "diagnosis_code_1",
    "diagnosis_poa_1",
    "rendering_npi",
    "billing_npi",
    "paid_date",
    "paid_amount",
    "allowed_amount",
    "charge_amount",
    "copayment_amount",
    "deductible_amount",
)
PHARMACY = (
    "claim_id",
    "member_id",
    "group_id",
    "ndc_code",
    "quantity",
    "days_supply",
    "dispensing_date",
    "prescribing_provider_npi",
    "paid_amount",
    "allowed_amount",
    "copayment_amount",
)


def lake_rows() -> dict[str, list[tuple[Any, ...]]]:
    """The committed rows of the three tables, as the marts read them."""
    with open_lake(SystemActor("fhir test")) as lake:
        out = {}
        for name, columns in (
            ("eligibility", ELIGIBILITY),
            ("medical_claim", MEDICAL),
            ("pharmacy_claim", PHARMACY),
        ):
            frame = lake.execute(lake.table(name).select(*columns))
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False)
            out[name] = sorted(tuple(str(v) if v is not None else None for v in r) for r in rows)
    return out


def same_book_as_csv(tmp_path: Path) -> None:
    """The rows the bundle of `bundle_resources()` stands for, written as the input layer."""
    common = {"payer": "Keystone", "plan": "PPO", "group_id": "G100003", "data_source": "fhir"}
    spans = [
        eligibility_row(
            member_id="M200",
            person_id="p1",
            subscriber_id="S100",
            gender="female",
            birth_date="1980-03-04",
            enrollment_start_date="2026-01-01",
            enrollment_end_date="",
            subscriber_relation="self",
            state="OH",
            **common,
        ),
        eligibility_row(
            member_id="M201",
            person_id="p2",
            subscriber_id="S100",
            gender="male",
            birth_date="1979-07-01",
            enrollment_start_date="2026-01-01",
            enrollment_end_date="2026-06-30",
            subscriber_relation="spouse",
            state="OH",
            **common,
        ),
    ]
    line = {
        "member_id": "M200",
        "person_id": "p1",
        "claim_type": "professional",
        "claim_start_date": "2026-01-10",
        "claim_end_date": "2026-01-10",
        "claim_line_start_date": "2026-01-10",
        "claim_line_end_date": "2026-01-10",
        "diagnosis_code_1": "E119",
        "diagnosis_code_type": "icd-10-cm",
        "place_of_service_code": "11",
        "rendering_npi": NPI_B,
        "billing_npi": NPI_A,
        "paid_date": "2026-02-01",
    }
    claims = [
        medical_row(
            claim_id="CLM-e1",
            claim_line_number="1",
            hcpcs_code="99213",
            hcpcs_modifier_1="25",
            paid_amount="80",
            allowed_amount="100",
            charge_amount="150",
            copayment_amount="20",
            **line,
            **common,
        ),
        medical_row(
            claim_id="CLM-e1",
            claim_line_number="2",
            hcpcs_code="87070",
            paid_amount="30",
            allowed_amount="30",
            charge_amount="40",
            copayment_amount="",
            **line,
            **common,
        ),
        medical_row(
            claim_id="CLM-e2",
            claim_line_number="1",
            claim_type="institutional",
            member_id="M201",
            person_id="p2",
            hcpcs_code="99284",
            bill_type_code="0131",
            revenue_center_code="0450",
            claim_start_date="2026-02-03",
            claim_end_date="2026-02-03",
            claim_line_start_date="2026-02-03",
            claim_line_end_date="2026-02-03",
            diagnosis_code_1="R079",
            diagnosis_poa_1="Y",
            diagnosis_code_type="icd-10-cm",
            billing_npi=NPI_A,
            paid_date="2026-02-01",
            paid_amount="700",
            allowed_amount="900",
            charge_amount="1200",
            deductible_amount="200",
            copayment_amount="",
            rendering_npi="",
            place_of_service_code="",
            **common,
        ),
    ]
    fills = [
        pharmacy_row(
            claim_id="CLM-e3",
            member_id="M200",
            person_id="p1",
            ndc_code="00093505601",
            quantity="30",
            days_supply="30",
            dispensing_date="2026-01-15",
            prescribing_provider_npi=NPI_B,
            dispensing_provider_npi=NPI_A,
            paid_date="2026-02-01",
            paid_amount="5",
            allowed_amount="15",
            charge_amount="25",
            copayment_amount="10",
            **common,
        ),
    ]
    for table, rows in (
        ("eligibility", spans),
        ("medical_claim", claims),
        ("pharmacy_claim", fills),
    ):
        ingest_files(table, [write_csv(tmp_path / f"{table}.csv", rows)], acting_user=None)


def test_a_bundle_loads_the_same_rows_as_the_same_book_in_csv(
    cast: Cast, tmp_path: Path, settings: Any
) -> None:
    bundle = write_bundle(tmp_path / "book.json", bundle_resources())
    results = ingest_fhir([bundle], acting_user=None, create_accounts=True)
    assert [(r.table, r.status, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("eligibility", "committed", 2, 0),
        ("medical_claim", "committed", 3, 0),
        ("pharmacy_claim", "committed", 1, 0),
    ]
    report = results[0].report
    assert report["resources"] == 9 and report["rejected"] == 0
    assert report["entered_in_error"] == 1  # the voided EOB loads nothing
    assert "1 entered in error, not loaded" in results[0].message
    assert results[1].message.startswith("book.json -> medical_claim: 3 rows loaded, 0 rejected")
    from_fhir = lake_rows()
    # hand-computed: medical paid 80 + 30 + 700, pharmacy 5; allowed 100 + 30 + 900
    medical = from_fhir["medical_claim"]
    assert sum(Decimal(r[MEDICAL.index("paid_amount")]) for r in medical) == Decimal("810")
    assert sum(Decimal(r[MEDICAL.index("allowed_amount")]) for r in medical) == Decimal("1030")
    assert [r[PHARMACY.index("paid_amount")] for r in from_fhir["pharmacy_claim"]] == ["5.00"]
    # the same book as Tuva input-layer CSV, into a second lake
    settings.LAKE_DIR = tmp_path / "csv-lake"
    same_book_as_csv(tmp_path)
    from_csv = lake_rows()
    for table, rows in from_fhir.items():
        assert from_csv[table] == rows, set(from_csv[table]) ^ set(rows)


def test_ndjson_rejects_by_reason_without_member_values(cast: Cast, tmp_path: Path) -> None:
    bad_status = eob(
        "e9", "p1", "c1", "professional", [professional_item(1, "99213", "2026-01-05")]
    )
    bad_status["created"] = "Rivera-secret"
    resources = [
        patient("p1", "M300", "Rivera", "Ana", "1980-03-04", "female"),
        coverage("c1", "p1", "M300", "self", "2026-01-01", None),
        eob(
            "e1",
            "p1",
            "c1",
            "professional",
            [professional_item(1, "99213", "2026-01-05", benefit=60)],
        ),
        eob("e2", "nobody", "c1", "professional", [professional_item(1, "99213", "2026-01-06")]),
        bad_status,
        {"resourceType": "Encounter", "id": "x", "status": "finished"},
        coverage("c2", "ghost", "M301", "self", "2026-01-01", None),
    ]
    path = write_ndjson(tmp_path / "feed.ndjson", resources)
    results = ingest_fhir([path], acting_user=None, create_accounts=True)
    assert [(r.table, r.rows_loaded) for r in results] == [("eligibility", 1), ("medical_claim", 1)]
    report = results[0].report
    assert report["resources"] == 7 and report["rejected"] == 4
    assert report["rejected_by_reason"] == {
        "ExplanationOfBenefit: its patient is not in the file (send Patient and Coverage)": 1,
        "not a valid ExplanationOfBenefit: created: value error": 1,
        "Encounter: not read into the lake": 1,
        "Coverage: its beneficiary Patient is not in the file": 1,
    }
    assert [e["entry"] for e in report["rejected_examples"]] == [4, 5, 6, 7]
    assert "Rivera" not in json.dumps(report)  # no member value in the report
    batch = IngestBatch.objects.get(pk=results[1].batch_id)
    assert batch.source_format == "fhir" and batch.report["rejected"] == 4


def test_a_reload_says_to_replace_and_replace_loads_again(cast: Cast, tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.json", bundle_resources()[:5])  # eligibility only
    first = ingest_fhir([path], acting_user=None, create_accounts=True)
    again = ingest_fhir([path], acting_user=None)
    assert {r.status for r in again} == {"already_loaded"}
    assert all("use --replace" in r.message for r in again)
    replaced = ingest_fhir([path], acting_user=None, replace=True)
    assert [r.replaced_batch_id for r in replaced] == [r.batch_id for r in first]
    assert len(lake_rows()["eligibility"]) == 2  # replaced, not duplicated


def test_files_that_are_not_fhir_are_named(tmp_path: Path) -> None:
    edi = tmp_path / "c.837"
    edi.write_text("ISA*00*...")
    with pytest.raises(IngestError, match=r"X12 EDI file, not FHIR.*ingest x12"):
        ingest_fhir([edi], acting_user=None)
    text = tmp_path / "c.csv"
    text.write_text("claim_id,member_id\n1,2\n")
    with pytest.raises(IngestError, match="not FHIR JSON"):
        ingest_fhir([text], acting_user=None)
    other = tmp_path / "o.json"
    other.write_text('{"claims": []}')
    with pytest.raises(IngestError, match="without a resourceType"):
        ingest_fhir([other], acting_user=None)
    with pytest.raises(IngestError, match="clientdesk ingest fhir"):
        ingest_files("medical_claim", [write_bundle(tmp_path / "b.json", [])], acting_user=None)


def test_the_cli_loads_fhir_and_answers_json(cast: Cast, tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "b.json", bundle_resources()[:5])
    out = StringIO()
    call_command("ingest", "fhir", str(path), "--create-accounts", "--format", "json", stdout=out)
    answer = json.loads(out.getvalue())
    assert [(r["table"], r["rows_loaded"]) for r in answer] == [("eligibility", 2)]
    assert answer[0]["report"]["format"] == "fhir"


def test_ndjson_and_a_bulk_export_load_the_same_rows_as_the_bundle(
    cast: Cast, tmp_path: Path, settings: Any
) -> None:
    write_bundle(tmp_path / "book.json", bundle_resources())
    ingest_fhir([tmp_path / "book.json"], acting_user=None, create_accounts=True)
    from_bundle = lake_rows()
    assert [len(from_bundle[t]) for t in ("eligibility", "medical_claim", "pharmacy_claim")] == [
        2,
        3,
        1,
    ]
    # The same resources as one NDJSON file, into a second lake.
    settings.LAKE_DIR = tmp_path / "ndjson-lake"
    ndjson = write_ndjson(tmp_path / "book.ndjson", bundle_resources())
    results = ingest_fhir([ndjson], acting_user=None)
    assert [(r.table, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("eligibility", 2, 0),
        ("medical_claim", 3, 0),
        ("pharmacy_claim", 1, 0),
    ]
    assert lake_rows() == from_bundle

    # A FHIR Bulk Data export: one NDJSON file per resource type, loaded together. Each EOB's
    # patient and coverage, and each Coverage's patient, are in other files of the load.
    settings.LAKE_DIR = tmp_path / "bulk-lake"
    resources = bundle_resources()
    kinds = sorted({r["resourceType"] for r in resources})
    assert kinds == ["Coverage", "ExplanationOfBenefit", "Patient", "Practitioner"]
    files = [
        write_ndjson(
            tmp_path / f"{kind}.ndjson", [r for r in resources if r["resourceType"] == kind]
        )
        for kind in kinds
    ]
    results = ingest_fhir(files, acting_user=None, replace=True)
    assert [(r.source, r.table, r.rows_loaded, r.rows_rejected) for r in results] == [
        ("Coverage.ndjson", "eligibility", 2, 0),
        ("ExplanationOfBenefit.ndjson", "medical_claim", 3, 0),
        ("ExplanationOfBenefit.ndjson", "pharmacy_claim", 1, 0),
        ("Patient.ndjson", "", 0, 0),
        ("Practitioner.ndjson", "", 0, 0),
    ]
    assert lake_rows() == from_bundle
    # Alone, the claims file says what is missing for each of its 3 claims (the 4th EOB is a
    # void: entered in error, not loaded either way).
    settings.LAKE_DIR = tmp_path / "alone-lake"
    [alone] = ingest_fhir([files[1]], acting_user=None, replace=True)
    assert alone.report["rejected_by_reason"] == {
        "ExplanationOfBenefit: its patient is not in the file (send Patient and Coverage)": 3
    }
