"""Every write of strategy: one transaction, one audit row (or one per object changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account, Assignment, Contact, TeamRole
from clientdesk.audit.recording import AuditEntry, record_audit, record_audits, snapshot
from clientdesk.audit.updating import check_version, check_version_of
from clientdesk.lib.calls import CallRule, Cause
from clientdesk.strategy.models import (
    AccountPlan,
    CallStatus,
    CallTask,
    CallToAction,
    Directive,
    DirectiveAcknowledgement,
    HealthOverride,
    HealthSnapshot,
    HealthWeights,
    Objective,
    ObjectiveReading,
    PlanNeed,
    PlanStatus,
    Stakeholder,
    Visit,
)
from clientdesk.strategy.scoring import RULES, Health, explain_change

DEFAULT_DUE_DAYS = 7


class StaleEdit(Exception):
    """Someone saved the thing since this editor loaded it: the save is refused."""


@dataclass
class CallRun:
    rules: int = 0
    causes: int = 0
    opened: int = 0
    updated: int = 0


def _lead_ids(account_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Assignment.objects.filter(account_id__in=set(account_ids), role=TeamRole.LEAD).values_list(
            "account_id", "user_id"
        )
    )


@transaction.atomic
def do_raise_calls(
    rule: CallRule, causes: Sequence[Cause], *, now: dt.datetime, acting_user: AnyUser | None
) -> CallRun:
    """Open a call for each cause without an open one (playbook tasks, the account's lead as
    owner unless the cause names one, due in a week unless it says when); a cause already open
    updates that call's reason, urgency and due date."""
    run = CallRun(rules=1, causes=len(causes))
    if not causes:
        return run
    today = timezone.localdate(now)
    existing = {
        (c.account_id, c.cause_key): c
        for c in CallToAction.objects.filter(
            rule_key=rule.key,
            status=CallStatus.OPEN,
            account_id__in={c.account_id for c in causes},
        )
    }
    leads = _lead_ids(c.account_id for c in causes)
    accounts = Account.objects.in_bulk({c.account_id for c in causes})
    audits: list[AuditEntry] = []
    for cause in causes:
        account = accounts.get(cause.account_id)
        if account is None:
            continue
        open_call = existing.get((cause.account_id, cause.key))
        if open_call is not None:
            open_call.reason = cause.reason
            open_call.urgency = str(cause.urgency)
            if cause.due is not None:
                open_call.due = cause.due
            open_call.last_found_at = now
            open_call.times_found += 1
            open_call.save(
                update_fields=["reason", "urgency", "due", "last_found_at", "times_found"]
            )
            run.updated += 1
            continue
        call = CallToAction.objects.create(
            account=account,
            rule_key=rule.key,
            cause_key=cause.key,
            title=rule.title[:200],
            reason=cause.reason,
            urgency=str(cause.urgency),
            owner_id=cause.owner_id or leads.get(cause.account_id),
            due=cause.due or today + dt.timedelta(days=DEFAULT_DUE_DAYS),
            url=cause.url[:300],
            opened_at=now,
            last_found_at=now,
        )
        CallTask.objects.bulk_create(
            CallTask(call=call, position=i, text=text[:300])
            for i, text in enumerate(rule.playbook, start=1)
        )
        existing[(cause.account_id, cause.key)] = call
        run.opened += 1
        audits.append(
            AuditEntry(
                action="strategy.call_opened",
                obj=call,
                account=account,
                after={"rule": rule.key, "cause": cause.key, "reason": cause.reason},
            )
        )
    if audits:
        record_audits(audits, actor=acting_user)
    return run


@transaction.atomic
def do_tick_task(task: CallTask, done: bool, *, acting_user: AnyUser) -> CallTask:
    """Tick a playbook step off (or untick it). The page posts the state it asks for: a step
    already in it (someone ticked it since the page was read) is left as recorded, with who
    and when, and no audit row."""
    task = CallTask.objects.select_for_update(of=("self",)).select_related("call").get(pk=task.pk)
    if task.done == done:
        return task
    before = snapshot(task, ["done"])
    task.done = done
    task.done_at = timezone.now() if done else None
    task.done_by_id = acting_user.pk if done else None
    task.save(update_fields=["done", "done_at", "done_by"])
    record_audit(
        actor=acting_user,
        action="strategy.call_task_ticked" if done else "strategy.call_task_unticked",
        obj=task,
        account=task.call.account,
        before=before,
        after=snapshot(task, ["done"]),
    )
    return task


