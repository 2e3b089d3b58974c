"""Every validation rule: a bad row, rejected with its reason, next to good rows that load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clientdesk.lake.ingestion import BatchResult, ingest_files
from clientdesk.lake.tests.lakefiles import (
    call_row,
    eligibility_row,
    medical_row,
    pharmacy_row,
    processing_row,
    read_csv_rows,
    write_csv,
)
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

# (overrides of a valid row, expected reason; "" = loads; "~text" = loads with that warning)
Case = tuple[dict[str, Any], str]


def load(
    tmp_path: Path, table: str, rows: list[dict[str, Any]]
) -> tuple[BatchResult, dict[int, str]]:
    path = write_csv(tmp_path / f"{table}.csv", rows)
    [result] = ingest_files(table, [path], acting_user=None)
    assert result.rows_read == len(rows) == result.rows_loaded + result.rows_rejected
    reasons = {}
    if result.rejects_file:
        reasons = {int(r["line"]): r["reasons"] for r in read_csv_rows(Path(result.rejects_file))}
    return result, reasons


def warnings_of(result: BatchResult) -> dict[int, list[str]]:
    """Line -> "column: rule: value" of every warning the batch's warnings file lists."""
    found: dict[int, list[str]] = {}
    if result.warnings_file:
        for r in read_csv_rows(Path(result.warnings_file)):
            found.setdefault(int(r["line"]), []).append(f"{r['column']}: {r['rule']}: {r['value']}")
    return found


def check(tmp_path: Path, table: str, rows: list[dict[str, Any]], cases: list[Case]) -> None:
    result, reasons = load(tmp_path, table, rows)
    warned = warnings_of(result)
    for line, (overrides, expected) in enumerate(cases, start=2):
        if expected.startswith("~"):
            assert line not in reasons, f"line {line} {overrides}: {reasons[line]!r}"
            assert any(expected[1:] in w for w in warned.get(line, [])), (
                f"line {line} {overrides}: {warned.get(line)!r}"
            )
        elif expected:
            assert line in reasons, f"line {line} {overrides} was not rejected"
            assert expected in reasons[line], f"line {line}: {reasons[line]!r}"
        else:
            assert line not in reasons, f"line {line} {overrides}: {reasons[line]!r}"
            assert line not in warned, f"line {line} {overrides}: {warned[line]!r}"
    assert result.rows_rejected == sum(1 for _, e in cases if e and not e.startswith("~"))
    assert result.rows_with_warnings == sum(1 for _, e in cases if e.startswith("~"))


