"""Every write of emerging issues and problems: one transaction, one audit row each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import update_audited
from clientdesk.inquiries.models import Inquiry
from clientdesk.insights.episodes import MERGE_GAP_DAYS
from clientdesk.insights.issue_records import IssueRecord, signal
from clientdesk.insights.links import link_totals
from clientdesk.insights.models import (
    OPEN_PROBLEM_STATUSES,
    ActionStatus,
    CorrectiveAction,
    DetectionRun,
    EmergingIssue,
    IssueStatus,
    Problem,
    ProblemStatus,
)
from clientdesk.lake.gateway import Lake

ISSUE_FIELDS = [
    "title",
    "summary",
    "estimated_start",
    "first_alert_date",
    "last_alert_date",
    "alert_days",
    "observed",
    "expected",
    "p_value",
    "detectors",
    "series",
    "contributors",
    "evidence",
    "affected",
    "guarantees_at_risk",
    "theme",
]
PROBLEM_FIELDS = [
    "title",
    "status",
    "description",
    "evidence",
    "root_cause_category",
    "root_cause",
    "whys",
    "owner",
    "sponsor_summary",
    "fix_date",
    "verify_days",
    "training_topic",
]
ACTION_FIELDS = ["description", "owner", "due_date", "status", "notes"]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


@dataclass
class StoredRun:
    run: DetectionRun
    created: list[EmergingIssue]
    updated: list[EmergingIssue]


def open_issues() -> QuerySet[EmergingIssue]:
    """Issues still open: new, or with a problem that is not verified or closed."""
    return EmergingIssue.objects.filter(
        Q(status=IssueStatus.NEW)
        | Q(status=IssueStatus.PROBLEM, problem__status__in=OPEN_PROBLEM_STATUSES)
    )


def open_issue_starts() -> dict[tuple[int, str, str], dt.date]:
    """The estimated start of each signal's open issue (for `build_records`)."""
    starts: dict[tuple[int, str, str], dt.date] = {}
    for account_id, family, cause, start in open_issues().values_list(
        "account_id", "family", "cause_key", "estimated_start"
    ):
        key = signal(account_id, family, cause)
        starts[key] = min(start, starts.get(key, start))
    return starts


def _same_episode(record: IssueRecord) -> EmergingIssue | None:
    """The issue a record updates: the open issue of the same signal (scope and cause),
    whatever its dates (one open issue per signal); else an issue of the signal whose dates
    touch the record's (a dismissed one seen again)."""
    same = open_issues().filter(
        account__pk=record.account_id,  # type: ignore[misc]
        family=record.family,
        cause_key=record.cause_key,
    )
    found = same.order_by("first_alert_date", "id").first()
    if found is not None:
        return found
    gap = dt.timedelta(days=MERGE_GAP_DAYS)
    return (
        EmergingIssue.objects.filter(
            account__pk=record.account_id,  # type: ignore[misc]
            family=record.family,
            cause_key=record.cause_key,
            first_alert_date__lte=record.last_alert_date + gap,
            last_alert_date__gte=record.first_alert_date - gap,
        )
        .order_by("first_alert_date")
        .first()
    )