@transaction.atomic
def do_close_call(
    call: CallToAction,
    status: str,
    note: str,
    *,
    acting_user: AnyUser,
    expected_version: int | None = None,
) -> CallToAction:
    """Done or dismissed, with a note; reopening sets it open again (refused when the rule has
    opened another call for the same cause since). Given `expected_version` (the one the page
    or the client read), a call someone changed since raises audit's StaleEdit, nothing saved:
    two people closing the same call no longer overwrite each other's status and note."""
    if status not in CallStatus.values:
        raise ValueError(f"unknown status {status!r}")
    call = CallToAction.objects.select_for_update(of=("self",)).get(pk=call.pk)
    check_version(call, expected_version)
    before = snapshot(call, ["status", "close_note", "version"])
    if status == CallStatus.OPEN:
        if (
            CallToAction.objects.filter(
                account_id=call.account_id,
                rule_key=call.rule_key,
                cause_key=call.cause_key,
                status=CallStatus.OPEN,
            )
            .exclude(pk=call.pk)
            .exists()
        ):
            raise ValueError("Another call for the same cause is open: work that one.")
        call.closed_at = None
        call.closed_by = None
    else:
        call.closed_at = timezone.now()
        call.closed_by_id = acting_user.pk
    call.status = status
    call.close_note = note
    call.version += 1
    call.save(update_fields=["status", "close_note", "closed_at", "closed_by", "version"])
    record_audit(
        actor=acting_user,
        action=f"strategy.call_{status}",
        obj=call,
        account=call.account,
        before=before,
        after=snapshot(call, ["status", "close_note", "version"]),
    )
    return call


@transaction.atomic
def do_assign_call(
    call: CallToAction, owner_id: int | None, due: dt.date | None, *, acting_user: AnyUser
) -> CallToAction:
    call = CallToAction.objects.select_for_update(of=("self",)).get(pk=call.pk)
    before = snapshot(call, ["owner", "due"])
    call.owner_id = owner_id
    call.due = due
    call.version += 1
    call.save(update_fields=["owner", "due", "version"])
    record_audit(
        actor=acting_user,
        action="strategy.call_assigned",
        obj=call,
        account=call.account,
        before=before,
        after=snapshot(call, ["owner", "due"]),
    )
    return call


@dataclass
class SnapshotRun:
    day: dt.date
    accounts: int = 0
    scored: int = 0
    changed: int = 0


@transaction.atomic
def do_store_snapshots(
    healths: Mapping[int, Health],
    day: dt.date,
    *,
    acting_user: AnyUser | None,
    labels: Mapping[str, str] | None = None,
) -> SnapshotRun:
    """Store (or replace) each account's snapshot of `day`, with the words of the change from
    its previous snapshot; one audit row for the run."""
    from clientdesk.strategy.health import snapshot_measures

    run = SnapshotRun(day, accounts=len(healths))
    now = timezone.now()
    # Each account's latest snapshot before the day: its day first (one light query), then
    # those rows only, not every day of the history with its measures.
    last_day = dict(
        HealthSnapshot.objects.filter(account_id__in=list(healths), day__lt=day)
        .values("account_id")
        .annotate(last=Max("day"))
        .values_list("account_id", "last")
    )
    previous: dict[int, tuple[int | None, dict[str, Any]]] = {}
    for account_id, snap_day, score, measures in HealthSnapshot.objects.filter(
        account_id__in=list(last_day), day__in=set(last_day.values())
    ).values_list("account_id", "day", "score", "measures"):
        if last_day.get(account_id) == snap_day:
            previous[account_id] = (score, measures)
    HealthSnapshot.objects.filter(account_id__in=list(healths), day=day).delete()
    rows = []
    for account_id, health in healths.items():
        measures = snapshot_measures(health)
        before_score, before_measures = previous.get(account_id, (None, {}))
        change = None
        explanation = "first score" if health.score is not None else ""
        if account_id in previous and before_score is not None and health.score is not None:
            change = health.score - before_score
            explanation = explain_change(
                before_measures, measures, before_score, health.score, labels=labels
            )
        if health.score is not None:
            run.scored += 1
        if change:
            run.changed += 1
        rows.append(
            HealthSnapshot(
                account_id=account_id,
                day=day,
                score=health.score,
                band=health.band,
                measures=measures,
                change=change,
                explanation=explanation,
                computed_at=now,
            )
        )
    HealthSnapshot.objects.bulk_create(rows, batch_size=1000)
    record_audit(
        actor=acting_user,
        action="strategy.health_snapshot",
        object_type="strategy.healthsnapshot",
        object_id=day.isoformat(),
        object_label=f"Health snapshot {day.isoformat()}",
        detail={"accounts": run.accounts, "scored": run.scored, "changed": run.changed},
    )
    return run