DX_TYPE_RULE = "diagnosis_code_type taken from the shape of diagnosis_code_1"
MEDICAL: list[Case] = [
    ({}, ""),
    ({"paid_amount": "", "allowed_amount": ""}, ""),  # nulls in paid/allowed load
    ({"paid_amount": "NULL", "allowed_amount": "null"}, ""),
    ({"paid_amount": "-80.00"}, ""),  # a reversal
    ({"diagnosis_code_1": "E11.9"}, ""),
    ({"diagnosis_code_type": "icd-9-cm", "diagnosis_code_1": "250.00"}, ""),
    ({"bill_type_code": "0111", "claim_type": "institutional", "revenue_center_code": "0450"}, ""),
    ({"procedure_code_type": "icd-10-pcs", "procedure_code_1": "0DTJ4ZZ"}, ""),
    ({"claim_line_number": "2.0"}, ""),
    ({"group_id": "g100001"}, ""),  # group numbers are matched upper-cased
    ({"claim_id": ""}, "claim_id: required, empty"),
    ({"data_source": ""}, "data_source: required, empty"),
    ({"claim_line_number": "x"}, "claim_line_number: not a whole number: x"),
    ({"claim_line_number": "1.5"}, "claim_line_number: not a whole number: 1.5"),
    ({"claim_line_number": "0"}, "claim_line_number: expected 1 or more: 0"),
    (
        {"claim_type": "vision"},
        "claim_type: expected claim type: one of professional, institutional, dental, "
        "undetermined: vision",
    ),
    ({"claim_start_date": "2025-02-30"}, "claim_start_date: not a date (YYYY-MM-DD): 2025-02-30"),
    ({"claim_start_date": "03/01/2025"}, "claim_start_date: not a date (YYYY-MM-DD): 03/01/2025"),
    ({"claim_start_date": "1850-01-01"}, "claim_start_date: outside 1900-2099: 1850-01-01"),
    ({"claim_end_date": "2025-03-01"}, "claim_end_date is before claim_start_date"),
    ({"paid_amount": "12.345"}, "paid_amount: not an amount with at most 2 decimals: 12.345"),
    ({"allowed_amount": "$100"}, "allowed_amount: not an amount with at most 2 decimals: $100"),
    ({"charge_amount": "1,500.00"}, "charge_amount: not an amount with at most 2 decimals"),
    ({"rendering_npi": "1234567890"}, "~rendering_npi: expected NPI (10 digits, Luhn check"),
    ({"billing_npi": "12345"}, "~billing_npi: expected NPI"),
    (
        {"billing_tin": "12-3456789"},
        "~billing_tin: expected TIN (9 digits) (value emptied, row kept): 12-3456789",
    ),
    ({"hcpcs_code": "9921"}, "~hcpcs_code: expected CPT/HCPCS code"),
    ({"hcpcs_modifier_1": "A"}, "~hcpcs_modifier_1: expected HCPCS modifier"),
    # a value that would run as a formula is written as text (lib/exports)
    (
        {"hcpcs_modifier_2": "=A1"},
        "~hcpcs_modifier_2: expected HCPCS modifier (2 letters/digits) "
        "(value emptied, row kept): '=A1",
    ),
    (
        {"diagnosis_code_1": "123"},
        f"~diagnosis_code_type: {DX_TYPE_RULE}: icd-10-cm -> icd-9-cm",
    ),
    ({"diagnosis_code_1": "e119"}, "~diagnosis_code_1: code trimmed and upper-cased: e119 -> E119"),
    ({"diagnosis_code_1": "E1"}, "~diagnosis_code_1: expected ICD-10-CM code shape"),
    ({"diagnosis_poa_1": "X"}, "~diagnosis_poa_1: expected present-on-admission indicator"),
    (
        {"procedure_code_type": "icd-10-pcs", "procedure_code_1": "0DTI4ZZ"},
        "~procedure_code_1: expected ICD-10-PCS code shape",
    ),
    (
        {"diagnosis_code_type": "icd-9-cm"},
        f"~diagnosis_code_type: {DX_TYPE_RULE}: icd-9-cm -> icd-10-cm",
    ),
    (
        {"place_of_service_code": "1"},
        "~place_of_service_code: code left-padded with zeros to 2 digits: 1 -> 01",
    ),
    (
        {"revenue_center_code": "450"},
        "~revenue_center_code: code left-padded with zeros to 4 digits: 450 -> 0450",
    ),
    ({"bill_type_code": "01111"}, "~bill_type_code: expected bill type"),
    (
        {"drg_code_type": "ms"},
        "~drg_code_type: expected DRG type: one of ms-drg, apr-drg (value emptied, row kept): ms",
    ),
    ({"in_network_flag": "2"}, "~in_network_flag: expected 0 or 1 (value emptied, row kept): 2"),
    ({"in_network_flag": "yes"}, "in_network_flag: not a whole number: yes"),
    ({"service_unit_quantity": "abc"}, "service_unit_quantity: not a number: abc"),
    ({"ingest_datetime": "yesterday"}, "ingest_datetime: not a timestamp (ISO 8601): yesterday"),
    ({"group_id": "G1"}, "group_id: expected sponsor group number"),
    ({"group_id": "G999999"}, "group_id G999999: no account has this sponsor group number"),
]


def test_medical_claim_rules(cast: Cast, tmp_path: Path) -> None:
    rows = [
        medical_row(**({"claim_id": f"C{i}"} | overrides))
        for i, (overrides, _) in enumerate(MEDICAL)
    ]
    check(tmp_path, "medical_claim", rows, MEDICAL)


def test_every_reason_of_a_row_is_given(cast: Cast, tmp_path: Path) -> None:
    rows = [
        medical_row(claim_start_date="2025-02-30", rendering_npi="1234567890", paid_amount="1.234")
    ]
    _, reasons = load(tmp_path, "medical_claim", rows)
    assert reasons[2].split(" | ") == [
        "claim_start_date: not a date (YYYY-MM-DD): 2025-02-30",
        "paid_amount: not an amount with at most 2 decimals: 1.234",
    ]


