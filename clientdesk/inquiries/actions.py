"""Every write to inquiries, SLA policies, routing and account escalations: one transaction,
one audit row each, mail after commit.

Member references are masked in audit snapshots: the audit trail is a log and carries no PHI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind, Contact
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import check_version_of, update_audited
from clientdesk.inquiries import sla
from clientdesk.inquiries.models import (
    ACTIVE_STATUSES,
    DONE_STATUSES,
    AccountEscalation,
    Category,
    Competence,
    EscalationNote,
    EscalationStatus,
    Inquiry,
    InquiryAttachment,
    InquiryEvent,
    InquiryEventKind,
    InquiryNote,
    InquiryStatusChange,
    NoteVisibility,
    RequesterType,
    ResolutionCode,
    RoutingRule,
    SlaMetric,
    SlaPolicy,
    Status,
    mask_member_reference,
)
from clientdesk.inquiries.notifications import Outbox, escalation_link, inquiry_line
from clientdesk.inquiries.routing import choose_owner, managers, team_members
from clientdesk.people.roles import Role

EDITABLE_FIELDS = [
    "requester_type",
    "member_reference",
    "contact",
    "broker_name",
    "channel",
    "category",
    "subcategory",
    "priority",
    "subject",
    "description",
    "claim_ids",
    "call_ids",
]
POLICY_FIELDS = [
    "name",
    "tier",
    "category",
    "priority",
    "first_response_hours",
    "resolution_hours",
    "is_active",
]
ESCALATION_FIELDS = ["title", "reason", "severity", "status", "owner", "resolution"]
SLA_FIELDS = {"category", "priority"}  # a change of these can change the matching policy

Actor = AbstractBaseUser | AnonymousUser | None


class EditConflict(Exception):
    """The inquiry changed after the form (or API client) read it; nothing was saved."""

    def __init__(self, inquiry: Inquiry, fields: dict[str, str]) -> None:
        self.inquiry = inquiry
        self.fields = fields
        super().__init__(
            f"{inquiry.reference} was changed by someone else after you opened it "
            f"(now version {inquiry.version}); nothing was saved. Review and save again."
        )


class InquiryRuleError(ValueError):
    """A write the workflow does not allow (e.g. closing an inquiry that is not resolved)."""


def _real(user: Actor) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def _name(user: Actor) -> str:
    real = _real(user)
    if real is None:
        return "clientdesk"
    return real.get_full_name() or real.get_username()


def _snap(inquiry: Inquiry, fields: Iterable[str] | None = None) -> dict[str, Any]:
    names = [*fields, "version"] if fields is not None else None
    data = snapshot(inquiry, names)
    if "member_reference" in data:
        data["member_reference"] = mask_member_reference(inquiry.member_reference)
    return data


def _display(field: str, value: Any) -> str:
    if value in (None, "", []):
        return "(empty)"
    if field == "owner" or field == "contact":
        if field == "owner":
            user = User.objects.filter(pk=value).first()
            return (user.get_full_name() or user.username) if user else str(value)
        contact = Contact.objects.filter(pk=value).first()
        return contact.name if contact else str(value)
    model_field = Inquiry._meta.get_field(field)
    choices = dict(getattr(model_field, "flatchoices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(choices.get(value, value))


def _label(name: str) -> str:
    field = Inquiry._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


def conflicting_changes(inquiry: Inquiry, since_version: int) -> dict[str, str]:
    """What others changed on the inquiry after `since_version`, field by field, from the
    audit trail (the fields named are those a stale form must not overwrite)."""
    messages: dict[str, str] = {}
    rows = (
        AuditEvent.objects.filter(
            object_type=Inquiry._meta.label_lower, object_id=str(inquiry.pk), kind="write"
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    for row in rows:
        after = row.after or {}
        if int(after.get("version", 0)) <= since_version:
            continue
        when = timezone.localtime(row.at)
        who = (row.actor.get_full_name() or row.actor_label) if row.actor else row.actor_label
        for field, old, new in row.changed_fields():
            if field in {"version", "updated_at"} or old == new:
                continue
            label = "the status" if field == "status" else _label(field)
            messages[field] = (
                f"{who} changed {label} to “{_display(field, new)}” at "
                f"{when:%-I:%M %p} after you opened this form; your change was not saved."
            )
    return messages or {"__all__": "Someone else saved this inquiry after you opened it."}


def check_version(inquiry: Inquiry, expected_version: object) -> None:
    """Refuse early (before validating a form against the current state) when the caller read
    an older version; `expected_version` may come straight from a form or a request body."""
    try:
        expected = int(str(expected_version))
    except ValueError:
        expected = -1
    current = Inquiry.objects.only("version").get(pk=inquiry.pk).version
    if expected != current:
        inquiry.version = current
        raise EditConflict(inquiry, conflicting_changes(inquiry, max(expected, 0)))


def _lock(inquiry: Inquiry, expected_version: int | None) -> Inquiry:
    current = (
        Inquiry.objects.select_for_update(of=("self",)).select_related("account").get(pk=inquiry.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current, conflicting_changes(current, expected_version))
    return current


def _event(
    inquiry: Inquiry, kind: str, summary: str, actor: Actor, at: dt.datetime, **detail: Any
) -> None:
    InquiryEvent.objects.create(
        inquiry=inquiry,
        at=at,
        actor=_real(actor),
        kind=kind,
        summary=summary[:255],
        detail=detail,
    )


def _timeline(
    inquiry: Inquiry, subject: str, actor: Actor, at: dt.datetime, body: str = ""
) -> None:
    do_log_activity(
        inquiry.account,
        kind=ActivityKind.INQUIRY,
        subject=subject[:200],
        body=body,
        occurred_at=at,
        acting_user=_real(actor),
        source_type="inquiries.Inquiry",
        source_id=str(inquiry.pk),
    )


def eligible_owners(account: Account) -> list[User]:
    """Who may own an inquiry of the account: its associates, then the managers."""
    people = team_members(account.pk)
    people += [m for m in managers() if m not in people]
    return people


def _check_owner(account: Account, owner: User | None) -> None:
    if owner is not None and owner not in eligible_owners(account):
        raise InquiryRuleError(
            f"{owner.get_full_name() or owner.username} is neither on {account.name}'s team "
            "nor a manager."
        )


# ── inquiries ───────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_create_inquiry(
    account: Account,
    data: dict[str, Any],
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> Inquiry:
    """Open an inquiry; without an owner the account's routing rule picks one."""
    moment = now or timezone.now()
    owner: User | None = data.get("owner")
    inquiry = Inquiry(
        account=account,
        created_by=_real(acting_user),
        opened_at=data.get("opened_at") or moment,
        status=Status.NEW,
        **{k: v for k, v in data.items() if k in EDITABLE_FIELDS},
    )
    method = "manual"
    if owner is None:
        owner, method = choose_owner(account, inquiry.category)
    _check_owner(account, owner)
    inquiry.owner = owner
    inquiry.assigned_by = method if owner else ""
    inquiry.full_clean()
    inquiry.save()
    InquiryStatusChange.objects.create(
        inquiry=inquiry,
        from_status="",
        to_status=Status.NEW,
        at=inquiry.opened_at,
        actor=_real(acting_user),
        reason="opened",
    )
    _event(
        inquiry,
        InquiryEventKind.CREATED,
        f"Opened by {_name(acting_user)} ({inquiry.get_channel_display()})",
        acting_user,
        moment,
    )
    if owner is not None:
        _event(
            inquiry,
            InquiryEventKind.ASSIGNED,
            f"Assigned to {owner.get_full_name() or owner.username} ({method.replace('_', ' ')})",
            acting_user,
            moment,
            owner=owner.pk,
            method=method,
        )
    record_audit(
        actor=acting_user,
        action="inquiry.create",
        obj=inquiry,
        account=account,
        after=_snap(inquiry),
    )
    _timeline(
        inquiry,
        f"Inquiry {inquiry.reference} opened: {inquiry.subject}",
        acting_user,
        inquiry.opened_at,
        f"{inquiry.get_category_display()} · {inquiry.get_priority_display()} priority · "
        f"{inquiry.get_channel_display()}",
    )
    if owner is not None and owner != _real(acting_user):
        outbox = Outbox()
        outbox.add(
            [owner],
            "inquiries assigned to you",
            f"{inquiry.reference} assigned to you",
            inquiry_line(inquiry, "A new inquiry was assigned to you."),
        )
        outbox.flush()
    sla.recompute([inquiry.pk], now=moment)
    inquiry.refresh_from_db()
    return inquiry