@transaction.atomic
def do_set_weights(
    segment: str,
    weights: Mapping[str, float],
    *,
    acting_user: AnyUser,
    expected_version: int | None = None,
) -> HealthWeights:
    """Store a segment's weights. Given `expected_version` (0: the page showed no weights of
    the segment's own), weights someone saved since raise audit's StaleEdit, nothing saved."""
    unknown = [k for k in weights if k not in RULES]
    if unknown:
        raise ValueError(f"no health rule for {', '.join(unknown)}")
    if any(float(v) < 0 for v in weights.values()):
        raise ValueError("weights are 0 or more")
    stored = HealthWeights.objects.select_for_update().filter(segment=segment).first()
    check_version_of(
        stored, expected_version, lambda: HealthWeights(segment=segment, weights={}, version=0)
    )
    row = stored or HealthWeights(segment=segment, version=0)
    before = {"weights": dict(row.weights), "version": row.version}
    row.weights = {k: float(v) for k, v in weights.items()}
    row.updated_by_id = acting_user.pk
    row.version += 1
    row.save()
    record_audit(
        actor=acting_user,
        action="strategy.health_weights_set",
        obj=row,
        before=before,
        after={"weights": row.weights, "version": row.version},
    )
    return row


@transaction.atomic
def _check_override_shown(account: Account, expected: int | None) -> None:
    """The active override is the one the page showed (its id; 0: none), on the account's
    locked row; else StaleEdit: another manager set or cleared one since."""
    Account.objects.select_for_update().filter(pk=account.pk).first()
    current = (
        HealthOverride.objects.filter(
            account=account, cleared_at__isnull=True, expires_on__gte=timezone.localdate()
        )
        .order_by("-set_at", "-id")
        .first()
    )
    check_version_of(
        current,
        expected,
        lambda: HealthOverride(pk=0, account=account, band="", note=""),
        field="pk",
        what="this account's health override",
    )


@transaction.atomic
def do_override_band(
    account: Account,
    band: str,
    note: str,
    expires_on: dt.date,
    *,
    acting_user: AnyUser,
    expected_override: int | None = None,
) -> HealthOverride:
    """Set the account's band by hand until `expires_on`, replacing the active override.
    Given `expected_override` (the id of the override the page showed; 0: none), one another
    manager set or cleared since raises StaleEdit and nothing changes."""
    if not note.strip():
        raise ValueError("An override needs a note saying why.")
    _check_override_shown(account, expected_override)
    HealthOverride.objects.filter(account=account, cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )
    override = HealthOverride.objects.create(
        account=account,
        band=band,
        note=note,
        expires_on=expires_on,
        set_by_id=acting_user.pk,
        set_at=timezone.now(),
    )
    record_audit(
        actor=acting_user,
        action="strategy.health_overridden",
        obj=override,
        account=account,
        after=snapshot(override, ["band", "note", "expires_on"]),
    )
    return override


@transaction.atomic
def do_clear_override(
    account: Account, *, acting_user: AnyUser, expected_override: int | None = None
) -> int:
    """Clear the account's override; a stale `expected_override` raises StaleEdit."""
    _check_override_shown(account, expected_override)
    n = HealthOverride.objects.filter(account=account, cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )
    record_audit(
        actor=acting_user,
        action="strategy.health_override_cleared",
        object_type="accounts.account",
        object_id=str(account.pk),
        object_label=str(account),
        account=account,
        detail={"cleared": n},
    )
    return n


