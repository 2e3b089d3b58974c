"""The lake's schemas: Tuva's input layer column for column, the docs, the generator's files."""

from __future__ import annotations

import duckdb
import pytest

from clientdesk.accounts.models import US_STATES
from clientdesk.lake import docs
from clientdesk.lake.schemas import NPI, TABLES, Kind
from clientdesk.lake.sponsors import STATE_REGION, STATE_TIMEZONE
from clientdesk.lake.tests.lakefiles import NPI_A, NPI_B, npi_with_check_digit
from clientdesk.testing import known

# claims-analytics.md §1.1, from tuva-health/tuva@6be34c7add:models/input_layer/*.yml


def names(text: str) -> list[str]:
    """A column list written as the domain doc writes it."""
    return [name.strip() for name in text.split(",")]


TUVA_MEDICAL_CLAIM = names(
    "claim_id, claim_line_number, claim_type, person_id, member_id, payer, plan, "
    "claim_start_date, claim_end_date, claim_line_start_date, claim_line_end_date, "
    "admission_date, discharge_date, admit_source_code, admit_type_code, "
    "discharge_disposition_code, place_of_service_code, bill_type_code, drg_code_type, drg_code, "
    "revenue_center_code, service_unit_quantity, hcpcs_code, "
    + ", ".join(f"hcpcs_modifier_{i}" for i in range(1, 6))
    + ", rendering_npi, rendering_tin, billing_npi, billing_tin, facility_npi, paid_date, "
    "paid_amount, allowed_amount, charge_amount, coinsurance_amount, copayment_amount, "
    "deductible_amount, total_cost_amount, diagnosis_code_type, "
    + ", ".join(f"diagnosis_code_{i}" for i in range(1, 26))
    + ", "
    + ", ".join(f"diagnosis_poa_{i}" for i in range(1, 26))
    + ", procedure_code_type, "
    + ", ".join(f"procedure_code_{i}" for i in range(1, 26))
    + ", "
    + ", ".join(f"procedure_date_{i}" for i in range(1, 26))
    + ", in_network_flag, data_source, file_name, file_date, ingest_datetime"
)
TUVA_PHARMACY_CLAIM = names(
    "claim_id, claim_line_number, person_id, member_id, payer, plan, prescribing_provider_npi, "
    "dispensing_provider_npi, dispensing_date, ndc_code, quantity, days_supply, refills, "
    "paid_date, paid_amount, allowed_amount, charge_amount, coinsurance_amount, "
    "copayment_amount, deductible_amount, in_network_flag, data_source, file_name, file_date, "
    "ingest_datetime"
)
TUVA_ELIGIBILITY = names(
    "person_id, member_id, subscriber_id, gender, race, birth_date, death_date, death_flag, "
    "enrollment_start_date, enrollment_end_date, payer, payer_type, plan, "
    "original_reason_entitlement_code, dual_status_code, medicare_status_code, "
    "enrollment_status, hospice_flag, institutional_snp_flag, long_term_institutional_flag, "
    "group_id, group_name, name_suffix, first_name, middle_name, last_name, "
    "social_security_number, subscriber_relation, address, city, state, zip_code, phone, email, "
    "ethnicity, data_source, file_name, file_date, ingest_datetime"
)


@pytest.mark.parametrize(
    ("table", "tuva"),
    [
        ("medical_claim", TUVA_MEDICAL_CLAIM),
        ("pharmacy_claim", TUVA_PHARMACY_CLAIM),
        ("eligibility", TUVA_ELIGIBILITY),
    ],
)
def test_claims_tables_are_tuvas_input_layer(table: str, tuva: list[str]) -> None:
    schema = TABLES[table]
    ours = [c.name for c in schema.columns if not c.extension]
    assert ours == tuva
    assert len(tuva) == {"medical_claim": 148, "pharmacy_claim": 25, "eligibility": 39}[table]
    assert [c.name for c in schema.columns if c.extension] == (
        ["group_id"] if table != "eligibility" else []
    )


def test_tuva_keys_and_types() -> None:
    assert TABLES["medical_claim"].key == ("claim_id", "claim_line_number", "data_source")
    assert TABLES["pharmacy_claim"].key == ("claim_id", "claim_line_number", "data_source")
    medical = TABLES["medical_claim"]
    assert medical.column("paid_amount").kind == Kind.AMOUNT
    assert medical.column("claim_start_date").kind == Kind.DATE
    assert medical.column("rendering_npi").rule is NPI
    assert medical.column("paid_amount").required is False  # nulls in paid/allowed load


def test_operational_feeds_match_the_generators_files() -> None:
    from clientdesk.synth import schemas as synth

    for name, schema in TABLES.items():
        generated = [column for column, _ in synth.TABLES[name]]
        assert [c.name for c in schema.columns if not c.extension] == generated, name


def test_every_table_has_a_key_of_columns_it_has() -> None:
    for schema in TABLES.values():
        assert schema.key, schema.name
        assert all(k in schema.column_names for k in schema.key)
        assert len(set(schema.column_names)) == len(schema.column_names)


def test_the_doc_matches_the_schemas() -> None:
    committed = docs.generated_part(docs.DOC_PATH.read_text())
    assert committed == docs.render(), "docs/lake.md is stale: run python -m clientdesk.lake.docs"


def test_state_tables_cover_every_state_the_account_book_allows() -> None:
    assert set(STATE_REGION) == set(US_STATES) == set(STATE_TIMEZONE)


def test_npi_check_digit() -> None:
    assert NPI_A == "1234567893"  # the example in the CMS NPI check-digit standard
    valid = [NPI_A, NPI_B, npi_with_check_digit("100000000")]
    invalid = ["1234567890", "123456789", "12345678931", "123456789X"]
    values = ", ".join(f"('{v}')" for v in valid + invalid)
    helper = NPI.precompute("v")
    rows = known(
        duckdb.sql(
            f"SELECT v, {NPI.sql('v', lambda c: c, 'h')} FROM "  # noqa: S608  # test literals
            f"(SELECT v, {helper} AS h FROM (VALUES {values}) t(v))"
        )
    ).fetchall()
    verdict = {v: bool(ok) for v, ok in rows}
    assert all(verdict[v] for v in valid)
    assert not any(verdict[v] for v in invalid)
