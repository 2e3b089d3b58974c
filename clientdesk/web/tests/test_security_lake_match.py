"""Analyses that store results refuse a lake that does not hold every committed batch (issue
22): a lake restored older than the database once let guarantee evaluation rewrite results
from partial data. Detection and the health snapshot store results too."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.insights.models import EmergingIssue
from clientdesk.insights.runs import detect_and_store
from clientdesk.lake.gateway import LakeError
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.strategy.models import HealthSnapshot
from clientdesk.strategy.runs import run_snapshot
from clientdesk.testing import Cast


def _a_batch_the_lake_lacks() -> None:
    IngestBatch.objects.create(
        table="medical_claim",
        source_name="claims.csv",
        source_format="csv",
        checksum="0" * 64,
        status=BatchStatus.COMMITTED,
        rows_read=5,
        rows_loaded=5,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )


def test_an_evaluation_is_refused_on_a_lake_older_than_the_database(cast: Cast) -> None:
    """A committed batch the lake does not hold (a lake restored older than the database):
    evaluating would rewrite results from partial data, so it is refused and nothing stored."""
    _a_batch_the_lake_lacks()
    with pytest.raises(LakeError, match="does not match the batch table"):
        run_evaluation([cast.acme], acting_user=cast.mia, today=dt.date(2026, 3, 1))
    assert not GuaranteeResult.objects.exists()


def test_detection_and_the_health_snapshot_are_refused_too(cast: Cast) -> None:
    _a_batch_the_lake_lacks()
    with pytest.raises(LakeError, match=r"Issue detection refused: .*medical_claim batch"):
        detect_and_store(dt.date(2026, 3, 1))
    with pytest.raises(LakeError, match="The health snapshot refused"):
        run_snapshot(dt.date(2026, 3, 1))
    assert not EmergingIssue.objects.exists()
    assert not HealthSnapshot.objects.exists()