PLAN_FIELDS = ["challenges", "sponsor_objectives", "strategy"]


@transaction.atomic
def do_create_plan(account: Account, year: int, *, acting_user: AnyUser) -> AccountPlan:
    """A draft plan for the year, starting from the latest earlier year's copy (its text, its
    needs and wants, its objectives with due dates moved to the new year)."""
    if AccountPlan.objects.filter(account=account, year=year).exists():
        raise ValueError(f"{account.name} already has a plan for {year}.")
    last = AccountPlan.objects.filter(account=account, year__lt=year).order_by("-year").first()
    plan = AccountPlan.objects.create(
        account=account,
        year=year,
        **({f: getattr(last, f) for f in PLAN_FIELDS} if last else {}),
    )
    if last is not None:
        for need in last.needs.all():
            PlanNeed.objects.create(
                plan=plan,
                kind=need.kind,
                text=need.text,
                source=need.source,
                noted_on=need.noted_on,
            )
        for o in last.objectives.all():
            due = None
            if o.due is not None:
                try:
                    due = o.due.replace(year=o.due.year + (year - last.year))
                except ValueError:
                    due = o.due.replace(year=o.due.year + (year - last.year), day=28)
            Objective.objects.create(
                plan=plan,
                title=o.title,
                measure_key=o.measure_key,
                manual_value=o.manual_value,
                manual_source=o.manual_source,
                target=o.target,
                better=o.better,
                owner_id=o.owner_id,
                due=due,
            )
    record_audit(
        actor=acting_user,
        action="strategy.plan_created",
        obj=plan,
        account=account,
        after={"year": year, "copied_from": last.year if last else None},
    )
    return plan


@transaction.atomic
def do_update_plan(
    plan: AccountPlan, data: Mapping[str, str], version: int, *, acting_user: AnyUser
) -> AccountPlan:
    """Save the plan's text if nobody saved it since `version` was loaded (else StaleEdit:
    neither edit is lost silently). An approved plan edited goes back to draft."""
    fresh = AccountPlan.objects.select_for_update().get(pk=plan.pk)
    if fresh.version != version:
        raise StaleEdit(
            "Someone saved this plan since you opened it: reload it, then make your change again."
        )
    if fresh.status == PlanStatus.CLOSED:
        raise ValueError("A closed plan is not edited.")
    before = snapshot(fresh, [*PLAN_FIELDS, "status", "version"])
    for f in PLAN_FIELDS:
        if f in data:
            setattr(fresh, f, data[f])
    if fresh.status == PlanStatus.APPROVED:
        fresh.status = PlanStatus.DRAFT
        fresh.approved_at = None
        fresh.approved_by = None
    fresh.version += 1
    fresh.save()
    record_audit(
        actor=acting_user,
        action="strategy.plan_updated",
        obj=fresh,
        account=fresh.account,
        before=before,
        after=snapshot(fresh, [*PLAN_FIELDS, "status", "version"]),
    )
    return fresh


@transaction.atomic
def do_set_plan_status(plan: AccountPlan, status: str, *, acting_user: AnyUser) -> AccountPlan:
    """draft → approved (a manager) → closed; approved back to draft to rework it."""
    allowed = {
        PlanStatus.DRAFT: {PlanStatus.APPROVED},
        PlanStatus.APPROVED: {PlanStatus.DRAFT, PlanStatus.CLOSED},
        PlanStatus.CLOSED: set(),
    }
    if status not in allowed[PlanStatus(plan.status)]:
        raise ValueError(f"A {plan.get_status_display().lower()} plan cannot become {status}.")
    before = snapshot(plan, ["status", "version"])
    plan.status = status
    if status == PlanStatus.APPROVED:
        plan.approved_at = timezone.now()
        plan.approved_by_id = acting_user.pk
    plan.version += 1
    plan.save()
    record_audit(
        actor=acting_user,
        action=f"strategy.plan_{status}",
        obj=plan,
        account=plan.account,
        before=before,
        after=snapshot(plan, ["status", "version"]),
    )
    return plan


