"""A test load (a sponsor's eligibility test round) is kept for readiness and never counted:
member months, PMPM, members and the lake's load version stay as they were. Figures from the
utilization tests' hand-made book, its eligibility and medical claims (utilization/tests/
fixture.py: Acme Q2 8 member months, 3 members, medical paid 16,160 / 8 = PMPM 2,020.00)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from clientdesk.lake import storage
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.schemas import get_table
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, write_csv
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import Request, clear_caches, metric_frames
from clientdesk.utilization.report import build_report
from clientdesk.utilization.tests.fixture import (
    AS_OF,
    CURRENT,
    PRIOR,
    TUVA_MEDICAL,
    eligibility_rows,
    medical_rows,
    processing_rows,
    resent_rows,
)

pytestmark = pytest.mark.django_db
JOB = SystemActor("test-batch tests")


def _people(cast: Cast) -> int:
    with open_lake(JOB, accounts=[cast.acme.pk]) as lake:
        return int(lake.execute(lake.eligibility.person_id.nunique()))


def _acme(cast: Cast) -> tuple[int, int, Decimal | None, int]:
    """Acme's Q2 member months, members and paid PMPM (the utilization figures, without the
    book benchmark), and the people of its eligibility as the gateway reads them."""
    clear_caches()
    request = Request(CURRENT, PRIOR, as_of=AS_OF)
    frames = metric_frames(JOB, request, accounts=[cast.acme])
    report = build_report(
        frames,
        account_id=cast.acme.pk,
        current=CURRENT,
        prior=PRIOR,
        high_cost_threshold=request.high_cost_threshold,
    )
    members = report.member_months
    return members.total, members.members, report.paid_pmpm.medical, _people(cast)


def test_a_test_batch_never_changes_members_or_pmpm(cast: Cast, tmp_path: Path) -> None:
    elig_file = write_csv(tmp_path / "elig.csv", eligibility_rows())
    ingest_files("eligibility", [elig_file], acting_user=None)
    claims_file = write_csv(tmp_path / "medical.csv", medical_rows(), TUVA_MEDICAL)
    resent = write_csv(tmp_path / "resent.csv", resent_rows(), TUVA_MEDICAL)
    ingest_files("medical_claim", [claims_file, resent], acting_user=None)
    processing = write_csv(tmp_path / "proc.csv", processing_rows())
    ingest_files("claim_processing", [processing], acting_user=None)
    before = _acme(cast)
    assert before == (8, 3, Decimal("2020.00"), 3)
    version = storage.load_version(["eligibility", "medical_claim"])
    files = storage.committed_files(get_table("eligibility"))

    # The test round: five new Acme members enrolled all of Q2, and a test claim of $9,000
    # for P1 in May.
    test_members = [
        eligibility_row(
            person_id=f"T{n}",
            member_id=f"T{n}",
            subscriber_id=f"T{n}",
            enrollment_start_date="2025-04-01",
            enrollment_end_date="2025-06-30",
        )
        for n in range(1, 6)
    ]
    elig = write_csv(tmp_path / "acme-834-round-1.csv", test_members)
    [loaded] = ingest_files("eligibility", [elig], acting_user=None, test=True)
    assert (loaded.status, loaded.rows_loaded, loaded.test) == ("committed", 5, True)
    assert "test load" in loaded.message
    claim = medical_row(
        claim_id="TEST1",
        claim_start_date="2025-05-05",
        claim_end_date="2025-05-05",
        claim_line_start_date="2025-05-05",
        claim_line_end_date="2025-05-05",
        paid_date="2025-05-20",
        paid_amount="9000.00",
    )
    claims = write_csv(tmp_path / "acme-test-claims.csv", [claim])
    [test_claims] = ingest_files("medical_claim", [claims], acting_user=None, test=True)
    assert test_claims.rows_loaded == 1

    assert IngestBatch.objects.filter(test=True, status="committed").count() == 2
    assert _acme(cast) == before
    assert storage.load_version(["eligibility", "medical_claim"]) == version
    assert storage.committed_files(get_table("eligibility")) == files

    # The same file, loaded for production, is a batch of its own and counts: 3 + 5
    # people (the flag is what kept them out).
    [production] = ingest_files("eligibility", [elig], acting_user=None)
    assert (production.status, production.test) == ("committed", False)
    assert production.batch_id != loaded.batch_id
    assert _people(cast) == 8
    # ... and loading the test file again says it was loaded as a test.
    [again] = ingest_files("eligibility", [elig], acting_user=None, test=True)
    assert (again.status, again.batch_id) == ("already_loaded", loaded.batch_id)
    assert "already loaded as test batch" in again.message
