"""Report objects on the named cast, for the access matrix and the page tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from clientdesk.reports.models import ReportKind, ReportRun, ReportSchedule, RunStatus
from clientdesk.testing import Cast


def acme_run(c: Cast) -> ReportRun:
    """A finished stewardship run of Acme asked for by Alice, with a workbook on disk."""
    run = ReportRun.objects.create(
        kind=ReportKind.STEWARDSHIP,
        account=c.acme,
        period="2025Q2",
        formats=["xlsx"],
        requested_by=c.alice,
        requested_at=timezone.now(),
        status=RunStatus.DONE,
        progress=100,
        files=[{"format": "xlsx", "name": "stewardship-G100001-2025Q2.xlsx", "size": 4}],
    )
    run.folder.mkdir(parents=True, exist_ok=True)
    (run.folder / "stewardship-G100001-2025Q2.xlsx").write_bytes(b"PK\x03\x04")
    return run


def portfolio_schedule(c: Cast) -> ReportSchedule:
    return ReportSchedule.objects.create(
        name="Quarterly portfolio",
        kind=ReportKind.PORTFOLIO,
        cadence="quarterly",
        formats=["xlsx"],
        recipients="board@example.org",
        owner=c.mia,
        next_run_on=dt.date(2026, 1, 5),
    )
