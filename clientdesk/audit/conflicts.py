"""A stale save, shown to the person who made it: both versions side by side.

The edit pages of versioned records (account, contact, problem) post the version they showed;
when someone else saved first, the action raises StaleEdit and the page answers 409 with the
editor's own values still in the form, a table of the stored version beside theirs, and the
new version in the form, so saving again is a decision taken with both in view.

Every versioned edit page and PATCH route does this the same way, through two helpers:
`save_or_conflict` (a page: None when saved, else the 409 page) and `saved_or_409` (the API:
the saved object, else `Status(409, {detail, version, saved})`, schema `StaleEditOut`). The
template includes `audit/_version_field.html` in its form and `audit/_conflict.html` above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Status

from clientdesk.audit.updating import StaleEdit

T = TypeVar("T")


@dataclass(frozen=True)
class ConflictRow:
    label: str
    saved: str
    yours: str
    differs: bool


def posted_version(request: HttpRequest, name: str = "version") -> int | None:
    """The version the edit page showed (None: the form sent none, e.g. an old tab). `name`:
    a page that offers several records in one form posts each one's as its own field."""
    raw = request.POST.get(name, "").strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdecimal() and len(raw) < 12 else 0


def _shown(value: Any, field: forms.Field | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, models.Model):
        return str(value)
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(value, list | tuple):
        labels = {str(k): v for k, v in choices}
        return str(labels.get(str(value), value))
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value if v not in (None, ""))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def conflict_rows(conflict: StaleEdit, form: forms.BaseForm) -> list[ConflictRow]:
    """Each field of the form: the stored value and the editor's, differing ones marked."""
    rows = []
    cleaned = getattr(form, "cleaned_data", {}) or {}
    for name, field in form.fields.items():
        if name not in cleaned or not hasattr(conflict.instance, name):
            continue
        saved = _shown(getattr(conflict.instance, name), field)
        yours = _shown(cleaned[name], field)
        rows.append(ConflictRow(str(field.label or name), saved, yours, saved != yours))
    return rows


def conflict_context(conflict: StaleEdit, form: forms.BaseForm) -> dict[str, Any]:
    form.add_error(None, str(conflict))
    return {"conflict_rows": conflict_rows(conflict, form), "edit_version": conflict.version}


def save_or_conflict(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[int | None], object],
    *,
    template: str,
    context: dict[str, Any],
) -> HttpResponse | None:
    """Run `save(expected_version)` with the version the page posted (the action passes it on
    as `expected_version`). None: saved, the view goes on (message, redirect). A StaleEdit:
    the edit page again, 409, the editor's values in `form`, both versions side by side and
    the stored version in the form (`context` gets `conflict_rows` and `edit_version`)."""
    try:
        save(posted_version(request))
    except StaleEdit as stale:
        context.update(conflict_context(stale, form))
        return render(request, template, context, status=409)
    return None


def saved_or_409(save: Callable[[], T]) -> T | Status[Any]:
    """The API's half: the result of `save()`, or 409 `{detail, version, saved}` (declare
    `409: StaleEditOut` from lib.api_types in the route's responses) when the body's version
    is stale."""
    try:
        return save()
    except StaleEdit as stale:
        return Status(409, {"detail": str(stale), "version": stale.version, "saved": stale.saved})
