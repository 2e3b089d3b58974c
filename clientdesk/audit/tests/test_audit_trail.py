"""The audit trail is append-only, written in the action's transaction, and readable by role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account
from clientdesk.audit.models import AppendOnlyError, AuditEvent
from clientdesk.audit.recording import AuditEntry, record_audit, record_audits
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
        actions.do_update_account(
            cast.acme, {"renewal_date": cast.acme.effective_date}, acting_user=cast.mia
        )
    assert AuditEvent.objects.count() == before
    assert Account.objects.get(pk=cast.acme.pk).renewal_date.year == 2027


def test_write_rows_need_a_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        record_audit(actor=None, action="x.y", object_type="x", object_id="1")


def test_bulk_rows_are_the_rows_record_audit_writes(cast: Cast) -> None:
    entries = [
        AuditEntry(
            action="x.create",
            obj=cast.acme_contract,
            account=cast.acme,
            after={"fee": Decimal("41.50"), "on": dt.date(2026, 3, 31)},
        ),
        AuditEntry(
            action="x.update",
            object_type="x.thing",
            object_id="7",
            object_label="seven",
            before={"n": 1},
            after={"n": 2},
        ),
    ]
    with transaction.atomic():
        bulk = record_audits(entries, actor=cast.alice)
        one = record_audit(
            actor=cast.alice,
            action="x.create",
            obj=cast.acme_contract,
            account=cast.acme,
            after={"fee": Decimal("41.50"), "on": dt.date(2026, 3, 31)},
        )
    rows = list(AuditEvent.objects.filter(action__startswith="x.").order_by("id"))
    assert [r.pk for r in rows[:2]] == [e.pk for e in bulk] and rows[2].pk == one.pk

    def shape(r: AuditEvent) -> tuple[object, ...]:
        return (
            r.actor_id,
            r.actor_label,
            r.kind,
            r.action,
            r.object_type,
            r.object_id,
            r.object_label,
            r.account_id,
            r.before,
            r.after,
            r.detail,
        )

    assert (
        shape(rows[0])
        == shape(rows[2])
        == (
            cast.alice.pk,
            "Alice Owner",
            "write",
            "x.create",
            "accounts.contract",
            str(cast.acme_contract.pk),
            str(cast.acme_contract),
            cast.acme.pk,
            None,
            {"fee": "41.50", "on": "2026-03-31"},
            {},
        )
    )
    assert shape(rows[1]) == (
        cast.alice.pk,
        "Alice Owner",
        "write",
        "x.update",
        "x.thing",
        "7",
        "seven",
        None,
        {"n": 1},
        {"n": 2},
        {},
    )
    assert rows[0].at == rows[1].at
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=rows[0].pk).update(action="tampered")


def test_bulk_write_rows_need_a_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        record_audits([AuditEntry(action="x.y", object_type="x", object_id="1")], actor=None)
    assert not AuditEvent.objects.filter(action="x.y").exists()


def test_every_cast_write_is_recorded_with_its_actor(cast: Cast) -> None:
    rows = AuditEvent.objects.filter(account=cast.acme).order_by("id")
    assert [(r.action, r.actor_label) for r in rows] == [
        ("account.create", "Mia Manager"),
        ("assignment.create", "Mia Manager"),
        ("assignment.create", "Mia Manager"),
        ("contact.create", "Alice Owner"),
        ("contract.create", "Mia Manager"),
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
