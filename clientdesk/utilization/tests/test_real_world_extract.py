"""A Tuva input-layer extract with the deviations real extracts carry loads with warnings, not
rejections, and gives the same utilization as the same extract written cleanly (issue 17's
Done-when: "loads with warnings instead of rejections and gives the same PMPM as Tuva's
conventions").

The clean extract is the utilization tests' hand-made book (fixture.py: Acme Q2 8 member
months, 3 members, medical paid 16,160 → PMPM 2,020.00). The same rows are written again as a
sponsor's vendor would send them: states as full names, genders as F/M, diagnosis codes in
lower case with their type said to be ICD-9 (the codes are ICD-10 in shape), revenue and
place-of-service codes without their leading zeros, a present-on-admission value outside its
value set. Every such value is a warning with its rule and column; every row loads; the
figures are the clean book's.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import SystemActor
from clientdesk.lake.ingestion import BatchResult, ingest_files
from clientdesk.lake.tests.lakefiles import write_csv
from clientdesk.testing import Cast
from clientdesk.utilization.actions import do_load_drug_reference
from clientdesk.utilization.analysis import Request, clear_caches, metric_frames
from clientdesk.utilization.report import UtilizationReport, build_report
from clientdesk.utilization.tests.fixture import (
    AS_OF,
    CURRENT,
    PRIOR,
    TUVA_MEDICAL,
    TUVA_PHARMACY,
    drug_reference_csv,
    eligibility_rows,
    load_fixture,
    medical_rows,
    pharmacy_rows,
    processing_rows,
    resent_rows,
)

pytestmark = pytest.mark.django_db
JOB = SystemActor("real-world extract test")
STATES = {"OH": "Ohio", "CA": "California"}
GENDERS = {"female": "F", "male": "M"}


def _as_sent_eligibility(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"state": STATES[row["state"]], "gender": GENDERS[row["gender"]]}


def _as_sent_claim(row: dict[str, Any]) -> dict[str, Any]:
    sent = dict(row)
    sent["diagnosis_code_1"] = row["diagnosis_code_1"].lower()
    sent["diagnosis_code_type"] = "icd-9-cm"  # the vendor's default; the codes are ICD-10
    if row.get("revenue_center_code"):
        sent["revenue_center_code"] = row["revenue_center_code"].lstrip("0")
    if row["place_of_service_code"].startswith("0"):
        sent["place_of_service_code"] = row["place_of_service_code"].lstrip("0")
    if row["claim_id"] == "IP1":
        sent["diagnosis_poa_1"] = "X"  # not a present-on-admission code
    return sent


def _figures(cast: Cast) -> dict[str, UtilizationReport]:
    clear_caches()
    request = Request(CURRENT, PRIOR, as_of=AS_OF)
    frames = metric_frames(JOB, request)
    return {
        a.group_number: build_report(
            frames,
            account_id=a.pk,
            current=CURRENT,
            prior=PRIOR,
            high_cost_threshold=request.high_cost_threshold,
        )
        for a in Account.objects.filter(pk__in=[cast.acme.pk, cast.bayside.pk])
    }


def _warned(result: BatchResult) -> Counter[tuple[str, str]]:
    return Counter({(w["column"], w["rule"]): int(w["count"]) for w in result.warnings})


def test_an_extract_with_real_world_deviations_loads_with_warnings_and_the_same_pmpm(
    cast: Cast, tmp_path: Path, settings: Any
) -> None:
    settings.LAKE_DIR = tmp_path / "clean-lake"
    (tmp_path / "clean").mkdir()
    load_fixture(tmp_path / "clean")
    clean = _figures(cast)
    acme = clean["G100001"]
    assert (acme.member_months.total, acme.member_months.members) == (8, 3)
    assert acme.paid_pmpm.medical == Decimal("2020.00")

    settings.LAKE_DIR = tmp_path / "sent-lake"
    folder = tmp_path / "sent"
    folder.mkdir()
    elig = [_as_sent_eligibility(r) for r in eligibility_rows()]
    medical = [_as_sent_claim(r) for r in medical_rows()]
    resent = [_as_sent_claim(r) for r in resent_rows()]
    [e] = ingest_files("eligibility", [write_csv(folder / "elig.csv", elig)], acting_user=None)
    m, r = ingest_files(
        "medical_claim",
        [
            write_csv(folder / "medical_claim.csv", medical, TUVA_MEDICAL),
            write_csv(folder / "medical_claim_resent.csv", resent, TUVA_MEDICAL),
        ],
        acting_user=None,
    )
    # the pharmacy and processing files are the clean book's own (loaded again, here)
    [rx] = ingest_files(
        "pharmacy_claim",
        [write_csv(folder / "rx.csv", pharmacy_rows(), TUVA_PHARMACY)],
        acting_user=None,
        replace=True,
    )
    ingest_files(
        "claim_processing",
        [write_csv(folder / "proc.csv", processing_rows())],
        acting_user=None,
        replace=True,
    )
    do_load_drug_reference(drug_reference_csv(folder), acting_user=None)

    # Every row loads: 4 eligibility spans, 19 + 1 claim lines, 7 fills.
    assert [(x.rows_read, x.rows_rejected) for x in (e, m, r, rx)] == [
        (4, 0),
        (19, 0),
        (1, 0),
        (7, 0),
    ]
    # Each deviation is a warning with its column and rule, counted by hand from fixture.py:
    # 4 spans (3 in Ohio, 1 in California; all four female); 19 lines, each with its
    # diagnosis in lower case and said to be ICD-9; revenue codes 0450, 0350, 0120, 0120;
    # one place of service 02 (the telehealth line); IP1's present-on-admission X.
    assert e.rows_with_warnings == 4
    assert {col for col, _ in _warned(e)} == {"state", "gender"}
    assert sorted(_warned(e).values()) == [4, 4]
    warned = {col: n for (col, _), n in _warned(m).items()}
    assert warned == {
        "diagnosis_code_1": 19,
        "diagnosis_code_type": 19,
        "revenue_center_code": 4,
        "place_of_service_code": 1,
        "diagnosis_poa_1": 1,
    }
    assert m.rows_with_warnings == 19
    assert {col: n for (col, _), n in _warned(r).items()} == {
        "diagnosis_code_1": 1,
        "diagnosis_code_type": 1,
    }

    # The same figures as the clean book: member months, PMPM by category, use, unit cost,
    # cost sharing, claimants, conditions, trend and data warnings, for both accounts.
    sent = _figures(cast)
    assert sent["G100001"].paid_pmpm.medical == Decimal("2020.00")
    for group, report in clean.items():
        assert sent[group] == report, group