@transaction.atomic
def do_record_detection(
    records: list[IssueRecord],
    *,
    as_of: dt.date,
    since: dt.date,
    stats: dict[str, Any],
    acting_user: User | None,
) -> StoredRun:
    """Store a detection run and its issues idempotently: an issue already stored for the same
    account, cause and dates is updated (it keeps its id, status and problem), a new one is
    created and put on the account's timeline."""
    run = DetectionRun.objects.create(
        as_of=as_of,
        since=since,
        started_at=timezone.now(),
        seconds=float(stats.get("seconds", 0.0)),
        series=int(stats.get("series", 0)),
        series_days=int(stats.get("series_days", 0)),
        alerts=int(stats.get("alerts", 0)),
        settings=stats.get("settings", {}),
        thresholds=stats.get("thresholds", {}),
        dispersion=stats.get("dispersion", {}),
    )
    created: list[EmergingIssue] = []
    updated: list[EmergingIssue] = []
    for record in records:
        existing = EmergingIssue.objects.filter(fingerprint=record.fingerprint).first()
        existing = existing or _same_episode(record)
        values = {name: getattr(record, name) for name in ISSUE_FIELDS}
        values["affected_members"] = int(record.affected.get("members", 0))
        values["affected_claims"] = int(record.affected.get("claims", 0))
        values["affected_dollars"] = record.affected_dollars
        if existing is not None:
            if record.first_alert_date > existing.last_alert_date:  # a later episode
                values["alert_days"] = existing.alert_days + record.alert_days
            else:
                values["alert_days"] = max(existing.alert_days, record.alert_days)
            values["first_alert_date"] = min(existing.first_alert_date, record.first_alert_date)
            values["estimated_start"] = min(existing.estimated_start, record.estimated_start)
            values["last_alert_date"] = max(existing.last_alert_date, record.last_alert_date)
            changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
            if changed:
                for name, value in changed.items():
                    setattr(existing, name, value)
                existing.run = run
                existing.save()
                updated.append(existing)
            continue
        issue = EmergingIssue.objects.create(
            fingerprint=record.fingerprint,
            account_id=record.account_id,
            family=record.family,
            cause_key=record.cause_key,
            dimension=record.dimension,
            run=run,
            detected_at=timezone.now(),
            **values,
        )
        created.append(issue)
        if issue.account_id is not None:
            do_log_activity(
                Account.objects.get(pk=issue.account_id),
                kind=ActivityKind.ISSUE,
                subject=issue.title,
                body=issue.summary,
                occurred_at=_at(issue.first_alert_date),
                acting_user=acting_user,
                source_type="insights.EmergingIssue",
                source_id=str(issue.pk),
            )
    run.issues_created, run.issues_updated = len(created), len(updated)
    run.save(update_fields=["issues_created", "issues_updated"])
    record_audit(
        actor=acting_user,
        action="issues.detect",
        obj=run,
        detail={"as_of": as_of.isoformat(), "created": len(created), "updated": len(updated)},
    )
    return StoredRun(run, created, updated)


@transaction.atomic
def do_dismiss_issue(issue: EmergingIssue, reason: str, *, acting_user: User | None) -> None:
    """Dismiss a new issue, with the reason. Only a new one: an issue someone dismissed or
    opened a problem for since the page was read is refused (ValueError saying which), on
    the locked row, so a stale page can neither dismiss twice nor hide an open problem."""
    issue = EmergingIssue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
    if issue.status == IssueStatus.DISMISSED:
        raise ValueError("Someone else dismissed this issue already; nothing changed.")
    if issue.status == IssueStatus.PROBLEM:
        raise ValueError(
            "A problem was opened for this issue since you read it; work it there. "
            "Nothing was dismissed."
        )
    before = snapshot(issue, ["status"])
    issue.status = IssueStatus.DISMISSED
    issue.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=acting_user,
        action="issue.dismiss",
        obj=issue,
        account=issue.account,
        before=before,
        after=snapshot(issue, ["status"]),
        detail={"reason": reason},
    )


def _problem_evidence(issue: EmergingIssue) -> str:
    detectors = ", ".join(issue.detectors)
    start = f"{issue.estimated_start:%b %-d, %Y}"
    return (
        f"{issue.summary}\n\nDetected {issue.first_alert_date:%b %-d, %Y} by {detectors} "
        f"(smallest p-value {issue.p_value:.1e}); estimated start {start}; "
        f"{issue.alert_days} alert day(s)."
    )


