"""Writing audit rows. Called by every action inside its transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from clientdesk.audit.models import AuditEvent
from clientdesk.lib.member_data_gates import MEMBER_DATA_GATES

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from clientdesk.accounts.models import Account


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of a model's concrete field values, for before/after columns."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        data[field.name] = _json_safe(value)
    return data


def _json_safe(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class AuditEntry:
    """One audit row to append with `record_audits` (the arguments of `record_audit`)."""

    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_label: str = ""
    account: Account | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    detail: dict[str, Any] | None = None


def record_audit(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    account: Account | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    kind: str = AuditEvent.Kind.WRITE,
) -> AuditEvent:
    """Append one audit row. Must run inside the caller's transaction, so the row and the
    change it records commit or roll back together."""
    entry = AuditEntry(
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        account=account,
        before=before,
        after=after,
        detail=detail,
    )
    event = _event(entry, actor=actor, kind=kind, at=_checked_now(kind, actor))
    event.save()
    return event


def record_audits(
    entries: Iterable[AuditEntry],
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    kind: str = AuditEvent.Kind.WRITE,
    batch_size: int = 1000,
) -> list[AuditEvent]:
    """Append many audit rows by one actor at once (inserted in batches), each the row
    `record_audit` would write, all with the same time. For actions that change thousands of
    objects in one transaction (storing a book's guarantee results), where one insert per
    row would dominate the action's time. Same rule: inside the caller's transaction."""
    at = _checked_now(kind, actor)
    events = [_event(entry, actor=actor, kind=kind, at=at) for entry in entries]
    return AuditEvent.objects.bulk_create(events, batch_size=batch_size)


def _checked_now(kind: str, actor: object = None) -> dt.datetime:
    if kind == AuditEvent.Kind.WRITE and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write audit rows must be recorded inside the action's transaction")
    now = timezone.now()
    if kind == AuditEvent.Kind.PHI_READ:
        # Every member-level look is audited here, so here it is refused when a gate says
        # so (lapsed HIPAA training: lib/member_data_gates.py); nothing is shown, no row.
        MEMBER_DATA_GATES.require(actor, now)
    return now


def _name(user: AbstractBaseUser) -> str:
    """The person as the trail names them: their full name, the login only when they have
    none (a service account)."""
    full_name = getattr(user, "get_full_name", None)
    return (full_name() if callable(full_name) else "") or user.get_username()


def _event(
    entry: AuditEntry,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    kind: str,
    at: dt.datetime,
) -> AuditEvent:
    """The unsaved row for one entry."""
    object_type, object_id, object_label = entry.object_type, entry.object_id, entry.object_label
    if entry.obj is not None:
        object_type = object_type or entry.obj._meta.label_lower
        object_id = object_id or str(entry.obj.pk)
        object_label = object_label or str(entry.obj)[:255]
    real_actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent(
        at=at,
        actor_id=real_actor.pk if real_actor is not None else None,
        actor_label=_name(real_actor) if real_actor is not None else "system",
        kind=kind,
        action=entry.action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        account=entry.account,
        before=_json_safe(entry.before) if entry.before is not None else None,
        after=_json_safe(entry.after) if entry.after is not None else None,
        detail=_json_safe(entry.detail or {}),
    )
