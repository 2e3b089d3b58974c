"""Every write of the implementations app: one transaction, an audit row for every change."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import check_version, update_audited
from clientdesk.implementations.library import TEMPLATES, TemplateSeed
from clientdesk.implementations.models import (
    EligibilityTestRound,
    Implementation,
    Lesson,
    PlanStatus,
    RoundFormat,
    Task,
    TaskKind,
    TaskStatus,
    Template,
    TemplateTask,
)
from clientdesk.implementations.plan_files import PlanFile, PlanRow
from clientdesk.implementations.progress import specs_of
from clientdesk.implementations.readiness import EligibilityRound
from clientdesk.implementations.scheduling import (
    BusinessDays,
    ScheduleError,
    anchored_days,
    compute_schedule,
)
from clientdesk.implementations.survey_timing import after_days
from clientdesk.implementations.test_rounds import (
    members_in_batch,
    other_sponsor_in_834,
    round_of,
)
from clientdesk.lake.ingestion import BatchResult, IngestError, file_sha256, ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.x12.load import ingest_x12
from clientdesk.lake.x12.reader import X12FormatError
from clientdesk.lib.business_calendar import BusinessCalendar
from clientdesk.lib.survey_service import IMPLEMENTATION, SURVEY_SERVICE, SendOutcome

TASK_FIELDS = (
    "name",
    "owner_team",
    "owner",
    "duration",
    "predecessors",
    "kind",
    "status",
    "percent_done",
    "actual_start",
    "actual_finish",
    "notes",
    "blocker",
)
SCHEDULE_FIELDS = {"duration", "predecessors", "kind"}
PLAN_FIELDS = ("name", "effective_date", "survey_after_days")


def calendar_for(account: Account) -> BusinessCalendar:
    """The team's business calendar in the account's time zone (weekdays, US federal holidays)."""
    return BusinessCalendar(timezone=account.timezone)


def anchor_ref(tasks: Sequence[Task]) -> str | None:
    return next((t.ref for t in tasks if t.kind == TaskKind.GO_LIVE), None)


def business_days(implementation: Implementation) -> BusinessDays:
    """Offsets ↔ dates of the plan as last scheduled (go-live on the effective date)."""
    return BusinessDays(
        calendar_for(implementation.account),
        implementation.anchor_offset,
        implementation.effective_date,
    )


def reschedule(implementation: Implementation) -> list[Task]:
    """Compute the plan backward from its effective date and store every task's dates.
    Raises ScheduleError for a cycle or an unknown predecessor (the caller's transaction then
    rolls the change back)."""
    tasks = list(implementation.tasks.order_by("position", "id"))
    schedule = compute_schedule(specs_of(tasks))
    anchor = anchor_ref(tasks)
    days = anchored_days(
        schedule, calendar_for(implementation.account), implementation.effective_date, anchor
    )
    for task in tasks:
        times = schedule.tasks[task.ref]
        task.early_start, task.early_finish = times.early_start, times.early_finish
        task.late_start, task.late_finish = times.late_start, times.late_finish
        task.slack, task.critical = times.slack, times.critical
        task.start_date = days.start_date(times.early_start)
        task.finish_date = days.finish_date(times.early_start, times.early_finish)
        task.late_finish_date = days.finish_date(times.late_start, times.late_finish)
    Task.objects.bulk_update(
        tasks,
        [
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "slack",
            "critical",
            "start_date",
            "finish_date",
            "late_finish_date",
        ],
    )
    implementation.project_length = schedule.length
    implementation.anchor_offset = days.anchor
    implementation.start_date = days.date(0) if tasks else None
    implementation.save(
        update_fields=["project_length", "anchor_offset", "start_date", "updated_at"]
    )
    return tasks


def _task_from_row(implementation: Implementation, row: PlanRow, position: int) -> Task:
    return Task(
        implementation=implementation,
        ref=row.ref,
        name=row.name,
        owner_team=row.owner_team,
        duration=row.duration,
        predecessors=row.predecessors,
        kind=row.kind,
        source=row.source,
        position=position,
        status=row.status,
        percent_done=row.percent_done,
        actual_start=row.actual_start,
        actual_finish=row.actual_finish,
        notes=row.notes,
        blocker=row.blocker,
    )


def template_rows(template: Template) -> list[PlanRow]:
    return [
        PlanRow(
            row=index,
            ref=t.ref,
            name=t.name,
            duration=t.duration,
            predecessors=t.predecessors,
            owner_team=t.owner_team,
            kind=t.kind,
            source=t.source,
        )
        for index, t in enumerate(template.tasks.all(), start=2)
    ]


@transaction.atomic
def do_create_implementation(
    account: Account,
    *,
    name: str,
    kind: str,
    effective_date: dt.date,
    template: Template | None,
    acting_user: User | None,
) -> Implementation:
    """A new plan for the account, its tasks copied from the template, scheduled back from the
    effective date."""
    implementation = Implementation.objects.create(
        account=account,
        template=template,
        name=name,
        kind=kind or (template.kind if template else ""),
        effective_date=effective_date,
        created_by=acting_user,
    )
    rows = template_rows(template) if template is not None else []
    Task.objects.bulk_create(
        [_task_from_row(implementation, row, i) for i, row in enumerate(rows, start=1)]
    )
    reschedule(implementation)
    record_audit(
        actor=acting_user,
        action="implementation.create",
        obj=implementation,
        account=account,
        after={**snapshot(implementation), "tasks": len(rows)},
    )
    do_log_activity(
        account,
        kind=ActivityKind.NOTE,
        subject=f"Implementation plan created: {name}"[:200],
        body=f"Effective {effective_date:%Y-%m-%d}; {len(rows)} tasks"
        + (f" from the template {template.name}." if template else "."),
        acting_user=acting_user,
        source_type="implementations.implementation",
        source_id=str(implementation.pk),
    )
    return implementation


@transaction.atomic
def do_import_plan(
    implementation: Implementation, plan: PlanFile, *, filename: str, acting_user: User | None
) -> Implementation:
    """Replace the plan's tasks by those of a spreadsheet (the baseline, if any, is kept, so
    slippage is measured against what was approved)."""
    implementation = Implementation.objects.select_for_update().get(pk=implementation.pk)
    before = list(implementation.tasks.values_list("ref", flat=True))
    implementation.tasks.all().delete()
    Task.objects.bulk_create(
        [_task_from_row(implementation, row, i) for i, row in enumerate(plan.rows, start=1)]
    )
    reschedule(implementation)
    record_audit(
        actor=acting_user,
        action="implementation.import",
        obj=implementation,
        account=implementation.account,
        before={"tasks": before},
        after={"tasks": [row.ref for row in plan.rows], "file": filename},
        detail={"warnings": list(plan.warnings)},
    )
    return implementation


@transaction.atomic
def do_update_plan(
    implementation: Implementation,
    changes: Mapping[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Implementation:
    """Change the plan's name, effective date (rescheduled) or survey day; StaleEdit when
    `expected_version` is not the stored one."""
    implementation = Implementation.objects.select_for_update().get(pk=implementation.pk)
    changed = update_audited(
        implementation,
        changes,
        allowed=PLAN_FIELDS,
        action="implementation.update",
        acting_user=acting_user,
        account=implementation.account,
        versioned=True,
        expected_version=expected_version,
    )
    if "effective_date" in changed:
        reschedule(implementation)
    return implementation


def _progress_rules(task: Task, before: Mapping[str, Any], today: dt.date) -> None:
    """Status, percent and actual dates agree: done is 100% with an actual finish, started
    work has an actual start, not started has neither."""
    if task.status == TaskStatus.DONE:
        task.percent_done = 100
        task.actual_finish = task.actual_finish or today
        task.actual_start = task.actual_start or min(task.start_date or today, task.actual_finish)
    elif task.status in (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED):
        task.actual_start = task.actual_start or today
        task.actual_finish = None
        if task.percent_done >= 100:
            task.percent_done = 99
    elif task.status == TaskStatus.NOT_STARTED and before.get("status") != TaskStatus.NOT_STARTED:
        task.actual_start = task.actual_finish = None
        task.percent_done = 0
    if task.actual_start and task.actual_finish and task.actual_finish < task.actual_start:
        from django.core.exceptions import ValidationError

        raise ValidationError({"actual_finish": "The actual finish is before the actual start."})


@transaction.atomic
def do_update_task(
    task: Task,
    changes: Mapping[str, Any],
    *,
    today: dt.date,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Task:
    """Change a task (progress, owner, notes, blockers; or its duration and links, which
    reschedules the plan and is refused for a cycle or an unknown predecessor); StaleEdit
    when `expected_version` is not the stored one."""
    task = (
        Task.objects.select_for_update().select_related("implementation__account").get(pk=task.pk)
    )
    changed = update_audited(
        task,
        changes,
        allowed=TASK_FIELDS,
        action="implementation.task.update",
        acting_user=acting_user,
        account=task.implementation.account,
        before_clean=lambda t, before: _progress_rules(t, before, today),
        versioned=True,
        expected_version=expected_version,
    )
    if SCHEDULE_FIELDS & set(changed):
        reschedule(task.implementation)
        task.refresh_from_db()
    return task


@transaction.atomic
def do_approve(
    implementation: Implementation, *, now: dt.datetime, acting_user: User | None
) -> Implementation:
    """Approve the plan and save its baseline (every task's planned start and finish)."""
    implementation = Implementation.objects.select_for_update().get(pk=implementation.pk)
    tasks = reschedule(implementation)
    before = snapshot(implementation, ["status", "baseline_saved_at"])
    implementation.baseline = {
        t.ref: [
            t.start_date.isoformat() if t.start_date else "",
            t.finish_date.isoformat() if t.finish_date else "",
        ]
        for t in tasks
    }
    implementation.baseline_saved_at = now
    implementation.approved_by = acting_user
    if implementation.status == PlanStatus.DRAFT:
        implementation.status = PlanStatus.APPROVED
    implementation.save()
    record_audit(
        actor=acting_user,
        action="implementation.approve",
        obj=implementation,
        account=implementation.account,
        before=before,
        after={**snapshot(implementation, ["status", "baseline_saved_at"]), "tasks": len(tasks)},
    )
    return implementation


@transaction.atomic
def do_go_live(
    implementation: Implementation, *, on: dt.date, acting_user: User | None
) -> Implementation:
    """The account is live: the go-live milestone is done and hypercare starts. Once only: a
    plan already live or closed (someone marked it since the page was read) is refused with
    a ValueError, on the locked row, so its go-live date and hypercare stay as recorded."""
    implementation = Implementation.objects.select_for_update().get(pk=implementation.pk)
    if implementation.status in (PlanStatus.LIVE, PlanStatus.CLOSED):
        when = implementation.went_live_on
        raise ValueError(
            f"This implementation is {implementation.get_status_display().lower()} already"
            + (f" (live since {when:%b %-d, %Y})" if when else "")
            + "; nothing changed."
        )
    before = snapshot(implementation, ["status", "went_live_on"])
    implementation.status = PlanStatus.LIVE
    implementation.went_live_on = on
    implementation.save()
    implementation.tasks.filter(kind=TaskKind.GO_LIVE).exclude(status=TaskStatus.DONE).update(
        status=TaskStatus.DONE, percent_done=100, actual_start=on, actual_finish=on
    )
    record_audit(
        actor=acting_user,
        action="implementation.go_live",
        obj=implementation,
        account=implementation.account,
        before=before,
        after=snapshot(implementation, ["status", "went_live_on"]),
    )
    do_log_activity(
        implementation.account,
        kind=ActivityKind.NOTE,
        subject=f"Live: {implementation.name}"[:200],
        body=f"Went live on {on:%Y-%m-%d}; hypercare watches the first 90 days.",
        acting_user=acting_user,
        source_type="implementations.implementation",
        source_id=str(implementation.pk),
    )
    return implementation


@transaction.atomic
def do_send_implementation_survey(
    implementation: Implementation, *, now: dt.datetime
) -> SendOutcome:
    """Send the implementation survey to the sponsor's contacts through the survey app
    (`lib.survey_service`), once: the plan row is locked and its `survey_sent_at` checked and
    set in the same transaction as the survey app's send, so a second run (another clock, a
    retry) sends nothing. Nothing is recorded when nothing could be sent (no survey, no
    contact): the next day's run tries again."""
    implementation = (
        Implementation.objects.select_for_update()
        .select_related("account")
        .get(pk=implementation.pk)
    )
    if implementation.survey_sent_at is not None:
        return SendOutcome(
            implementation.survey_send_id,
            reason=f"sent already on {implementation.survey_sent_at:%Y-%m-%d}",
        )
    outcome = SURVEY_SERVICE.send(IMPLEMENTATION, implementation.account_id, now=now)
    if not outcome.sent:
        return outcome
    implementation.survey_sent_at = now
    implementation.survey_send_id = outcome.send_id
    implementation.save(update_fields=["survey_sent_at", "survey_send_id", "updated_at"])
    record_audit(
        actor=None,
        action="implementation.survey_sent",
        obj=implementation,
        account=implementation.account,
        after={"survey_sent_at": now.isoformat(), "survey_send_id": outcome.send_id},
        detail={
            "went_live_on": str(implementation.went_live_on),
            "after_days": after_days(implementation.survey_after_days),
            "invited": outcome.invited,
            "skipped": outcome.skipped,
        },
    )
    return outcome


@transaction.atomic
def do_record_review(
    implementation: Implementation,
    *,
    notes: str,
    lesson: str,
    close: bool,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Implementation:
    """The post-go-live review: what came up, and a lesson fed back to the template;
    StaleEdit when `expected_version` is not the stored one (the notes are edited text)."""
    implementation = Implementation.objects.select_for_update().get(pk=implementation.pk)
    check_version(implementation, expected_version)
    before = snapshot(implementation, ["review_notes", "status"])
    if notes != implementation.review_notes:
        implementation.version += 1
    implementation.review_notes = notes
    if close:
        implementation.status = PlanStatus.CLOSED
    implementation.save()
    if lesson.strip() and implementation.template is not None:
        Lesson.objects.create(
            template=implementation.template,
            implementation=implementation,
            text=lesson.strip(),
            created_by=acting_user,
        )
    record_audit(
        actor=acting_user,
        action="implementation.review",
        obj=implementation,
        account=implementation.account,
        before=before,
        after={**snapshot(implementation, ["review_notes", "status"]), "lesson": lesson.strip()},
    )
    return implementation


@transaction.atomic
def do_create_template(
    *,
    code: str,
    name: str,
    kind: str,
    plan: PlanFile,
    description: str = "",
    acting_user: User | None,
) -> Template:
    """A template from a spreadsheet (checked like a plan: no cycle, known predecessors)."""
    if Template.objects.filter(code=code).exists():
        raise ScheduleError(f"a template {code!r} exists already")
    template = Template.objects.create(
        code=code,
        name=name,
        kind=kind,
        description=description,
        source="; ".join(sorted({row.source for row in plan.rows if row.source})),
    )
    TemplateTask.objects.bulk_create(
        [
            TemplateTask(
                template=template,
                ref=row.ref,
                name=row.name,
                owner_team=row.owner_team,
                duration=row.duration,
                predecessors=row.predecessors,
                kind=row.kind,
                source=row.source,
                position=position,
            )
            for position, row in enumerate(plan.rows, start=1)
        ]
    )
    record_audit(
        actor=acting_user,
        action="implementation.template.create",
        obj=template,
        after={**snapshot(template), "tasks": len(plan.rows)},
    )
    return template


def seed_rows(seed: TemplateSeed) -> PlanFile:
    return PlanFile(
        tuple(
            PlanRow(
                row=i,
                ref=ref,
                name=name,
                duration=days,
                predecessors=preds,
                owner_team=team,
                kind=kind,
                source=source,
            )
            for i, (ref, name, days, preds, team, kind, source) in enumerate(seed.rows, start=2)
        )
    )


@transaction.atomic
def do_seed_templates(*, acting_user: User | None) -> list[Template]:
    """The library's templates (library.py), each created once (an existing code is kept)."""
    created = []
    for seed in TEMPLATES:
        if Template.objects.filter(code=seed.code).exists():
            continue
        created.append(
            do_create_template(
                code=seed.code,
                name=seed.name,
                kind=seed.kind,
                plan=seed_rows(seed),
                description=seed.description,
                acting_user=acting_user,
            )
        )
    return created


def today_in(account: Account, now: dt.datetime | None = None) -> dt.date:
    """Today in the account's time zone."""
    moment = now or timezone.now()
    return moment.astimezone(calendar_for(account).zone).date()


class RoundFileError(Exception):
    """An eligibility test file that is not loaded; the message is one line."""


def _other_sponsor_line(data: bytes, group_number: str) -> str:
    """The first line of a CSV whose group_id is another sponsor's ("" when none is)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RoundFileError("not UTF-8 text (save the file as UTF-8 CSV)") from None
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "group_id" not in header:
        return ""
    at = header.index("group_id")
    for row in reader:
        group = row[at].strip().upper() if len(row) > at else ""
        if group and group != group_number.upper():
            return (
                f"line {reader.line_num}: group_id {group[:20]} is another sponsor's; a test "
                f"file of this plan holds {group_number}'s members only"
            )
    return ""


@dataclass(frozen=True)
class RoundResult:
    """A test file loaded on a plan: the lake's answer, and the round it made (None when the
    file was already loaded as a test: no new round)."""

    result: BatchResult
    round: EligibilityTestRound | None
    figures: EligibilityRound | None

    @property
    def message(self) -> str:
        """One line for the page and the command line."""
        r, f = self.result, self.figures
        if f is None:
            return r.message
        verdict = "passed" if f.passed else f"failed ({'; '.join(f.failures)})"
        if f.source_format != "x12":
            return (
                f"Test round loaded from {r.source}: {f.rows_read:,} rows, "
                f"{f.rows_rejected:,} rejected: {verdict}."
            )
        return (
            f"Test round loaded from {r.source}: {verdict}. Transaction sets: "
            f"{f.sets_accepted} accepted, {f.sets_with_errors} accepted with errors, "
            f"{f.sets_rejected} rejected; member records: {f.member_records:,} read, "
            f"{f.member_records_not_loaded:,} not loaded; spans: {f.rows_loaded:,} loaded, "
            f"{f.rows_rejected:,} rejected; {f.members_loaded or 0:,} members loaded."
        )


def _is_x12(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"ISA")


def do_load_test_file(
    implementation: Implementation, data: bytes, filename: str, *, acting_user: User | None
) -> RoundResult:
    """Load a sponsor's eligibility test file, a CSV of the lake's eligibility columns or an
    X12 834, as a test batch of the lake: checked like any load (an 834 through the lake's
    X12 ingestion, with its acceptance report), its rejects kept, its rows never read as
    production data; recorded as the plan's next test round, whose pass or fail readiness
    scores. Members of another sponsor refuse the whole file. The lake commits its batch on
    its own; the round and its audit row are one transaction."""
    account = implementation.account
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(filename).name).strip(".-")[:120] or "test"
    x12 = _is_x12(data)
    if not x12 and not name.lower().endswith(".csv"):
        raise RoundFileError(
            f"{name}: a test file is a CSV of the lake's eligibility columns or an X12 834"
        )
    if not x12:
        problem = _other_sponsor_line(data, account.group_number)
        if problem:
            raise RoundFileError(f"{name}: {problem}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        try:
            if x12:
                problem = other_sponsor_in_834(path, account.group_number)
                if problem:
                    raise RoundFileError(f"{name}: {problem}")
                results = ingest_x12([path], acting_user=acting_user, test=True)
                result = next((r for r in results if r.table == "eligibility"), results[0])
            else:
                [result] = ingest_files("eligibility", [path], acting_user=acting_user, test=True)
        except (IngestError, X12FormatError) as error:
            raise RoundFileError(str(error)) from None
        checksum = file_sha256(path)
    if result.status == "already_loaded":
        return RoundResult(result, None, None)
    batch = IngestBatch.objects.filter(pk=result.batch_id).first() if result.batch_id else None
    members = members_in_batch(batch) if batch is not None else None
    with transaction.atomic():
        loaded = EligibilityTestRound.objects.create(
            implementation=implementation,
            batch=batch,
            source_name=result.source[:255],
            source_format=RoundFormat.X12 if x12 else RoundFormat.CSV,
            checksum=checksum,
            report=result.report if x12 else {},
            members_loaded=members,
            loaded_at=timezone.now(),
            loaded_by=acting_user
            if acting_user is not None and acting_user.is_authenticated
            else None,
        )
        figures = round_of(0, batch, dt.UTC, loaded)  # numbered on the plan (evidence)
        record_audit(
            actor=acting_user,
            action="implementation.test_file",
            obj=implementation,
            account=account,
            after={
                "round": loaded.pk,
                "batch": result.batch_id or None,
                "file": result.source,
                "format": loaded.source_format,
                "status": result.status,
                "rows_read": figures.rows_read,
                "rows_rejected": figures.rows_rejected,
                "member_records": figures.member_records,
                "member_records_not_loaded": figures.member_records_not_loaded,
                "sets_rejected": figures.sets_rejected,
                "passed": figures.passed,
            },
        )
    return RoundResult(result, loaded, figures)
