"""The one way an action changes a saved object's editable fields: apply the allowed
fields, validate, save, and write one audit row only when something changed."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from clientdesk.audit.recording import record_audit, snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from clientdesk.accounts.models import Account

M = TypeVar("M", bound=models.Model)


class StaleEdit(Exception):
    """A save based on an older version of the record than the one stored: nothing was saved.

    `saved` is the stored record as it is now (its fields by name), `version` its version; the
    page shows it beside what the editor sent, the API answers 409 with it. `field`: the
    counter checked (a record may version one part of itself apart, e.g. a person's
    schedule), `what`: the words for it."""

    def __init__(
        self,
        instance: models.Model,
        expected: int,
        *,
        field: str = "version",
        what: str | None = None,
    ) -> None:
        self.instance = instance
        self.expected = expected
        self.version = int(getattr(instance, field, 0))
        self.saved = snapshot(instance)
        # Version 0 is "none yet" (a first attestation, a page that showed nothing recorded).
        seen = f"you edited version {expected}" if expected else "there was none when you did"
        super().__init__(
            f"Someone else saved {what or f'this {instance._meta.verbose_name}'} after you "
            f"opened it ({seen}, it is now version {self.version}); nothing was "
            "saved. Compare both versions and save again."
        )


def check_version(
    instance: models.Model,
    expected_version: object,
    *,
    field: str = "version",
    what: str | None = None,
) -> None:
    """Raise StaleEdit unless `expected_version` (from a form or a body; None: not checked,
    for callers that hold no version, e.g. the CLI) is the stored record's version (its
    `field`). Call it on the row the action locked (select_for_update)."""
    if expected_version is None or expected_version == "":
        return
    try:
        expected = int(str(expected_version))
    except ValueError:
        expected = 0
    if expected != getattr(instance, field, expected):
        raise StaleEdit(instance, expected, field=field, what=what)


def check_version_of(
    row: M | None,
    expected_version: object,
    absent: Callable[[], M],
    *,
    field: str = "version",
    what: str | None = None,
) -> None:
    """`check_version` for a record made by its first save (a setting, a stakeholder, a
    holding): no row is version 0, so a page that showed none (it posted 0) is refused once
    someone made it, and a page that showed version N is refused if the row is gone.
    `absent()` gives the unsaved record (version 0) the conflict page shows."""
    check_version(row if row is not None else absent(), expected_version, field=field, what=what)


def apply_changes(
    instance: models.Model, changes: Mapping[str, Any], allowed: Collection[str]
) -> None:
    """Set the named fields; a field outside `allowed` is a caller's error (ValueError)."""
    for name, value in changes.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be changed here")
        setattr(instance, name, value)


def _touched_on_save(instance: models.Model) -> set[str]:
    """Fields the save itself rewrites (auto_now timestamps): never a change of the user's."""
    return {
        field.name for field in instance._meta.concrete_fields if getattr(field, "auto_now", False)
    }


def update_audited(
    instance: M,
    changes: Mapping[str, Any],
    *,
    allowed: Collection[str],
    action: str,
    acting_user: AbstractBaseUser | AnonymousUser | None,
    account: Account | None = None,
    before_clean: Callable[[M, Mapping[str, Any]], None] | None = None,
    before_save: Callable[[M, list[str]], None] | None = None,
    audit_snapshot: Callable[[M], dict[str, Any]] | None = None,
    versioned: bool = False,
    expected_version: int | None = None,
) -> list[str]:
    """Apply `changes` (only `allowed` fields) to `instance`, run `before_clean(instance,
    before)` for the rules that derive fields from others, validate with `full_clean` and,
    when a field changed, run `before_save(instance, changed)` (e.g. a version bump), save
    and write one audit row (`action`) with the before and after snapshots (`audit_snapshot`
    when the trail must keep less, e.g. masked member data). Returns the names of the
    changed fields, in the model's order (empty: nothing saved, no audit row). A validation
    error is raised before anything is saved.

    `versioned`: the model's integer `version` field is saved + 1 (unless `before_save` bumped
    it); given `expected_version`, a row whose version moved on raises StaleEdit before
    anything changes.

    Must run inside the action's transaction, on a row the action locked."""
    if versioned:
        check_version(instance, expected_version)
    audited = audit_snapshot or snapshot
    before = snapshot(instance)
    audit_before = audited(instance)
    apply_changes(instance, changes, allowed)
    if before_clean is not None:
        before_clean(instance, before)
    instance.full_clean()
    ignored = _touched_on_save(instance)
    pending = snapshot(instance)
    changed = [
        name for name in pending if name not in ignored and pending[name] != before.get(name)
    ]
    if not changed:
        return []
    version = getattr(instance, "version", None)
    if before_save is not None:
        before_save(instance, changed)
    if versioned and getattr(instance, "version", None) == version:  # not bumped by the caller
        instance.version = int(str(version)) + 1  # type: ignore[attr-defined]
    instance.save()
    record_audit(
        actor=acting_user,
        action=action,
        obj=instance,
        account=account,
        before=audit_before,
        after=audited(instance),
    )
    return changed
