"""Analyses refuse a lake that does not hold every committed batch (issue 22): a lake restored
older than the database once let guarantee evaluation rewrite results from partial data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.lake.gateway import LakeError
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.testing import Cast


def test_an_evaluation_is_refused_on_a_lake_older_than_the_database(cast: Cast) -> None:
    """A committed batch the lake does not hold (a lake restored older than the database):
    evaluating would rewrite results from partial data, so it is refused and nothing stored."""
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
    with pytest.raises(LakeError, match="does not match the batch table"):
        run_evaluation([cast.acme], acting_user=cast.mia, today=dt.date(2026, 3, 1))
    assert not GuaranteeResult.objects.exists()