def test_duplicate_keys_inside_a_file(cast: Cast, tmp_path: Path) -> None:
    rows = [
        medical_row(claim_id="C1"),
        medical_row(claim_id="C1", claim_line_number="2"),
        medical_row(claim_id="C1", paid_amount="10.00"),
        medical_row(claim_id="C1", data_source="other"),
        medical_row(claim_id="C1", claim_line_number="2", claim_start_date="x"),
    ]
    result, reasons = load(tmp_path, "medical_claim", rows)
    assert result.rows_loaded == 3
    assert reasons[4] == (
        "duplicate key (claim_id=C1, claim_line_number=1, data_source=test): first on line 2"
    )
    assert reasons[6].endswith(
        "duplicate key (claim_id=C1, claim_line_number=2, data_source=test): first on line 3"
    )
    assert reasons[6].startswith("claim_start_date: not a date")


PHARMACY: list[Case] = [
    ({}, ""),
    ({"paid_amount": ""}, ""),
    ({"ndc_code": "0009371531"}, "~ndc_code: expected NDC in 11-digit 5-4-2 form"),
    ({"ndc_code": "00093-7153-10"}, "~ndc_code: expected NDC"),
    ({"days_supply": "400"}, "~days_supply: expected 0 to 365 (value emptied, row kept): 400"),
    ({"quantity": "NaN"}, "quantity: not a number: NaN"),
    ({"dispensing_provider_npi": "1234567891"}, "~dispensing_provider_npi: expected NPI"),
    ({"dispensing_date": "2025-3-5"}, ""),  # DuckDB reads unpadded ISO dates
    ({"dispensing_date": "5 March 2025"}, "dispensing_date: not a date"),
    ({"member_id": ""}, "member_id: required, empty"),
]


def test_pharmacy_claim_rules(cast: Cast, tmp_path: Path) -> None:
    rows = [
        pharmacy_row(**({"claim_id": f"RX{i}"} | overrides))
        for i, (overrides, _) in enumerate(PHARMACY)
    ]
    check(tmp_path, "pharmacy_claim", rows, PHARMACY)


ELIGIBILITY: list[Case] = [
    ({}, ""),
    ({"enrollment_end_date": "9999-12-31"}, ""),  # open-ended span
    ({"enrollment_end_date": ""}, ""),
    ({"gender": "F"}, "~gender: gender written as male, female or unknown: F -> female"),
    ({"enrollment_end_date": "2024-12-31"}, "enrollment_end_date is before enrollment_start_date"),
    ({"enrollment_start_date": ""}, "enrollment_start_date: required, empty"),
    ({"birth_date": "2025-13-01"}, "birth_date: not a date (YYYY-MM-DD): (masked)"),
    ({"death_date": "1970-01-01"}, "death_date is before birth_date"),
    (
        {"zip_code": "4300"},
        "~zip_code: expected ZIP code (5 or 9 digits) (value emptied, row kept): (masked)",
    ),
    ({"state": "Ohio"}, "~state: state written as its USPS code: Ohio -> OH"),
    ({"state": "Ohioo"}, "~state: expected US state"),
    (
        {"social_security_number": "12345678"},
        "~social_security_number: expected SSN (9 digits, dashes optional) "
        "(value emptied, row kept): (masked)",
    ),
    ({"group_id": ""}, "group_id: required, empty"),
    ({"payer_type": "private"}, "~payer_type: expected payer type"),
    ({"death_flag": "Y"}, "death_flag: not a whole number: Y"),
]


def test_eligibility_rules(cast: Cast, tmp_path: Path) -> None:
    rows = [
        eligibility_row(**({"member_id": f"M{i}"} | overrides))
        for i, (overrides, _) in enumerate(ELIGIBILITY)
    ]
    check(tmp_path, "eligibility", rows, ELIGIBILITY)


