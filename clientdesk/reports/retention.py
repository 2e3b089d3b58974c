"""Report files are kept for a retention, then erased.

A stewardship deck, workbook or PDF holds an account's figures (and, in the internal edition,
named high-cost claimants' ranks): it is made to be sent, and can be made again from the data.
After CLIENTDESK_REPORT_RETENTION_DAYS (365 by default) from the run's end, its files are
deleted; the run stays (who asked, when, for what) with a security audit row saying what went.
The clock runs this every day.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from clientdesk.audit.recording import record_audit
from clientdesk.reports.models import ReportRun


@dataclass(frozen=True)
class PurgedReports:
    runs: int
    files: int


def purge_report_files(now: dt.datetime, *, days: int | None = None) -> PurgedReports:
    """Delete the files of the runs that ended more than `days` ago (the setting by default);
    each run keeps its row, its `files` list emptied."""
    keep = settings.REPORT_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=keep)
    runs = files = 0
    for run in ReportRun.objects.filter(finished_at__lt=cutoff).select_related("account"):
        if not run.files and not run.folder.exists():
            continue
        names = [str(f.get("name", "")) for f in run.files]
        with transaction.atomic():
            ReportRun.objects.filter(pk=run.pk).update(files=[])
            record_audit(
                actor=None,
                action="report.files_purged",
                obj=run,
                account=run.account,
                before={"files": names},
                detail={"retention_days": keep},
                kind="security",
            )
        if run.folder.exists():
            files += sum(1 for p in run.folder.iterdir() if p.is_file())
            shutil.rmtree(run.folder)
        runs += 1
    return PurgedReports(runs, files)
