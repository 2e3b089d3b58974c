"""Small hand-made lake files for the tests: valid rows of every table, and writers."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from clientdesk.lake.schemas import TABLES


def npi_with_check_digit(base9: str) -> str:
    """The NPI whose first nine digits are base9 (Luhn over the prefix 80840)."""
    total = 24
    for i, char in enumerate(base9):
        digit = int(char)
        if i % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return base9 + str((10 - total % 10) % 10)


NPI_A = npi_with_check_digit("123456789")  # 1234567893, the CMS example
NPI_B = npi_with_check_digit("198765432")


def medical_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "claim_id": "C1",
        "claim_line_number": "1",
        "claim_type": "professional",
        "person_id": "P1",
        "member_id": "M1",
        "payer": "Keystone",
        "plan": "PPO",
        "claim_start_date": "2025-03-03",
        "claim_end_date": "2025-03-03",
        "claim_line_start_date": "2025-03-03",
        "claim_line_end_date": "2025-03-03",
        "place_of_service_code": "11",
        "hcpcs_code": "99213",
        "rendering_npi": NPI_A,
        "billing_npi": NPI_B,
        "billing_tin": "123456789",
        "paid_date": "2025-03-20",
        "paid_amount": "80.00",
        "allowed_amount": "100.00",
        "charge_amount": "150.00",
        "copayment_amount": "20.00",
        "diagnosis_code_type": "icd-10-cm",
        "diagnosis_code_1": "E119",
        "in_network_flag": "1",
        "data_source": "test",
        "group_id": "G100001",
    }
    row.update(overrides)
    return row


def pharmacy_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "claim_id": "RX1",
        "claim_line_number": "1",
        "person_id": "P1",
        "member_id": "M1",
        "payer": "Keystone",
        "plan": "PPO",
        "prescribing_provider_npi": NPI_A,
        "dispensing_provider_npi": NPI_B,
        "dispensing_date": "2025-03-05",
        "ndc_code": "00093715310",
        "quantity": "30",
        "days_supply": "30",
        "refills": "0",
        "paid_date": "2025-03-06",
        "paid_amount": "12.50",
        "allowed_amount": "22.50",
        "copayment_amount": "10.00",
        "in_network_flag": "1",
        "data_source": "test",
        "group_id": "G100001",
    }
    row.update(overrides)
    return row


def eligibility_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "person_id": "P1",
        "member_id": "M1",
        "subscriber_id": "M1",
        "gender": "female",
        "birth_date": "1980-06-01",
        "enrollment_start_date": "2025-01-01",
        "enrollment_end_date": "2025-12-31",
        "payer": "Keystone",
        "payer_type": "commercial",
        "plan": "PPO",
        "group_id": "G100001",
        "group_name": "Acme Steel Works",
        "state": "OH",
        "zip_code": "43004",
        "data_source": "test",
    }
    row.update(overrides)
    return row


def call_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "call_id": "K1",
        "group_id": "G100001",
        "queue": "member_services",
        "line": "member",
        "offered_at": "2025-03-03 14:00:00",
        "answered": "true",
        "abandoned": "false",
        "wait_seconds": "25",
        "handle_seconds": "300",
        "resolved_first_contact": "true",
        "reason": "claim_status",
    }
    row.update(overrides)
    return row


def processing_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "claim_id": "C1",
        "original_claim_id": "C1",
        "claim_frequency": "1",
        "adjustment_type": "original",
        "group_id": "G100001",
        "member_id": "M1",
        "claim_type": "professional",
        "received_date": "2025-03-05",
        "finalized_date": "2025-03-12",
        "paid_date": "2025-03-20",
        "auto_adjudicated": "true",
        "status": "paid",
        "carc_codes": "CO-45;PR-3",
        "billing_npi": NPI_B,
        "hcpcs_code": "99213",
        "charge_amount": "150.00",
        "allowed_amount": "100.00",
        "paid_amount": "80.00",
        "audited": "false",
    }
    row.update(overrides)
    return row


def write_csv(
    path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None
) -> Path:
    """A CSV with a header of `columns` (default: every key of every row, in first-seen
    order); missing values are empty."""
    if columns is None:
        columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return path


def write_parquet(path: Path, table: str, rows: Sequence[dict[str, Any]]) -> Path:
    """A Parquet file with the table's Arrow types for the columns the rows use."""
    schema = TABLES[table]
    columns = list(dict.fromkeys(k for row in rows for k in row))
    arrays = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        column = schema.column(name)
        arrays[name] = pa.array([None if v in (None, "") else v for v in values], pa.string()).cast(
            column.arrow_type
        )
    pq.write_table(pa.table(arrays), path)
    return path


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_bulk_medical_csv(
    path: Path, rows: int, *, groups: Sequence[str], prefix: str = "C"
) -> Path:
    """A valid medical_claim CSV of `rows` lines spread over `groups`, written by DuckDB."""
    import duckdb

    group_list = "[" + ", ".join(f"'{g}'" for g in groups) + "]"
    duckdb.execute(
        f"""
        COPY (
          SELECT '{prefix}' || i AS claim_id, 1 AS claim_line_number, 'professional' AS claim_type,
                 'P' || (i // 10) AS person_id, 'M' || (i // 10) AS member_id,
                 'Keystone' AS payer, 'PPO' AS plan,
                 DATE '2025-01-01' + CAST(i % 300 AS INTEGER) AS claim_start_date,
                 DATE '2025-01-01' + CAST(i % 300 AS INTEGER) AS claim_end_date,
                 '11' AS place_of_service_code, '99213' AS hcpcs_code,
                 '{NPI_A}' AS rendering_npi, '{NPI_B}' AS billing_npi,
                 CAST(round(10 + (i % 500) * 1.37, 2) AS DECIMAL(18,2)) AS paid_amount,
                 CAST(round(20 + (i % 500) * 1.37, 2) AS DECIMAL(18,2)) AS allowed_amount,
                 'icd-10-cm' AS diagnosis_code_type, 'E119' AS diagnosis_code_1,
                 'I10' AS diagnosis_code_2, 1 AS in_network_flag, 'bulk' AS data_source,
                 {group_list}[CAST(i % {len(groups)} AS INTEGER) + 1] AS group_id
          FROM range({int(rows)}) r(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """  # noqa: S608  # test data with our own literals
    )
    return path
