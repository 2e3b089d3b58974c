"""The audit trail is append-only, written in the action's transaction, and readable by role."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account
from clientdesk.audit.models import AppendOnlyError, AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.testing import Cast


def test_rows_cannot_be_changed_or_deleted(cast: Cast) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_a_failed_action_leaves_no_audit_row(cast: Cast) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        actions.do_update_account(cast.acme, {"renewal_date": cast.acme.effective_date},
                                  acting_user=cast.mia)  # fmt: skip
    assert AuditEvent.objects.count() == before
    assert Account.objects.get(pk=cast.acme.pk).renewal_date.year == 2027


def test_write_rows_need_a_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        record_audit(actor=None, action="x.y", object_type="x", object_id="1")


def test_every_cast_write_is_recorded_with_its_actor(cast: Cast) -> None:
    rows = AuditEvent.objects.filter(account=cast.acme).order_by("id")
    assert [(r.action, r.actor_label) for r in rows] == [
        ("account.create", "mia"),
        ("assignment.create", "mia"),
        ("assignment.create", "mia"),
        ("contact.create", "alice"),
        ("contract.create", "mia"),
    ]


def test_manager_reads_per_account_and_per_user(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    per_account = client.get(reverse("audit:account", args=[cast.acme.pk])).content.decode()
    assert "contact.create" in per_account and "G100002" not in per_account
    per_user = client.get(reverse("audit:user", args=[cast.alice.pk])).content.decode()
    assert "contact.create" in per_user and "account.create" not in per_user


def test_audit_list_filters_by_kind(cast: Cast, client: Client) -> None:
    client.force_login(cast.ada)
    page = client.get(reverse("audit:list"), {"kind": "phi_read"}).content.decode()
    assert "Nothing recorded." in page