@transaction.atomic
def do_add_need(plan: AccountPlan, data: Mapping[str, Any], *, acting_user: AnyUser) -> PlanNeed:
    need = PlanNeed.objects.create(plan=plan, **data)
    record_audit(
        actor=acting_user,
        action="strategy.need_added",
        obj=need,
        account=plan.account,
        after=snapshot(need),
    )
    return need


@transaction.atomic
def do_add_objective(
    plan: AccountPlan, data: Mapping[str, Any], *, acting_user: AnyUser
) -> Objective:
    objective = Objective.objects.create(plan=plan, **data)
    record_audit(
        actor=acting_user,
        action="strategy.objective_added",
        obj=objective,
        account=plan.account,
        after=snapshot(objective),
    )
    return objective


OBJECTIVE_FIELDS = [
    "title",
    "measure_key",
    "manual_value",
    "manual_source",
    "target",
    "better",
    "owner",
    "due",
]


@transaction.atomic
def do_update_objective(
    objective: Objective, data: Mapping[str, Any], version: int, *, acting_user: AnyUser
) -> Objective:
    """Save the objective's fields if nobody saved it since `version` (else StaleEdit); a
    closed plan's objectives are not changed. The value and status are measured again by
    the caller (runs.run_objectives) from the new measure and target."""
    fresh = Objective.objects.select_for_update().select_related("plan").get(pk=objective.pk)
    if fresh.version != version:
        raise StaleEdit(
            "Someone saved this objective since you opened it: reload it, then make your "
            "change again."
        )
    if fresh.plan.status == PlanStatus.CLOSED:
        raise ValueError("A closed plan's objectives are not changed.")
    fields = [*OBJECTIVE_FIELDS, "version"]
    before = snapshot(fresh, fields)
    for f in OBJECTIVE_FIELDS:
        if f in data:
            setattr(fresh, f, data[f])
    fresh.version += 1
    fresh.save()
    record_audit(
        actor=acting_user,
        action="strategy.objective_updated",
        obj=fresh,
        account=fresh.plan.account,
        before=before,
        after=snapshot(fresh, fields),
    )
    return fresh


@transaction.atomic
def do_remove_objective(objective: Objective, *, acting_user: AnyUser) -> None:
    before = snapshot(objective)
    account = objective.plan.account
    objective.delete()
    record_audit(
        actor=acting_user,
        action="strategy.objective_removed",
        object_type="strategy.objective",
        object_id=str(before["id"]),
        object_label=str(before["title"]),
        account=account,
        before=before,
    )


@transaction.atomic
def do_record_objective_values(
    values: Mapping[int, tuple[float | None, str, str]],
    day: dt.date,
    *,
    acting_user: AnyUser | None,
) -> int:
    """Store each objective's value, detail and status of the day {id: (value, detail,
    status)} and its reading in the history; one audit row for the run."""
    objectives = Objective.objects.in_bulk(list(values))
    for objective_id, (value, detail, status) in values.items():
        o = objectives[objective_id]
        o.value, o.value_detail, o.status = value, detail[:300], status
        ObjectiveReading.objects.update_or_create(
            objective=o, day=day, defaults={"value": value, "status": status}
        )
    Objective.objects.bulk_update(objectives.values(), ["value", "value_detail", "status"])
    record_audit(
        actor=acting_user,
        action="strategy.objectives_measured",
        object_type="strategy.objective",
        object_id=day.isoformat(),
        object_label=f"Objectives measured {day.isoformat()}",
        detail={"objectives": len(values)},
    )
    return len(values)


DIRECTIVE_FIELDS = ["team", "kind", "text", "effective_from", "effective_to"]


@transaction.atomic
def do_add_directive(
    account: Account, data: Mapping[str, Any], *, acting_user: AnyUser
) -> Directive:
    directive = Directive.objects.create(account=account, written_by_id=acting_user.pk, **data)
    record_audit(
        actor=acting_user,
        action="strategy.directive_added",
        obj=directive,
        account=account,
        after=snapshot(directive, DIRECTIVE_FIELDS),
    )
    return directive


