"""A small lake for Acme whose lag triangle is test_chain_ladder's hand-computed one.

Acme (ASO, contract C-G100001-2025: admin fee $38.50 PEPM from 2025-01-01, no stop-loss):
  P1 (subscriber, 'self')  2025-01-01 .. open (runs to the as-of date 2025-04-30)
  P2 ('spouse')            2025-01-01 .. 2025-02-28
member months Jan 2, Feb 2, Mar 1, Apr 1; subscriber months 1 a month.
Claims of P1 (professional, office visits), each paid_amount on its paid date:
  incurred Jan: 100 (Jan), 50 (Feb), 20 (Mar), 10 (Apr)
  incurred Feb: 110 (Feb), 60 (Mar), 22 (Apr)
  incurred Mar: 120 (Mar), 55 (Apr)
  incurred Apr: 130 (Apr)
Allowed = paid + 20 (a $20 copay) on every claim. A May payment (after the as-of date) and a
Bayside claim are there to be left out; claim C10 (April's 130) is sent again in a later
file, unchanged: one line, counted once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import MEDICAL_CLAIM, PHARMACY_CLAIM
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, pharmacy_row, write_csv
from clientdesk.lake.tests.snapshot import LakeSnapshot

AS_OF = dt.date(2025, 4, 30)
TUVA_MEDICAL = [c.name for c in MEDICAL_CLAIM.columns if not c.extension] + ["group_id"]
TUVA_PHARMACY = [c.name for c in PHARMACY_CLAIM.columns if not c.extension] + ["group_id"]
PAYMENTS = [
    ("01", "01", 100),
    ("01", "02", 50),
    ("01", "03", 20),
    ("01", "04", 10),
    ("02", "02", 110),
    ("02", "03", 60),
    ("02", "04", 22),
    ("03", "03", 120),
    ("03", "04", 55),
    ("04", "04", 130),
    ("04", "05", 999),  # paid after the as-of date
]


def load(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    eligibility = [
        eligibility_row(
            person_id="P1",
            member_id="M1",
            subscriber_id="M1",
            subscriber_relation="self",
            enrollment_start_date="2025-01-01",
            enrollment_end_date="",
        ),
        eligibility_row(
            person_id="P2",
            member_id="M2",
            subscriber_id="M1",
            subscriber_relation="spouse",
            enrollment_start_date="2025-01-01",
            enrollment_end_date="2025-02-28",
        ),
        eligibility_row(
            person_id="P9",
            member_id="M9",
            subscriber_id="M9",
            subscriber_relation="self",
            group_id="G100002",
            group_name="Bayside",
            enrollment_start_date="2025-01-01",
            enrollment_end_date="2025-12-31",
        ),
    ]
    ingest_files("eligibility", [write_csv(folder / "elig.csv", eligibility)], acting_user=None)
    medical = []
    for n, (incurred, paid, amount) in enumerate(PAYMENTS, start=1):
        day = f"2025-{incurred}-10"
        medical.append(
            medical_row(
                claim_id=f"C{n}",
                person_id="P1",
                member_id="M1",
                claim_start_date=day,
                claim_end_date=day,
                claim_line_start_date=day,
                claim_line_end_date=day,
                paid_date=f"2025-{paid}-20",
                paid_amount=f"{amount}.00",
                allowed_amount=f"{amount + 20}.00",
                copayment_amount="20.00",
            )
        )
    medical.append(
        medical_row(
            claim_id="B1",
            person_id="P9",
            member_id="M9",
            group_id="G100002",
            paid_amount="5000.00",
            allowed_amount="5000.00",
            copayment_amount="",
        )
    )
    results = ingest_files(
        "medical_claim", [write_csv(folder / "med.csv", medical, TUVA_MEDICAL)], acting_user=None
    )
    assert results[0].rows_rejected == 0, results[0].rejects_file
    resent = [dict(medical[9], file_date="2025-04-28")]
    again = ingest_files(
        "medical_claim", [write_csv(folder / "med2.csv", resent, TUVA_MEDICAL)], acting_user=None
    )
    assert again[0].rows_rejected == 0, again[0].rejects_file
    rx = [pharmacy_row(claim_id="RXB", person_id="P9", member_id="M9", group_id="G100002")]
    ingest_files(
        "pharmacy_claim", [write_csv(folder / "rx.csv", rx, TUVA_PHARMACY)], acting_user=None
    )


LAKE = LakeSnapshot(load)


def lay_down(folder: Path) -> None:
    """The fixture lake in the test's data dir: ingested by the first test of a process that
    asks, laid down again for each later one (`lake.tests.snapshot`: the same rows under the
    same keys, the same files). `folder`, where the files are written, is made either way."""
    folder.mkdir(parents=True, exist_ok=True)
    LAKE.lay_down(folder)