@transaction.atomic
def do_update_inquiry(
    inquiry: Inquiry,
    changes: dict[str, Any],
    *,
    expected_version: int | None,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> Inquiry:
    """Change the inquiry's details; refused with EditConflict when the version moved on."""
    moment = now or timezone.now()
    current = _lock(inquiry, expected_version)

    def bump(current: Inquiry, changed: list[str]) -> None:
        current.version += 1

    changed = update_audited(
        current,
        changes,
        allowed=EDITABLE_FIELDS,
        action="inquiry.update",
        acting_user=acting_user,
        account=current.account,
        before_save=bump,
        audit_snapshot=lambda inquiry: _snap(inquiry, EDITABLE_FIELDS),  # member ref masked
    )
    if not changed:
        return current
    changed = [name for name in EDITABLE_FIELDS if name in changed]  # in the form's order
    labels = ", ".join(_label(n) for n in changed) or "details"
    _event(
        current, InquiryEventKind.UPDATED, f"Changed {labels}", acting_user, moment, fields=changed
    )
    if SLA_FIELDS & set(changed):
        sla.recompute([current.pk], now=moment)
        current.refresh_from_db()
    return current


def _notify_watchers(inquiry: Inquiry, acting_user: Actor, subject: str, text: str) -> None:
    recipients = [u for u in inquiry.watchers.all() if u != _real(acting_user)]
    if inquiry.owner is not None and inquiry.owner != _real(acting_user):
        recipients.append(inquiry.owner)
    if recipients:
        outbox = Outbox()
        outbox.add(set(recipients), "inquiry updates", subject, inquiry_line(inquiry, text))
        outbox.flush()


@transaction.atomic
def do_change_status(
    inquiry: Inquiry,
    to_status: str,
    *,
    expected_version: int | None,
    acting_user: Actor,
    resolution_code: str = "",
    resolution_summary: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Inquiry:
    """Move the inquiry along the workflow. Resolving needs a resolution code and summary;
    resolved or closed inquiries go back to open by reopening."""
    moment = now or timezone.now()
    current = _lock(inquiry, expected_version)
    if to_status not in current.allowed_statuses():
        raise InquiryRuleError(
            f"{current.reference} cannot go from {current.get_status_display().lower()} to "
            f"{Status(to_status).label.lower()}."
        )
    if to_status == Status.RESOLVED and not (resolution_code and resolution_summary.strip()):
        raise InquiryRuleError("Resolving needs a resolution code and a summary.")
    before = _snap(current, ["status", "resolution_code", "resolution_summary"])
    from_status = current.status
    reopened = from_status in DONE_STATUSES and to_status == Status.OPEN
    current.status = to_status
    if to_status == Status.RESOLVED:
        current.resolved_at = moment
        current.resolution_code = resolution_code
        current.resolution_summary = resolution_summary.strip()
        current.first_responded_at = current.first_responded_at or moment
    elif to_status == Status.CLOSED:
        current.closed_at = moment
    elif reopened:
        current.resolved_at = None
        current.closed_at = None
        current.resolution_code = ""
        current.resolution_summary = ""
    current.version += 1
    current.save()
    InquiryStatusChange.objects.create(
        inquiry=current,
        from_status=from_status,
        to_status=to_status,
        at=moment,
        actor=_real(acting_user),
        reason="reopened" if reopened else note.strip()[:200],
    )
    if note.strip():
        InquiryNote.objects.create(
            inquiry=current,
            author=_real(acting_user),
            visibility=NoteVisibility.INTERNAL,
            body=note.strip(),
            created_at=moment,
        )
    record_audit(
        actor=acting_user,
        action="inquiry.reopen" if reopened else "inquiry.status",
        obj=current,
        account=current.account,
        before=before,
        after=_snap(current, ["status", "resolution_code", "resolution_summary"]),
    )
    label = Status(to_status).label.lower()
    if to_status == Status.RESOLVED:
        _timeline(
            current,
            f"Inquiry {current.reference} resolved: {current.subject}",
            acting_user,
            moment,
            f"{current.get_resolution_code_display()}. {current.resolution_summary}",
        )
    elif reopened:
        _timeline(
            current, f"Inquiry {current.reference} reopened: {current.subject}", acting_user, moment
        )
    _notify_watchers(
        current,
        acting_user,
        f"{current.reference} is now {label}",
        f"{_name(acting_user)} set the status to {label}.",
    )
    sla.recompute([current.pk], now=moment)
    current.refresh_from_db()
    return current


@transaction.atomic
def do_add_note(
    inquiry: Inquiry,
    *,
    body: str,
    visibility: str,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> InquiryNote:
    """An internal note, or a note to the customer (mailed to the sponsor or broker contact
    when there is one with an address). The first note to the customer is the first response."""
    moment = now or timezone.now()
    current = (
        Inquiry.objects.select_for_update(of=("self",))
        .select_related("account", "contact")
        .get(pk=inquiry.pk)
    )
    if current.merged_into_id is not None:
        raise InquiryRuleError(
            f"{current.reference} was merged; add notes to the inquiry it was merged into."
        )
    note = InquiryNote(
        inquiry=current,
        author=_real(acting_user),
        visibility=visibility,
        body=body.strip(),
        created_at=moment,
    )
    contact = current.contact
    if (
        visibility == NoteVisibility.CUSTOMER
        and current.requester_type in (RequesterType.SPONSOR, RequesterType.BROKER)
        and contact is not None
        and contact.email
    ):
        note.emailed_to = contact.email
    note.full_clean()
    note.save()
    first_response = visibility == NoteVisibility.CUSTOMER and current.first_responded_at is None
    if first_response:
        Inquiry.objects.filter(pk=current.pk).update(first_responded_at=moment)
    record_audit(
        actor=acting_user,
        action="inquiry.note",
        obj=current,
        account=current.account,
        after={"note": note.pk, "visibility": visibility, "characters": len(note.body)},
    )
    if note.emailed_to:
        message = EmailMessage(
            subject=f"Re: {current.subject} [{current.reference}]",
            body=note.body + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[note.emailed_to],
        )
        transaction.on_commit(message.send)
    _notify_watchers(
        current,
        acting_user,
        f"New note on {current.reference}",
        f"{_name(acting_user)} added {note.get_visibility_display().lower()}.",
    )
    if first_response:
        sla.recompute([current.pk], now=moment)
    return note


@transaction.atomic
def do_assign_inquiry(
    inquiry: Inquiry,
    owner: User | None,
    *,
    acting_user: Actor,
    expected_version: int | None = None,
    method: str = "manual",
    now: dt.datetime | None = None,
) -> Inquiry:
    """Give the inquiry to an owner (None puts it back in the queue)."""
    moment = now or timezone.now()
    current = _lock(inquiry, expected_version)
    _check_owner(current.account, owner)
    if owner is not None and current.owner_id == owner.pk:
        return current
    if owner is None and current.owner_id is None:
        return current
    who = (owner.get_full_name() or owner.username) if owner else "the queue"
    _assign(
        current,
        owner,
        acting_user=acting_user,
        method=method,
        moment=moment,
        kind=InquiryEventKind.ASSIGNED,
        summary=f"Assigned to {who} by {_name(acting_user)}",
        event_detail={"owner": owner.pk if owner else None, "method": method},
    )
    if owner is not None and owner != _real(acting_user):
        outbox = Outbox()
        outbox.add(
            [owner],
            "inquiries assigned to you",
            f"{current.reference} assigned to you",
            inquiry_line(current, f"{_name(acting_user)} assigned it to you."),
        )
        outbox.flush()
    return current


ESCALATION_TARGETS = {"manager": "the manager", "service_ops": "service operations"}


@transaction.atomic
def do_escalate_inquiry(
    inquiry: Inquiry,
    to: str,
    reason: str,
    *,
    acting_user: Actor,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Inquiry:
    """Escalate an inquiry by hand, with a reason. To the manager: the inquiry becomes the
    (first) manager's, assigned by escalation. To service operations: they are told by mail
    (reference, account and reason; they do not open inquiries), the owner stays. Either way a
    timeline event and one `inquiry.escalate` audit row."""
    reason = reason.strip()
    if to not in ESCALATION_TARGETS:
        raise InquiryRuleError(
            f"An inquiry is escalated to the manager or service operations, not {to!r}."
        )
    if not reason:
        raise InquiryRuleError("Say why the inquiry is escalated.")
    moment = now or timezone.now()
    current = _lock(inquiry, expected_version)
    summary = f"Escalated to {ESCALATION_TARGETS[to]} by {_name(acting_user)}: {reason}"
    outbox = Outbox()
    if to == "manager":
        team_managers = managers()
        if not team_managers:
            raise InquiryRuleError("There is no manager to escalate to.")
        manager = team_managers[0]
        summary = (
            f"Escalated to {manager.get_full_name() or manager.username} by "
            f"{_name(acting_user)}: {reason}"
        )
        _assign(
            current,
            manager,
            acting_user=acting_user,
            method="escalation",
            moment=moment,
            kind=InquiryEventKind.ASSIGNED,
            summary=summary,
            event_detail={"owner": manager.pk, "method": "escalation", "reason": reason},
            audit_detail={"escalated_to": to, "reason": reason},
        )
        outbox.add(
            [manager],
            "inquiries assigned to you",
            f"{current.reference} escalated to you",
            inquiry_line(current, summary),
        )
    else:
        current.version += 1
        current.save(update_fields=["version"])
        _event(
            current,
            InquiryEventKind.UPDATED,
            summary,
            acting_user,
            moment,
            escalated_to=to,
            reason=reason,
        )
        service_ops = User.objects.filter(groups__name=Role.SERVICE_OPS, is_active=True)
        line = f"{current.reference} · {current.account.name}\n{summary}"
        outbox.add(
            list(service_ops),
            "inquiry escalations",
            f"Inquiry escalated: {current.reference}",
            line,
        )
    record_audit(
        actor=acting_user,
        action="inquiry.escalate",
        obj=current,
        account=current.account,
        detail={"escalated_to": to, "reason": reason, "owner": current.owner_id},
    )
    outbox.flush()
    return current


def _assign(
    current: Inquiry,
    owner: User | None,
    *,
    acting_user: Actor,
    method: str,
    moment: dt.datetime,
    kind: str,
    summary: str,
    event_detail: dict[str, Any],
    audit_detail: dict[str, Any] | None = None,
) -> None:
    """The write of every change of owner, by hand or by a rule: the owner, the timeline
    event and one `inquiry.assign` audit row, on the locked row."""
    before = _snap(current, ["owner", "assigned_by"])
    current.owner = owner
    current.assigned_by = method if owner else ""
    current.version += 1
    current.save()
    _event(current, kind, summary, acting_user, moment, **event_detail)
    record_audit(
        actor=acting_user,
        action="inquiry.assign",
        obj=current,
        account=current.account,
        before=before,
        after=_snap(current, ["owner", "assigned_by"]),
        detail=audit_detail,
    )


@transaction.atomic
def do_reassign_after_breach(
    inquiry: Inquiry,
    owner: User,
    *,
    metric: str,
    now: dt.datetime,
    outbox: Outbox | None = None,
) -> Inquiry:
    """The escalation rule's reassignment (clientdesk acts): the write and audit row of a
    manual assignment, with the breached metric; the new and the previous owner are told
    (in the run's `outbox` when given, else by mail after commit)."""
    current = _lock(inquiry, None)
    _check_owner(current.account, owner)
    previous = current.owner
    label = SlaMetric(metric).label.lower()
    summary = f"Reassigned to {owner.get_full_name() or owner.username} after the {label} breach"
    _assign(
        current,
        owner,
        acting_user=None,
        method="escalation",
        moment=now,
        kind=InquiryEventKind.ESCALATED,
        summary=summary,
        event_detail={"from": previous.pk if previous else None, "to": owner.pk},
        audit_detail={"rule": "sla_breach", "metric": metric},
    )
    mail = outbox if outbox is not None else Outbox()
    mail.add(
        [owner, previous],
        "inquiries reassigned to you",
        f"{current.reference} reassigned after an SLA breach",
        inquiry_line(current, summary + "."),
    )
    if outbox is None:
        mail.flush()
    return current


@transaction.atomic
def do_bulk_assign(
    inquiries: QuerySet[Inquiry],
    owner: User | None,
    *,
    acting_user: Actor,
    auto: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Reassign many inquiries at once (a manager's action): to one owner, or each by its
    account's routing rule (auto). Returns how many changed owner."""
    changed = 0
    for inquiry in inquiries.select_related("account").order_by("pk"):
        target, method = (
            choose_owner(inquiry.account, inquiry.category) if auto else (owner, "manual")
        )
        previous = inquiry.owner_id
        updated = do_assign_inquiry(
            inquiry, target, acting_user=acting_user, method=method, now=now
        )
        changed += int(updated.owner_id != previous)
    return changed


@transaction.atomic
def do_set_watching(
    inquiry: Inquiry,
    user: User,
    watching: bool,
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> None:
    moment = now or timezone.now()
    is_watching = inquiry.watchers.filter(pk=user.pk).exists()
    if is_watching == watching:
        return
    if watching:
        inquiry.watchers.add(user)
    else:
        inquiry.watchers.remove(user)
    name = user.get_full_name() or user.username
    _event(
        inquiry,
        InquiryEventKind.WATCHING,
        f"{name} {'watches' if watching else 'stopped watching'}",
        acting_user,
        moment,
    )
    record_audit(
        actor=acting_user,
        action="inquiry.watch",
        obj=inquiry,
        account=inquiry.account,
        after={"watcher": user.pk, "watching": watching},
    )


@transaction.atomic
def do_merge_inquiries(
    duplicate: Inquiry,
    into: Inquiry,
    *,
    expected_version: int | None,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> Inquiry:
    """Close `duplicate` with a pointer to `into`; its notes, attachments, watchers and
    claim/call ids move to `into`."""
    moment = now or timezone.now()
    if duplicate.pk == into.pk:
        raise InquiryRuleError("An inquiry cannot be merged into itself.")
    first, second = sorted([duplicate.pk, into.pk])
    locked = {
        i.pk: i
        for i in Inquiry.objects.select_for_update(of=("self",))
        .select_related("account")
        .filter(pk__in=[first, second])
        .order_by("pk")
    }
    dup, target = locked[duplicate.pk], locked[into.pk]
    if expected_version is not None and dup.version != expected_version:
        raise EditConflict(dup, conflicting_changes(dup, expected_version))
    if dup.account_id != target.account_id:
        raise InquiryRuleError("Only inquiries of the same account can be merged.")
    if dup.merged_into_id is not None:
        raise InquiryRuleError(f"{dup.reference} is already merged.")
    if target.merged_into_id is not None:
        raise InquiryRuleError(
            f"{target.reference} was itself merged; merge into the inquiry it points to."
        )
    dup_before = _snap(dup, ["status", "merged_into", "resolution_code", "claim_ids", "call_ids"])
    target_before = _snap(target, ["claim_ids", "call_ids"])
    notes = InquiryNote.objects.filter(inquiry=dup).update(inquiry=target, moved_from=dup)
    attachments = InquiryAttachment.objects.filter(inquiry=dup).update(inquiry=target)
    watchers = list(dup.watchers.all())
    if dup.owner is not None and dup.owner != target.owner:
        watchers.append(dup.owner)
    target.watchers.add(*watchers)
    target.claim_ids = list(dict.fromkeys([*target.claim_ids, *dup.claim_ids]))
    target.call_ids = list(dict.fromkeys([*target.call_ids, *dup.call_ids]))
    if (
        target.claim_ids != target_before["claim_ids"]
        or target.call_ids != target_before["call_ids"]
    ):
        target.version += 1
        target.save()
    from_status = dup.status
    dup.status = Status.CLOSED
    dup.merged_into = target
    dup.resolution_code = ResolutionCode.DUPLICATE
    dup.resolution_summary = f"Duplicate of {target.reference}."
    dup.resolved_at = dup.resolved_at or moment
    dup.closed_at = moment
    dup.version += 1
    dup.save()
    InquiryStatusChange.objects.create(
        inquiry=dup,
        from_status=from_status,
        to_status=Status.CLOSED,
        at=moment,
        actor=_real(acting_user),
        reason=f"merged into {target.reference}",
    )
    _event(
        dup,
        InquiryEventKind.MERGED_INTO,
        f"Merged into {target.reference} by {_name(acting_user)}",
        acting_user,
        moment,
        into=target.pk,
        notes=notes,
        attachments=attachments,
    )
    _event(
        target,
        InquiryEventKind.MERGED_FROM,
        f"{dup.reference} merged in ({notes} notes, {attachments} attachments, "
        f"{len(watchers)} watchers moved)",
        acting_user,
        moment,
        duplicate=dup.pk,
    )
    record_audit(
        actor=acting_user,
        action="inquiry.merge",
        obj=dup,
        account=dup.account,
        before=dup_before,
        after=_snap(dup, ["status", "merged_into", "resolution_code", "claim_ids", "call_ids"]),
        detail={"into": target.pk, "notes_moved": notes, "attachments_moved": attachments},
    )
    record_audit(
        actor=acting_user,
        action="inquiry.merge_target",
        obj=target,
        account=target.account,
        before=target_before,
        after=_snap(target, ["claim_ids", "call_ids"]),
        detail={"duplicate": dup.pk},
    )
    _timeline(dup, f"Inquiry {dup.reference} merged into {target.reference}", acting_user, moment)
    sla.recompute([dup.pk, target.pk], now=moment)
    target.refresh_from_db()
    return target


@transaction.atomic
def do_add_attachment(
    inquiry: Inquiry,
    upload: UploadedFile[bytes],
    content_type: str,
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> InquiryAttachment:
    """Keep a file (already size- and type-checked by the form) under MEDIA_ROOT."""
    moment = now or timezone.now()
    attachment = InquiryAttachment(
        inquiry=inquiry,
        original_name=(upload.name or "file")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=_real(acting_user),
        uploaded_at=moment,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save()
    _event(
        inquiry,
        InquiryEventKind.ATTACHMENT,
        f"Attached {attachment.original_name}",
        acting_user,
        moment,
        attachment=attachment.pk,
    )
    record_audit(
        actor=acting_user,
        action="inquiry.attachment",
        obj=inquiry,
        account=inquiry.account,
        after={"attachment": attachment.pk, "size": attachment.size, "content_type": content_type},
    )
    return attachment


def record_member_reveal(inquiry: Inquiry, *, acting_user: Actor) -> AuditEvent:
    """Showing a member reference in full is on purpose, and it is written down."""
    return record_audit(
        actor=acting_user,
        action="inquiry.member_reference.view",
        obj=inquiry,
        account=inquiry.account,
        kind=AuditEvent.Kind.PHI_READ,
        detail={"field": "member_reference"},
    )


def record_attachment_download(attachment: InquiryAttachment, *, acting_user: Actor) -> AuditEvent:
    return record_audit(
        actor=acting_user,
        action="inquiry.attachment.download",
        obj=attachment.inquiry,
        account=attachment.inquiry.account,
        kind=AuditEvent.Kind.PHI_READ,
        detail={"attachment": attachment.pk},
    )


def record_export(
    *, acting_user: Actor, rows: int, fmt: str, filters: dict[str, Any]
) -> AuditEvent:
    return record_audit(
        actor=acting_user,
        action="inquiry.export",
        object_type="inquiries.inquiry",
        object_label=f"{rows} inquiries as {fmt}",
        kind=AuditEvent.Kind.EXPORT,
        detail={"rows": rows, "format": fmt, "filters": filters, "member_references": "masked"},
    )


# ── SLA policies, routing, competences ──────────────────────────────────────────────────


@transaction.atomic
def do_save_sla_policy(
    policy: SlaPolicy | None,
    data: dict[str, Any],
    *,
    acting_user: Actor,
    expected_version: int | None = None,
) -> SlaPolicy:
    """Create or change a policy. Deadlines follow at the next recompute
    (`do_apply_sla_policy` saves and recomputes the open inquiries it can match at once).
    Given `expected_version` (the one the page or the client read), a newer stored version
    raises StaleEdit and nothing changes."""
    fields = {name: value for name, value in data.items() if name in POLICY_FIELDS}
    if policy is not None:
        current = SlaPolicy.objects.select_for_update(of=("self",)).get(pk=policy.pk)
        update_audited(
            current,
            fields,
            allowed=POLICY_FIELDS,
            action="sla_policy.update",
            acting_user=acting_user,
            versioned=True,
            expected_version=expected_version,
        )
        return current
    current = SlaPolicy(**fields)
    current.full_clean()
    current.save()
    record_audit(
        actor=acting_user, action="sla_policy.create", obj=current, after=snapshot(current)
    )
    return current


def _open_matching(policy: SlaPolicy) -> set[int]:
    """The open inquiries a policy can match."""
    found = Inquiry.objects.filter(status__in=ACTIVE_STATUSES)
    if policy.tier:
        found = found.filter(account__tier=policy.tier)
    if policy.category:
        found = found.filter(category=policy.category)
    if policy.priority:
        found = found.filter(priority=policy.priority)
    return set(found.values_list("pk", flat=True))


@transaction.atomic
def do_apply_sla_policy(
    policy: SlaPolicy | None,
    data: dict[str, Any],
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
    chunk_size: int = 2000,
    expected_version: int | None = None,
) -> tuple[SlaPolicy, int]:
    """Create or change a policy and, in the same transaction, recompute the open inquiries
    it could match before or can match after the change, so the change shows at once (the
    escalation rules apply as in the SLA run: mail after commit, reassignment after a breach
    through `do_reassign_after_breach`). Returns the policy and how many were recomputed; a
    stale `expected_version` raises StaleEdit before anything changes."""
    moment = now or timezone.now()
    ids = _open_matching(SlaPolicy.objects.get(pk=policy.pk)) if policy is not None else set()
    saved = do_save_sla_policy(
        policy, data, acting_user=acting_user, expected_version=expected_version
    )
    ids |= _open_matching(saved)
    ordered = sorted(ids)
    loads: dict[int, int] = {}
    days: set[dt.date] = set()
    for start in range(0, len(ordered), chunk_size):
        sla.recompute(
            ordered[start : start + chunk_size],
            now=moment,
            reassign=do_reassign_after_breach,
            loads=loads,
            deferred_days=days,
        )
    sla.rebuild_outcome_days(days)
    return saved, len(ordered)


@transaction.atomic
def do_set_routing_rule(
    account: Account,
    method: str | None,
    use_competence: bool,
    *,
    acting_user: Actor,
    expected_version: int | None = None,
) -> RoutingRule | None:
    """Set how the account's new inquiries are assigned; None goes back to the default.
    Given `expected_version` (the rule's version the page showed; 0: it showed the default),
    a rule someone set, changed or removed since raises StaleEdit and nothing changes."""
    # The account's row locked first: with no rule yet there is no rule row to lock, and two
    # first saves at once would both insert (the second failing on the one-rule constraint).
    Account.objects.select_for_update().filter(pk=account.pk).first()
    rule = RoutingRule.objects.select_for_update().filter(account=account).first()
    check_version_of(
        rule,
        expected_version,
        lambda: RoutingRule(account=account, method="", use_competence=False, version=0),
    )
    if method is None:
        if rule is not None:
            record_audit(
                actor=acting_user,
                action="routing_rule.delete",
                obj=rule,
                account=account,
                before=snapshot(rule),
            )
            rule.delete()
        return None
    fields = {"method": method, "use_competence": use_competence}
    if rule is not None:
        update_audited(
            rule,
            fields,
            allowed=fields,
            action="routing_rule.update",
            acting_user=acting_user,
            account=account,
            versioned=True,
        )
        return rule
    rule = RoutingRule(account=account, version=_next_rule_version(account), **fields)
    rule.full_clean()
    rule.save()
    record_audit(
        actor=acting_user,
        action="routing_rule.create",
        obj=rule,
        account=account,
        after=snapshot(rule),
    )
    return rule


def _next_rule_version(account: Account) -> int:
    """A new rule's version goes on from the last removed rule's: starting again at 1, a page
    that showed the removed rule at version 1 would save over the new one unseen. The removed
    rules' versions are in their delete audit rows (the audit log is append-only)."""
    removed = AuditEvent.objects.filter(action="routing_rule.delete", account=account)
    versions = [
        int(before.get("version") or 0)
        for before in removed.values_list("before", flat=True)
        if isinstance(before, dict)
    ]
    return max(versions, default=0) + 1


class CompetencesChanged(Exception):
    """The associate's competences are no longer the ones the page showed: someone saved
    theirs since. Nothing was saved; `saved` is the stored set."""

    def __init__(self, user: User, saved: Iterable[str]) -> None:
        self.saved = sorted(saved)
        name = user.get_full_name() or user.get_username()
        super().__init__(
            f"Someone else saved {name}'s competences after you opened the page; nothing was "
            "saved. Compare both and save again."
        )


@transaction.atomic
def do_set_competences(
    user: User,
    categories: Iterable[str],
    *,
    acting_user: Actor,
    expected: Iterable[str] | None = None,
) -> None:
    """Set the categories an associate is competent in (the whole set). Given `expected` (the
    set the page showed), a set someone saved since raises CompetencesChanged: the set is its
    own version, compared on the associate's locked row."""
    wanted = set(categories)
    unknown = wanted - set(Category.values)
    if unknown:
        raise InquiryRuleError(f"Unknown categories: {', '.join(sorted(unknown))}")
    if not user.groups.filter(name=Role.ASSOCIATE).exists():
        raise InquiryRuleError("Competences are kept for associates.")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one writer of a set at once
    have = set(Competence.objects.filter(user=user).values_list("category", flat=True))
    if expected is not None and set(expected) != have:
        raise CompetencesChanged(user, have)
    if have == wanted:
        return
    Competence.objects.filter(user=user, category__in=have - wanted).delete()
    Competence.objects.bulk_create(Competence(user=user, category=c) for c in sorted(wanted - have))
    record_audit(
        actor=acting_user,
        action="competence.update",
        obj=user,
        object_type="auth.user",
        before={"categories": sorted(have)},
        after={"categories": sorted(wanted)},
    )


# ── account escalations ─────────────────────────────────────────────────────────────────


@transaction.atomic
def do_raise_escalation(
    account: Account, data: dict[str, Any], *, acting_user: Actor, now: dt.datetime | None = None
) -> AccountEscalation:
    """Escalate a whole sponsor relationship; the managers and the owner are told."""
    moment = now or timezone.now()
    escalation = AccountEscalation(
        account=account,
        raised_by=_real(acting_user),
        raised_at=moment,
        **{k: v for k, v in data.items() if k in ESCALATION_FIELDS and k != "status"},
    )
    escalation.full_clean()
    escalation.save()
    record_audit(
        actor=acting_user,
        action="escalation.create",
        obj=escalation,
        account=account,
        after=snapshot(escalation),
    )
    do_log_activity(
        account,
        kind=ActivityKind.CHANGE,
        subject=(
            f"Account escalated ({escalation.get_severity_display().lower()}): {escalation.title}"
        )[:200],
        body=escalation.reason,
        occurred_at=moment,
        acting_user=_real(acting_user),
        source_type="inquiries.AccountEscalation",
        source_id=str(escalation.pk),
    )
    outbox = Outbox()
    line = (
        f"{account.name} · {escalation.get_severity_display()} severity\n{escalation.title}\n"
        f"Raised by {_name(acting_user)}.\n{escalation_link(escalation)}"
    )
    outbox.add(
        [*managers(), escalation.owner],
        "account escalations",
        f"Account escalation: {account.name}",
        line,
    )
    outbox.flush()
    return escalation


@transaction.atomic
def do_update_escalation(
    escalation: AccountEscalation,
    changes: dict[str, Any],
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> AccountEscalation:
    """Change severity, status, owner or resolution; given `expected_version` (the one the page
    showed), a newer stored version raises StaleEdit and nothing changes."""
    moment = now or timezone.now()
    current = (
        AccountEscalation.objects.select_for_update(of=("self",))
        .select_related("account")
        .get(pk=escalation.pk)
    )

    def resolution(current: AccountEscalation, before: Mapping[str, Any]) -> None:
        if current.status == EscalationStatus.RESOLVED:
            if not current.resolution.strip():
                raise InquiryRuleError("Say how the escalation was resolved.")
            current.resolved_at = current.resolved_at or moment
        else:
            current.resolved_at = None

    changed = update_audited(
        current,
        changes,
        allowed=ESCALATION_FIELDS,
        action="escalation.update",
        acting_user=acting_user,
        account=current.account,
        before_clean=resolution,
        versioned=True,
        expected_version=expected_version,
    )
    if "status" in changed and current.status == EscalationStatus.RESOLVED:
        do_log_activity(
            current.account,
            kind=ActivityKind.CHANGE,
            subject=f"Account escalation resolved: {current.title}"[:200],
            body=current.resolution,
            occurred_at=moment,
            acting_user=_real(acting_user),
            source_type="inquiries.AccountEscalation",
            source_id=str(current.pk),
        )
    return current


@transaction.atomic
def do_add_escalation_note(
    escalation: AccountEscalation,
    body: str,
    *,
    acting_user: Actor,
    now: dt.datetime | None = None,
) -> EscalationNote:
    note = EscalationNote(
        escalation=escalation,
        author=_real(acting_user),
        body=body.strip(),
        at=now or timezone.now(),
    )
    note.full_clean()
    note.save()
    record_audit(
        actor=acting_user,
        action="escalation.note",
        obj=escalation,
        account=escalation.account,
        after={"note": note.pk, "body": note.body},
    )
    return note