CALLS: list[Case] = [
    ({}, ""),
    ({"answered": "0", "abandoned": "1", "handle_seconds": ""}, ""),
    ({"offered_at": "2025-03-03T14:00:00-05:00"}, ""),
    ({"answered": "maybe"}, "answered: not true/false (or 1/0): maybe"),
    ({"abandoned": "true"}, "a call cannot be both answered and abandoned"),
    ({"wait_seconds": "-1"}, "wait_seconds: expected 0 to 86400: -1"),
    ({"wait_seconds": ""}, "wait_seconds: required, empty"),
    ({"offered_at": "2025-13-01 10:00"}, "offered_at: not a timestamp (ISO 8601)"),
    ({"line": "fax"}, "line: expected line: one of member, sponsor: fax"),
]


def test_call_record_rules(cast: Cast, tmp_path: Path) -> None:
    rows = [call_row(**({"call_id": f"K{i}"} | o)) for i, (o, _) in enumerate(CALLS)]
    check(tmp_path, "call_record", rows, CALLS)


PROCESSING: list[Case] = [
    ({}, ""),
    ({"carc": "16", "status": "denied", "carc_codes": "CO-16"}, ""),
    ({"carc_codes": "CO45"}, "carc_codes: expected GROUP-CARC list"),
    ({"carc": "ABC"}, "carc: expected CARC"),
    ({"status": "unknown"}, "status: expected claim status: one of paid, denied, pended"),
    ({"finalized_date": "2025-03-01"}, "finalized_date is before received_date"),
    ({"claim_frequency": "2"}, "claim_frequency: expected claim frequency code"),
    ({"auto_adjudicated": ""}, ""),  # not stated (an 835 cannot say): loads as null
    ({"audit_error_amount": "0.001"}, "audit_error_amount: not an amount"),
]


def test_claim_processing_rules(cast: Cast, tmp_path: Path) -> None:
    rows = [
        processing_row(**({"claim_id": f"C{i}"} | overrides))
        for i, (overrides, _) in enumerate(PROCESSING)
    ]
    check(tmp_path, "claim_processing", rows, PROCESSING)


def test_ivr_inquiry_and_survey_rules(cast: Cast, tmp_path: Path) -> None:
    ivr: list[Case] = [
        ({}, ""),
        ({"outcome": "hung_up"}, "outcome: expected IVR outcome"),
        ({"seconds": "90000"}, "seconds: expected 0 to 86400"),
    ]
    base = {"group_id": "G100001", "started_at": "2025-03-03 10:00:00", "outcome": "contained"}
    check(
        tmp_path,
        "ivr_session",
        [base | {"session_id": f"S{i}"} | o for i, (o, _) in enumerate(ivr)],
        ivr,
    )
    inquiries: list[Case] = [
        ({}, ""),
        ({"channel": "fax"}, "channel: expected channel"),
        ({"resolved_at": "2025-03-01 00:00:00"}, "resolved_at is before opened_at"),
        ({"category": ""}, "category: required, empty"),
    ]
    base = {
        "group_id": "G100001",
        "opened_at": "2025-03-03 10:00:00",
        "channel": "phone",
        "requester_type": "member",
        "category": "claims",
        "status": "resolved",
        "resolved_at": "2025-03-04 10:00:00",
    }
    check(
        tmp_path,
        "inquiry_import",
        [base | {"external_id": f"I{i}"} | o for i, (o, _) in enumerate(inquiries)],
        inquiries,
    )
    surveys: list[Case] = [
        ({}, ""),
        # An invitation nobody answered: a row (response rates need it), with no answer.
        ({"answered_at": "", "nps_score": "", "csat": ""}, ""),
        ({"answered_at": "2025-03-02 09:00:00"}, "answered_at is before sent_at"),
        ({"nps_score": "11"}, "nps_score: expected 0 to 10: 11"),
        ({"csat": "0"}, "csat: expected 1 to 5: 0"),
        ({"survey": "vendor"}, "survey: expected survey"),
    ]
    base = {
        "group_id": "G100001",
        "survey": "member",
        "sent_at": "2025-03-02 10:00:00",
        "answered_at": "2025-03-03 10:00:00",
        "nps_score": "9",
        "csat": "5",
    }
    check(
        tmp_path,
        "survey_response",
        [base | {"response_id": f"R{i}"} | o for i, (o, _) in enumerate(surveys)],
        surveys,
    )