@transaction.atomic
def do_update_directive(
    directive: Directive, data: Mapping[str, Any], version: int, *, acting_user: AnyUser
) -> Directive:
    """Save if nobody saved it since `version` (else StaleEdit); the new version asks the
    teams to acknowledge it again."""
    fresh = Directive.objects.select_for_update().get(pk=directive.pk)
    if fresh.version != version:
        raise StaleEdit(
            "Someone saved this directive since you opened it: reload it, then make your "
            "change again."
        )
    before = snapshot(fresh, [*DIRECTIVE_FIELDS, "version"])
    for f in DIRECTIVE_FIELDS:
        if f in data:
            setattr(fresh, f, data[f])
    fresh.version += 1
    fresh.save()
    record_audit(
        actor=acting_user,
        action="strategy.directive_updated",
        obj=fresh,
        account=fresh.account,
        before=before,
        after=snapshot(fresh, [*DIRECTIVE_FIELDS, "version"]),
    )
    return fresh


@transaction.atomic
def do_acknowledge_directive(
    directive: Directive, *, acting_user: AnyUser
) -> DirectiveAcknowledgement:
    ack, created = DirectiveAcknowledgement.objects.get_or_create(
        directive=directive,
        user_id=int(acting_user.pk or 0),
        version=directive.version,
        defaults={"at": timezone.now()},
    )
    if created:
        record_audit(
            actor=acting_user,
            action="strategy.directive_acknowledged",
            obj=directive,
            account=directive.account,
            detail={"version": directive.version},
        )
    return ack


STAKEHOLDER_FIELDS = ("influence", "sentiment", "our_owner", "cadence_days")


@transaction.atomic
def do_set_stakeholder(
    contact: Contact,
    data: Mapping[str, Any],
    *,
    acting_user: AnyUser,
    expected_version: int | None = None,
) -> Stakeholder:
    """Put the contact on the relationship map or change their entry. Given `expected_version`
    (0: the page showed them off the map), a change someone saved since raises audit's
    StaleEdit, nothing saved."""
    row = Stakeholder.objects.select_for_update().filter(contact=contact).first()
    check_version_of(row, expected_version, lambda: Stakeholder(contact=contact, version=0))
    before = snapshot(row) if row else None
    if row is None:
        row = Stakeholder(contact=contact, version=0)
    for name in STAKEHOLDER_FIELDS:
        if name in data:
            setattr(row, name, data[name])
    row.version += 1
    row.save()
    record_audit(
        actor=acting_user,
        action="strategy.stakeholder_set",
        obj=row,
        account=contact.account,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def do_create_visit(
    account: Account,
    data: Mapping[str, Any],
    attendees: Iterable[Contact],
    *,
    acting_user: AnyUser,
) -> Visit:
    if data["ends_on"] < data["starts_on"]:
        raise ValueError("A visit ends on or after the day it starts.")
    visit = Visit.objects.create(account=account, created_by_id=acting_user.pk, **data)
    visit.attendees.set(list(attendees))
    record_audit(
        actor=acting_user,
        action="strategy.visit_created",
        obj=visit,
        account=account,
        after={
            **snapshot(visit, ["purpose", "starts_on", "ends_on", "location"]),
            "attendees": [c.pk for c in visit.attendees.all()],
        },
    )
    return visit


@transaction.atomic
def do_record_visit_outcome(
    visit: Visit,
    outcome: str,
    *,
    acting_user: AnyUser,
    expected_version: int | None = None,
) -> Visit:
    """Save what was agreed. Given `expected_version`, an outcome someone saved since raises
    audit's StaleEdit, nothing saved."""
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    check_version(visit, expected_version)
    if visit.outcome == outcome:
        return visit
    before = snapshot(visit, ["outcome", "version"])
    visit.outcome = outcome
    visit.version += 1
    visit.save(update_fields=["outcome", "version"])
    record_audit(
        actor=acting_user,
        action="strategy.visit_outcome",
        obj=visit,
        account=visit.account,
        before=before,
        after=snapshot(visit, ["outcome", "version"]),
    )
    return visit
