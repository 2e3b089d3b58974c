"""Every write of the reports app: one transaction, one audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.reports.models import (
    FORMATS,
    ReportEdition,
    ReportKind,
    ReportRun,
    ReportSchedule,
)


class ReportRequestError(ValueError):
    """A report request that cannot be run; the message is one line."""


def clean_formats(formats: list[str] | str) -> list[str]:
    if isinstance(formats, str):
        formats = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ReportRequestError(f"formats are {', '.join(FORMATS)} (got {', '.join(formats)})")
    return [f for f in FORMATS if f in formats]


@transaction.atomic
def do_request_report(
    kind: str,
    *,
    account: Account | None,
    period: str,
    formats: list[str],
    acting_user: User | None,
    schedule: ReportSchedule | None = None,
    enqueue: Callable[[int], str] | None = None,
    edition: str = ReportEdition.CLIENT,
) -> ReportRun:
    """Record a report run (queued). With `enqueue` (the pages and the API), the run is
    queued once the transaction commits and the task id it gets is kept on the run (the
    admin's link to the queue); without it the caller runs it (the CLI, the schedules)."""
    if (kind == ReportKind.STEWARDSHIP) != (account is not None):
        raise ReportRequestError("a stewardship report needs an account; a portfolio none")
    run = ReportRun.objects.create(
        kind=kind,
        account=account,
        period=period,
        formats=clean_formats(formats),
        edition=ReportEdition(edition),
        requested_by=acting_user,
        requested_at=timezone.now(),
        schedule=schedule,
    )
    record_audit(
        actor=acting_user,
        action="reports.request",
        obj=run,
        account=account,
        after=snapshot(run, ["kind", "period", "formats", "edition"]),
        detail={"schedule": schedule.pk if schedule else None},
    )
    if enqueue is not None:
        queue = enqueue
        transaction.on_commit(lambda: _keep_task_id(run.pk, queue(run.pk)))
    return run


def _keep_task_id(run_id: int, task_id: str) -> None:
    # The queue's own bookkeeping, after the commit: no audit row (nobody changed the run).
    ReportRun.objects.filter(pk=run_id).update(task_id=task_id[:64])


@transaction.atomic
def do_finish_run(run: ReportRun, *, files: list[dict[str, Any]], error: str = "") -> ReportRun:
    """Mark the run done (or failed) and audit what was produced."""
    run.files = files
    run.error = error
    run.status = "failed" if error else "done"
    run.progress = 100 if not error else run.progress
    run.step = "Failed" if error else "Ready"
    run.finished_at = timezone.now()
    run.save(update_fields=["files", "error", "status", "progress", "step", "finished_at"])
    record_audit(
        actor=run.requested_by,
        action="reports.failed" if error else "reports.generated",
        obj=run,
        account=run.account,
        detail={"files": [f["name"] for f in files], "error": error[:500]},
    )
    return run


@transaction.atomic
def do_record_download(run: ReportRun, fmt: str, *, acting_user: User) -> None:
    """A report file leaves clientdesk: the export is audited."""
    record_audit(
        actor=acting_user,
        action="reports.download",
        obj=run,
        account=run.account,
        detail={"format": fmt, "kind": run.kind, "period": run.period},
        kind=AuditEvent.Kind.EXPORT,
    )


@transaction.atomic
def do_create_schedule(data: dict[str, Any], *, acting_user: User) -> ReportSchedule:
    schedule = ReportSchedule.objects.create(
        name=data["name"],
        kind=data["kind"],
        account=data.get("account"),
        cadence=data["cadence"],
        formats=clean_formats(data["formats"]),
        recipients=data["recipients"],
        owner=data.get("owner") or acting_user,
        next_run_on=data["next_run_on"],
    )
    record_audit(
        actor=acting_user,
        action="reports.schedule_create",
        obj=schedule,
        account=schedule.account,
        after=snapshot(schedule),
    )
    return schedule


@transaction.atomic
def do_delete_schedule(schedule: ReportSchedule, *, acting_user: User) -> None:
    before = snapshot(schedule)
    record_audit(
        actor=acting_user,
        action="reports.schedule_delete",
        obj=schedule,
        account=schedule.account,
        before=before,
    )
    schedule.delete()


@transaction.atomic
def do_advance_schedule(
    schedule: ReportSchedule, run: ReportRun, next_run_on: dt.date, *, sent_to: list[str]
) -> None:
    before = snapshot(schedule, ["next_run_on"])
    schedule.last_run = run
    schedule.next_run_on = next_run_on
    schedule.save(update_fields=["last_run", "next_run_on"])
    record_audit(
        actor=None,
        action="reports.schedule_sent",
        obj=schedule,
        account=schedule.account,
        before=before,
        after=snapshot(schedule, ["next_run_on"]),
        detail={"run": run.pk, "recipients": sent_to},
    )