@transaction.atomic
def do_open_problem(
    issue: EmergingIssue, *, acting_user: User | None, lake: Lake | None = None
) -> Problem:
    """Open a problem record from an issue (or return the one already opened for it), linking
    the inquiries the detection found behind it (with a lake: and counting their dollars)."""
    issue = EmergingIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.problem_id is not None:
        return Problem.objects.get(pk=issue.problem_id)
    affected = issue.affected or {}
    problem = Problem.objects.create(
        title=issue.title,
        account=issue.account,
        description=issue.summary,
        evidence=_problem_evidence(issue),
        opened_by=acting_user,
        opened_at=timezone.now(),
        affected_members=issue.affected_members,
        affected_claims=issue.affected_claims,
        affected_dollars=issue.affected_dollars,
        watch_family=issue.family,
        watch_account=issue.account,
        watch_dimension=issue.dimension,
    )
    issue.problem = problem
    issue.status = IssueStatus.PROBLEM
    issue.save(update_fields=["problem", "status", "updated_at"])
    # The inquiries the detection found behind the issue, where they are in clientdesk.
    found = Inquiry.objects.filter(
        external_id__in=[str(i) for i in affected.get("inquiry_ids", [])], problem_id=None
    )
    if issue.account_id is not None:
        found = found.filter(account_id=issue.account_id)
    if found.update(problem_id=problem.pk):
        _store_link_totals(problem, lake)
    record_audit(
        actor=acting_user,
        action="problem.create",
        obj=problem,
        account=issue.account,
        after=snapshot(problem),
        detail={"issue": issue.pk},
    )
    if issue.account is not None:
        do_log_activity(
            issue.account,
            kind=ActivityKind.ISSUE,
            subject=f"Problem opened: {problem.title}",
            body=problem.description,
            acting_user=acting_user,
            source_type="insights.Problem",
            source_id=str(problem.pk),
        )
    return problem


