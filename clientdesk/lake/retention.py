"""Rejects and warnings files are kept for a retention, then erased.

A load's rejects file (and its warnings file) repeats rows of the file as it was sent, member
data included (masked where the rules know the column, but a rejected row is by definition one
the rules could not read). They serve the fix of the next file, not the record: after
CLIENTDESK_REJECTS_RETENTION_DAYS (90 by default) from the load's end they are deleted and the
batch keeps its counts and reasons, not the file. The clock runs this every day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from clientdesk.lake.models import IngestBatch


@dataclass(frozen=True)
class Purged:
    batches: int
    files: int


def purge_rejects(now: dt.datetime, *, days: int | None = None) -> Purged:
    """Delete the rejects and warnings files of the loads that ended more than `days` ago
    (the setting by default) and clear their paths; the batches themselves stay."""
    keep = settings.REJECTS_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=keep)
    old = IngestBatch.objects.filter(finished_at__lt=cutoff).filter(
        ~Q(rejects_path="") | ~Q(warnings_path="")
    )
    batches = files = 0
    for batch in old.only("pk", "rejects_path", "warnings_path"):
        for name in (batch.rejects_path, batch.warnings_path):
            if name and Path(name).is_file():
                Path(name).unlink()
                files += 1
        IngestBatch.objects.filter(pk=batch.pk).update(rejects_path="", warnings_path="")
        batches += 1
    return Purged(batches, files)
