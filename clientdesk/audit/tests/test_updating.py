"""`update_audited`: the one apply → validate → save → audit block every update action uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from clientdesk.accounts.models import Account
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.updating import update_audited
from clientdesk.testing import Cast

ALLOWED = ["members", "region", "renewal_date", "broker"]


def _rows(account: Account) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action="x.update", object_id=str(account.pk)).order_by("id")
    )


def _update(account: Account, changes: Mapping[str, Any], cast: Cast, **kw: Any) -> list[str]:
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        return update_audited(
            locked,
            changes,
            allowed=ALLOWED,
            action="x.update",
            acting_user=cast.mia,
            account=locked,
            **kw,
        )


def test_no_change_saves_nothing_and_writes_no_row(cast: Cast) -> None:
    stamp = Account.objects.get(pk=cast.acme.pk).updated_at
    # Acme has 2,900 members in the Midwest: the same values are no change.
    assert _update(cast.acme, {"members": 2900, "region": "Midwest"}, cast) == []
    assert _rows(cast.acme) == []
    assert Account.objects.get(pk=cast.acme.pk).updated_at == stamp


def test_a_change_writes_one_row_with_the_changed_fields(cast: Cast) -> None:
    changed = _update(cast.acme, {"members": 3100, "region": "Midwest", "broker": "Marsh"}, cast)
    assert changed == ["members", "broker"]  # in the model's field order; region unchanged
    [row] = _rows(cast.acme)
    assert (row.actor_id, row.account_id, row.object_type) == (
        cast.mia.pk,
        cast.acme.pk,
        "accounts.account",
    )
    diff = {k: (old, new) for k, old, new in row.changed_fields() if k != "updated_at"}
    assert diff == {"broker": ("Gallagher", "Marsh"), "members": (2900, 3100)}
    assert Account.objects.get(pk=cast.acme.pk).members == 3100


def test_a_validation_error_saves_nothing(cast: Cast) -> None:
    # A renewal before the effective date (2019-01-01) breaks the model constraint.
    with pytest.raises(ValidationError):
        _update(cast.acme, {"members": 3100, "renewal_date": dt.date(2018, 1, 1)}, cast)
    assert _rows(cast.acme) == []
    fresh = Account.objects.get(pk=cast.acme.pk)
    assert (fresh.members, fresh.renewal_date) == (2900, dt.date(2027, 1, 1))


def test_a_field_outside_the_allowed_list_is_refused(cast: Cast) -> None:
    with pytest.raises(ValueError, match="name cannot be changed here"):
        _update(cast.acme, {"name": "Acme Renamed"}, cast)
    assert Account.objects.get(pk=cast.acme.pk).name == "Acme Steel Works"


def test_the_rule_hook_sees_the_before_snapshot(cast: Cast) -> None:
    seen: list[object] = []

    def derive(account: Account, before: Mapping[str, Any]) -> None:
        seen.append(before["members"])
        account.employees = account.members // 2

    assert _update(cast.acme, {"members": 3000}, cast, before_clean=derive) == [
        "employees",
        "members",
    ]
    assert seen == [2900]
    assert Account.objects.get(pk=cast.acme.pk).employees == 1500


def test_a_bump_before_the_save_and_a_narrower_trail(cast: Cast) -> None:
    # The inquiry pattern: a counter bumped only when something changed, and an audit
    # snapshot that keeps less than the row (here: members and employees only).
    bumped: list[list[str]] = []

    def bump(account: Account, changed: list[str]) -> None:
        bumped.append(list(changed))
        account.employees += 1

    def trail(account: Account) -> dict[str, Any]:
        return {"members": account.members, "employees": account.employees}

    assert _update(cast.acme, {"members": 2900}, cast, before_save=bump, audit_snapshot=trail) == []
    assert bumped == [] and _rows(cast.acme) == []
    assert _update(cast.acme, {"members": 3000}, cast, before_save=bump, audit_snapshot=trail) == [
        "members"
    ]
    assert bumped == [["members"]]
    [row] = _rows(cast.acme)
    assert (row.before, row.after) == (
        {"members": 2900, "employees": 1200},
        {"members": 3000, "employees": 1201},
    )
    assert Account.objects.get(pk=cast.acme.pk).employees == 1201
