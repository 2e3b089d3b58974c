"""A small hand-made book: every figure the tests assert is computed by hand from it.

Periods: current 2025Q2 (Apr-Jun), prior 2025Q1. Acme (G100001) has three members, Bayside
(G100002) one. Claims are written as a plain Tuva input-layer extract: every Tuva column in
the header, no group_id (the sponsor comes from eligibility), empty paid/allowed on one line.

Acme eligibility:                       member months
  P1/M1  2025-01-01 .. 2025-06-30       Q1 3 (Jan-Mar)   Q2 3
  P2/M2  2025-02-15 .. 2025-05-10       Q1 2 (Feb, Mar)  Q2 2 (Apr, May)
  P3/M3  2025-04-01 .. open             Q1 0             Q2 3
                                        Q1 5             Q2 8
Bayside: P9/M9 2025-01-01 .. 2025-12-31  Q1 3, Q2 3.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import MEDICAL_CLAIM, PHARMACY_CLAIM
from clientdesk.lake.tests.lakefiles import (
    NPI_A,
    NPI_B,
    eligibility_row,
    medical_row,
    pharmacy_row,
    processing_row,
    write_csv,
)
from clientdesk.lake.tests.snapshot import LakeSnapshot
from clientdesk.lib.periods import parse_period

CURRENT = parse_period("2025Q2")
PRIOR = CURRENT.prior()
AS_OF = dt.date(2025, 12, 31)
GENERIC, BRAND, SPECIALTY, UNKNOWN = "00000000011", "00000000022", "00000000033", "00000000099"

TUVA_MEDICAL = [c.name for c in MEDICAL_CLAIM.columns if not c.extension]
TUVA_PHARMACY = [c.name for c in PHARMACY_CLAIM.columns if not c.extension]


def _prof(
    claim: str,
    line: int,
    person: str,
    day: str,
    pos: str,
    hcpcs: str,
    paid: str,
    allowed: str,
    **extra: Any,
) -> dict[str, Any]:
    row = medical_row(
        claim_id=claim,
        claim_line_number=str(line),
        person_id=f"P{person}",
        member_id=f"M{person}",
        claim_start_date=day,
        claim_end_date=day,
        claim_line_start_date=day,
        claim_line_end_date=day,
        place_of_service_code=pos,
        hcpcs_code=hcpcs,
        paid_amount=paid,
        allowed_amount=allowed,
        copayment_amount="",
        diagnosis_code_1="Z0000",
        group_id="",
        file_date="2025-09-01",
        paid_date="",
    )
    row.update(extra)
    return row


def _inst(
    claim: str,
    line: int,
    person: str,
    start: str,
    end: str,
    bill: str,
    rev: str,
    paid: str,
    allowed: str,
    **extra: Any,
) -> dict[str, Any]:
    row = _prof(
        claim,
        line,
        person,
        start,
        "",
        "",
        paid,
        allowed,
        claim_type="institutional",
        claim_end_date=end,
        claim_line_end_date=end,
        bill_type_code=bill,
        revenue_center_code=rev,
        rendering_npi="",
        facility_npi=NPI_A,
    )
    row.update(extra)
    return row


def medical_rows() -> list[dict[str, Any]]:
    rows = [
        # --- Acme, current period (Q2) ---------------------------------------------------
        # ED visit, P1 Apr 10: professional 99284 at POS 23, and the hospital's ED claim with
        # a CT line (the claim's ED header outranks the CT line: all of it is ED).
        _prof(
            "ED1",
            1,
            "1",
            "2025-04-10",
            "23",
            "99284",
            "200.00",
            "250.00",
            copayment_amount="50.00",
            diagnosis_code_1="R079",
            diagnosis_code_2="I10",
        ),
        _inst(
            "ED2",
            1,
            "1",
            "2025-04-10",
            "2025-04-10",
            "131",
            "0450",
            "800.00",
            "1000.00",
            coinsurance_amount="200.00",
            diagnosis_code_1="R079",
        ),
        _inst(
            "ED2",
            2,
            "1",
            "2025-04-10",
            "2025-04-10",
            "131",
            "0350",
            "300.00",
            "400.00",
            coinsurance_amount="100.00",
            diagnosis_code_1="R079",
        ),
        # Office visit P2 Apr 20 with a lab line on the same claim (lab outranks office).
        _prof(
            "OV1",
            1,
            "2",
            "2025-04-20",
            "11",
            "99213",
            "80.00",
            "100.00",
            copayment_amount="20.00",
            diagnosis_code_1="J45909",
        ),
        _prof(
            "OV1",
            2,
            "2",
            "2025-04-20",
            "11",
            "80053",
            "10.00",
            "15.00",
            deductible_amount="5.00",
            diagnosis_code_1="J45909",
        ),
        # Office visit P3 May 5.
        _prof(
            "OV2",
            1,
            "3",
            "2025-05-05",
            "11",
            "99214",
            "120.00",
            "150.00",
            copayment_amount="30.00",
            diagnosis_code_1="E119",
        ),
        # A hip replacement stay of P3: two facility claims at one facility, the second
        # starting the day after the first ends with disposition 30 (still a patient): one
        # stay, May 1 - May 7, 6 days. Plus the surgeon's line at POS 21.
        _inst(
            "IP1",
            1,
            "3",
            "2025-05-01",
            "2025-05-04",
            "111",
            "0120",
            "10000.00",
            "12000.00",
            deductible_amount="2000.00",
            drg_code_type="ms-drg",
            drg_code="470",
            admission_date="2025-05-01",
            discharge_date="2025-05-04",
            discharge_disposition_code="30",
            procedure_code_type="icd-10-pcs",
            procedure_code_1="0SR90J9",
            diagnosis_code_1="M1611",
            diagnosis_code_2="E119",
        ),
        _inst(
            "IP2",
            1,
            "3",
            "2025-05-05",
            "2025-05-07",
            "111",
            "0120",
            "3000.00",
            "3000.00",
            drg_code_type="ms-drg",
            drg_code="470",
            admission_date="2025-05-05",
            discharge_date="2025-05-07",
            discharge_disposition_code="01",
            procedure_code_type="icd-10-pcs",
            procedure_code_1="0SR90J9",
            diagnosis_code_1="M1611",
        ),
        _prof(
            "IP3",
            1,
            "3",
            "2025-05-01",
            "21",
            "27130",
            "1500.00",
            "1800.00",
            coinsurance_amount="300.00",
            diagnosis_code_1="M1611",
        ),
        # Not enrolled: P2's coverage ended May 10, so this June visit drops out of PMPM.
        _prof(
            "OUT", 1, "2", "2025-06-15", "11", "99213", "90.00", "110.00", copayment_amount="20.00"
        ),
        # An adjusted claim: C50 is reversed by C50R and replaced by C50A (claim_processing
        # says so); only C50A is final action: 70 paid, 90 allowed, 20 copay.
        _prof(
            "C50", 1, "1", "2025-06-01", "11", "99213", "100.00", "120.00", copayment_amount="20.00"
        ),
        _prof(
            "C50R",
            1,
            "1",
            "2025-06-01",
            "11",
            "99213",
            "-100.00",
            "-120.00",
            copayment_amount="-20.00",
        ),
        _prof(
            "C50A", 1, "1", "2025-06-01", "11", "99213", "70.00", "90.00", copayment_amount="20.00"
        ),
        # A lab line sent twice (same key, later file_date in the second file): the second
        # version (30 paid, 50 allowed, 20 deductible) is final.
        _prof(
            "C60", 1, "1", "2025-06-10", "81", "85025", "40.00", "50.00", deductible_amount="10.00"
        ),
        # DME with empty paid and allowed (a Tuva extract may leave them empty): counts 0.
        _prof("DME1", 1, "2", "2025-04-05", "12", "E0601", "", ""),
        # Telehealth with no claim_start_date: dated by claim_end_date (June 20).
        _prof(
            "TH1",
            1,
            "3",
            "2025-06-20",
            "02",
            "99213",
            "50.00",
            "60.00",
            copayment_amount="10.00",
            claim_start_date="",
        ),
        # --- Acme, prior period (Q1) -----------------------------------------------------
        _prof(
            "ED0", 1, "1", "2025-02-10", "23", "99283", "150.00", "200.00", copayment_amount="50.00"
        ),
        _prof(
            "OV0", 1, "2", "2025-03-01", "11", "99213", "80.00", "100.00", copayment_amount="20.00"
        ),
        # --- Bayside (P9), Q2: one visit, far too little for a plausible PMPM --------------
        _prof(
            "BAY1", 1, "9", "2025-05-12", "11", "99213", "30.00", "40.00", copayment_amount="10.00"
        ),
    ]
    return rows


def resent_rows() -> list[dict[str, Any]]:
    """The second file: claim C60 line 1 again, with the amounts it was finally paid."""
    return [
        _prof(
            "C60",
            1,
            "1",
            "2025-06-10",
            "81",
            "85025",
            "30.00",
            "50.00",
            deductible_amount="20.00",
            file_date="2025-10-01",
        )
    ]


def pharmacy_rows() -> list[dict[str, Any]]:
    def fill(
        claim: str, person: str, day: str, ndc: str, days: str, paid: str, allowed: str, copay: str
    ) -> dict[str, Any]:
        return pharmacy_row(
            claim_id=claim,
            person_id=f"P{person}",
            member_id=f"M{person}",
            dispensing_date=day,
            paid_date=day,
            ndc_code=ndc,
            days_supply=days,
            paid_amount=paid,
            allowed_amount=allowed,
            copayment_amount=copay,
            group_id="",
        )

    return [
        fill("RX1", "1", "2025-04-02", GENERIC, "30", "10.00", "15.00", "5.00"),
        fill("RX2", "1", "2025-05-02", GENERIC, "90", "20.00", "30.00", "10.00"),
        fill("RX3", "2", "2025-04-10", BRAND, "30", "300.00", "330.00", "30.00"),
        fill("RX4", "3", "2025-06-01", SPECIALTY, "28", "5000.00", "5050.00", "50.00"),
        fill("RX5", "3", "2025-06-15", UNKNOWN, "30", "40.00", "50.00", "10.00"),
        fill("RX6", "2", "2025-06-20", GENERIC, "30", "999.00", "999.00", "0.00"),  # not enrolled
        fill("RX0", "1", "2025-03-01", GENERIC, "30", "10.00", "15.00", "5.00"),  # prior
    ]


def processing_rows() -> list[dict[str, Any]]:
    return [
        processing_row(claim_id="C50", original_claim_id="C50", adjustment_type="original"),
        processing_row(
            claim_id="C50R",
            original_claim_id="C50",
            adjustment_type="reversal",
            claim_frequency="7",
            paid_amount="-100.00",
            allowed_amount="-120.00",
            charge_amount="-150.00",
        ),
        processing_row(
            claim_id="C50A",
            original_claim_id="C50",
            adjustment_type="replacement",
            claim_frequency="7",
            paid_amount="70.00",
            allowed_amount="90.00",
        ),
    ]


def eligibility_rows() -> list[dict[str, Any]]:
    return [
        eligibility_row(
            person_id="P1",
            member_id="M1",
            subscriber_id="M1",
            enrollment_start_date="2025-01-01",
            enrollment_end_date="2025-06-30",
        ),
        eligibility_row(
            person_id="P2",
            member_id="M2",
            subscriber_id="M1",
            enrollment_start_date="2025-02-15",
            enrollment_end_date="2025-05-10",
        ),
        eligibility_row(
            person_id="P3",
            member_id="M3",
            subscriber_id="M3",
            enrollment_start_date="2025-04-01",
            enrollment_end_date="",
        ),
        eligibility_row(
            person_id="P9",
            member_id="M9",
            subscriber_id="M9",
            group_id="G100002",
            group_name="Bayside",
            state="CA",
            zip_code="94607",
            enrollment_start_date="2025-01-01",
            enrollment_end_date="2025-12-31",
        ),
    ]


def drug_reference_csv(folder: Path) -> Path:
    path = folder / "ndc.csv"
    path.write_text(
        "ndc_code,drug_name,generic_flag,specialty_flag\n"
        f"{GENERIC},atorvastatin 20 mg,true,false\n"
        f"{BRAND},Eliquis 5 mg,false,false\n"
        f"{SPECIALTY},Humira pen,false,true\n"
    )
    return path


def load_fixture(folder: Path) -> None:
    """Ingest the fixture through the real ingestion (eligibility first) and load the NDC
    reference."""
    from clientdesk.utilization.actions import do_load_drug_reference

    ingest_files(
        "eligibility", [write_csv(folder / "elig.csv", eligibility_rows())], acting_user=None
    )
    medical = write_csv(folder / "medical_claim.csv", medical_rows(), TUVA_MEDICAL)
    resent = write_csv(folder / "medical_claim_resent.csv", resent_rows(), TUVA_MEDICAL)
    results = ingest_files("medical_claim", [medical, resent], acting_user=None)
    assert [r.rows_rejected for r in results] == [0, 0], [r.rejects_file for r in results]
    rx = ingest_files(
        "pharmacy_claim",
        [write_csv(folder / "rx.csv", pharmacy_rows(), TUVA_PHARMACY)],
        acting_user=None,
    )
    assert rx[0].rows_rejected == 0
    ingest_files(
        "claim_processing", [write_csv(folder / "proc.csv", processing_rows())], acting_user=None
    )
    do_load_drug_reference(drug_reference_csv(folder), acting_user=None)


BOOK = LakeSnapshot(load_fixture)
"""The fixture book, built by the first test of a process that asks and laid down for the rest."""

__all__ = ["AS_OF", "BOOK", "CURRENT", "NPI_B", "PRIOR", "load_fixture"]
