"""The audit trail in words: what changed, as a manager reads it.

Audit rows keep values as they were stored (a foreign key as its id, a choice as its code, a
time in ISO with microseconds), so the trail never depends on today's labels to be true. This
module turns a page of rows into readable changes at read time: the field's label, a person's
name instead of a user id, a choice's label instead of its code, a time in the one house
format. Bookkeeping fields (``updated_at``, ``version``) are left out of what is shown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from clientdesk.audit.models import AuditEvent
from clientdesk.lib import formatting

NOT_SHOWN = frozenset({"updated_at", "version"})
EMPTY = "—"


@dataclass(frozen=True)
class Change:
    """One field of one row: its label, and the value before and after in words (``None``
    when the row has no before, as for a creation)."""

    label: str
    before: str | None
    after: str


def _model(object_type: str) -> type[models.Model] | None:
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _person(user: models.Model) -> str:
    if isinstance(user, AbstractUser):
        return user.get_full_name() or user.get_username()
    return str(user)


def _is_key(related: type[models.Model], value: Any) -> bool:
    """Whether `value` can be a key of `related` (a row may name a person by username, as an
    API token's `user` does: that is not an id to look up)."""
    try:
        related._meta.pk.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def _related_labels(
    wanted: dict[type[models.Model], set[Any]],
) -> dict[tuple[type[models.Model], str], str]:
    """One query per related model on the page: (model, str(pk)) -> the object's name."""
    labels: dict[tuple[type[models.Model], str], str] = {}
    for model, ids in wanted.items():
        for obj in model._default_manager.filter(pk__in=ids):
            labels[(model, str(obj.pk))] = _person(obj)
    return labels


def _time(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return formatting.moment(moment, timezone.get_current_timezone() if moment.tzinfo else None)


def _words(
    field: models.Field[Any, Any] | None,
    value: Any,
    labels: dict[tuple[type[models.Model], str], str],
) -> str:
    if value is None or value == "":
        return EMPTY
    if field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model
        if isinstance(related, type):
            ids = value if isinstance(value, list | tuple) else [value]  # many-to-many: ids
            names = [
                labels.get((related, str(v)), f"#{v} (removed)") if _is_key(related, v) else str(v)
                for v in ids
            ]
            return ", ".join(names) if names else EMPTY
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return _time(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formatting.date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(events: Sequence[AuditEvent]) -> dict[int, list[Change]]:
    """Each row's changed fields in words, by row id, reading the related names of the whole
    page in one query per related model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    fields: dict[int, list[tuple[str, models.Field[Any, Any] | None, Any, Any]]] = {}
    for event in events:
        model = _model(event.object_type)
        rows = []
        for name, old, new in event.changed_fields():
            if name in NOT_SHOWN:
                continue
            field = _field(model, name)
            if field is not None and field.is_relation and isinstance(field.related_model, type):
                for value in (old, new):
                    ids = value if isinstance(value, list | tuple) else [value]
                    related = field.related_model
                    wanted[related].update(v for v in ids if v is not None and _is_key(related, v))
            rows.append((name, field, old, new))
        fields[event.pk] = rows
    labels = _related_labels(wanted)
    had_before = {event.pk: event.before is not None for event in events}
    return {
        pk: [
            Change(
                label=capfirst(str(field.verbose_name)) if field is not None else capfirst(name),
                before=_words(field, old, labels) if had_before[pk] else None,
                after=_words(field, new, labels),
            )
            for name, field, old, new in rows
        ]
        for pk, rows in fields.items()
    }


def with_changes(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """The rows, each with ``changes`` set to its readable changes (for a template)."""
    page = list(events)
    changes = readable_changes(page)
    for event in page:
        event.changes = changes[event.pk]  # type: ignore[attr-defined]
    return page
