"""Writing audit rows. Called by every action inside its transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from clientdesk.audit.models import AuditEvent

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
    if kind == AuditEvent.Kind.WRITE and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write audit rows must be recorded inside the action's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:255]
    real_actor = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor_id=real_actor.pk if real_actor is not None else None,
        actor_label=real_actor.get_username() if real_actor is not None else "system",
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        account=account,
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        detail=_json_safe(detail or {}),
    )