@transaction.atomic
def do_update_problem(
    problem: Problem,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Problem:
    """Change the problem record; StaleEdit when `expected_version` is not the stored one."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    update_audited(
        problem,
        changes,
        allowed=PROBLEM_FIELDS,
        action="problem.update",
        acting_user=acting_user,
        account=problem.account,
        versioned=True,
        expected_version=expected_version,
    )
    return problem


@transaction.atomic
def do_add_action(
    problem: Problem, data: dict[str, Any], *, acting_user: User | None
) -> CorrectiveAction:
    action = CorrectiveAction(
        problem=problem, **{k: v for k, v in data.items() if k in ACTION_FIELDS}
    )
    action.full_clean()
    action.save()
    if problem.status in (ProblemStatus.OPEN, ProblemStatus.ROOT_CAUSE):
        problem.status = ProblemStatus.FIXING
        problem.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=acting_user,
        action="corrective_action.create",
        obj=action,
        account=problem.account,
        after=snapshot(action),
    )
    return action


@transaction.atomic
def do_update_action(
    action: CorrectiveAction,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> CorrectiveAction:
    """Change the action; StaleEdit when `expected_version` is not the stored one."""
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)

    def completion(action: CorrectiveAction, before: Mapping[str, Any]) -> None:
        if action.status == ActionStatus.DONE and action.completed_on is None:
            action.completed_on = today or timezone.localdate()
        if action.status != ActionStatus.DONE:
            action.completed_on = None

    update_audited(
        action,
        changes,
        allowed=ACTION_FIELDS,
        action="corrective_action.update",
        acting_user=acting_user,
        account=action.problem.account,
        before_clean=completion,
        versioned=True,
        expected_version=expected_version,
    )
    return action


@transaction.atomic
def do_record_effectiveness(
    problem: Problem, outcome: dict[str, Any], *, as_of: dt.date, acting_user: User | None
) -> Problem:
    """Store an effectiveness check: verified when the watched series stayed within control
    limits for `verify_days` days after the fix, reopened when it went out again."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    before = snapshot(problem, ["status", "days_in_control", "verified_on", "reopened_count"])
    problem.last_checked_on = as_of
    problem.days_in_control = int(outcome["days_in_control"])
    problem.check_result = outcome
    event = ""
    if outcome["verdict"] == "verified" and problem.status != ProblemStatus.VERIFIED:
        problem.status = ProblemStatus.VERIFIED
        problem.verified_on = as_of
        event = f"Fix verified: {problem.title}"
    elif outcome["verdict"] == "reopen" and problem.status != ProblemStatus.REOPENED:
        problem.status = ProblemStatus.REOPENED
        problem.reopened_count += 1
        problem.verified_on = None
        event = f"Problem reopened, metric out of control again: {problem.title}"
    elif outcome["verdict"] == "watching" and problem.status == ProblemStatus.REOPENED:
        problem.status = ProblemStatus.MONITORING
    problem.save()
    record_audit(
        actor=acting_user,
        action="problem.verify",
        obj=problem,
        account=problem.account,
        before=before,
        after=snapshot(problem, ["status", "days_in_control", "verified_on", "reopened_count"]),
        detail={"as_of": as_of.isoformat(), "verdict": outcome["verdict"]},
    )
    if event and problem.account is not None:
        do_log_activity(
            problem.account,
            kind=ActivityKind.ISSUE,
            subject=event[:200],
            body=str(outcome.get("explanation", "")),
            occurred_at=_at(as_of),
            acting_user=acting_user,
            source_type="insights.Problem",
            source_id=str(problem.pk),
        )
    return problem


def _store_link_totals(problem: Problem, lake: Lake | None) -> dict[str, Any]:
    totals = link_totals(problem, lake)
    problem.affected_inquiries = totals["inquiries"]
    problem.linked_members = totals["members"]
    problem.linked_claims = totals["claims"]
    fields = ["affected_inquiries", "linked_members", "linked_claims", "updated_at"]
    if totals["counted"]:  # None: suppressed (a book-level cell under 11 members)
        problem.linked_dollars = totals["dollars"]
        fields.append("linked_dollars")
    problem.save(update_fields=fields)
    return totals


@transaction.atomic
def do_link_inquiries(
    problem: Problem,
    inquiries: list[Inquiry],
    *,
    acting_user: User | None,
    lake: Lake | None = None,
) -> Problem:
    """Link checked inquiries (insights.links.check_inquiries) to the problem, moving any from
    another problem, and recount the problem's linked members, claims and dollars."""
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    for inquiry in inquiries:
        if problem.account_id is not None and inquiry.account_id != problem.account_id:
            raise ValueError(f"{inquiry.reference} is not on the problem's account")
    ids = [i.pk for i in inquiries]
    moved = sorted(
        {
            int(pid)
            for pid in Inquiry.objects.filter(pk__in=ids, problem_id__isnull=False)
            .exclude(problem_id=problem.pk)
            .values_list("problem_id", flat=True)
            if pid is not None
        }
    )
    Inquiry.objects.filter(pk__in=ids).update(problem_id=problem.pk)
    totals = _store_link_totals(problem, lake)
    for other in Problem.objects.filter(pk__in=moved):
        _store_link_totals(other, lake)
    record_audit(
        actor=acting_user,
        action="problem.link_inquiries",
        obj=problem,
        account=problem.account,
        detail={
            "linked": [i.reference for i in inquiries],
            "moved_from": moved,
            "totals": {k: str(v) for k, v in totals.items()},
        },
    )
    return problem


@transaction.atomic
def do_unlink_inquiry(
    problem: Problem, inquiry: Inquiry, *, acting_user: User | None, lake: Lake | None = None
) -> Problem:
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if Inquiry.objects.filter(pk=inquiry.pk, problem_id=problem.pk).update(problem_id=None):
        _store_link_totals(problem, lake)
        record_audit(
            actor=acting_user,
            action="problem.unlink_inquiry",
            obj=problem,
            account=problem.account,
            detail={"unlinked": inquiry.reference},
        )
    return problem


__all__ = ["Decimal"]
