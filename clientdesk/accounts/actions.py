"""Every write to the account book: one transaction, one audit row each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.models import (
    Account,
    ActivityEvent,
    ActivityKind,
    Assignment,
    Contact,
    Contract,
)
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import update_audited

ACCOUNT_FIELDS = [
    "name",
    "group_number",
    "segment",
    "funding",
    "tier",
    "status",
    "employees",
    "members",
    "state",
    "region",
    "timezone",
    "broker",
    "effective_date",
    "renewal_date",
    "parent",
    "special_handling",
]
CONTACT_FIELDS = ["name", "title", "role", "email", "phone", "is_primary", "notes"]
CONTRACT_FIELDS = [
    "number",
    "start_date",
    "end_date",
    "products",
    "admin_fee_pepm",
    "premium_pmpm",
]


@transaction.atomic
def do_create_account(data: dict[str, Any], *, acting_user: User | None) -> Account:
    account = Account(**{k: v for k, v in data.items() if k in ACCOUNT_FIELDS})
    account.full_clean()
    account.save()
    record_audit(
        actor=acting_user,
        action="account.create",
        obj=account,
        account=account,
        after=snapshot(account),
    )
    return account


@transaction.atomic
def do_update_account(
    account: Account,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Account:
    """Change the account; StaleEdit when `expected_version` is not the stored one."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    update_audited(
        account,
        changes,
        allowed=ACCOUNT_FIELDS,
        action="account.update",
        acting_user=acting_user,
        account=account,
        versioned=True,
        expected_version=expected_version,
    )
    return account


@transaction.atomic
def do_add_contact(account: Account, data: dict[str, Any], *, acting_user: User | None) -> Contact:
    contact = Contact(account=account, **{k: v for k, v in data.items() if k in CONTACT_FIELDS})
    if contact.is_primary:
        _clear_primary(account, acting_user=acting_user)
    contact.full_clean()
    contact.save()
    record_audit(
        actor=acting_user,
        action="contact.create",
        obj=contact,
        account=account,
        after=snapshot(contact),
    )
    return contact


@transaction.atomic
def do_update_contact(
    contact: Contact,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Contact:
    """Change the contact; StaleEdit when `expected_version` is not the stored one."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)

    def one_primary(contact: Contact, before: Mapping[str, Any]) -> None:
        if contact.is_primary and not before["is_primary"]:
            _clear_primary(contact.account, acting_user=acting_user)

    update_audited(
        contact,
        changes,
        allowed=CONTACT_FIELDS,
        action="contact.update",
        acting_user=acting_user,
        account=contact.account,
        before_clean=one_primary,
        versioned=True,
        expected_version=expected_version,
    )
    return contact


def _clear_primary(account: Account, *, acting_user: User | None) -> None:
    for previous in Contact.objects.filter(account=account, is_primary=True):
        before = snapshot(previous)
        previous.is_primary = False
        previous.save(update_fields=["is_primary"])
        record_audit(
            actor=acting_user,
            action="contact.update",
            obj=previous,
            account=account,
            before=before,
            after=snapshot(previous),
            detail={"reason": "new primary contact"},
        )


@transaction.atomic
def do_remove_contact(contact: Contact, *, acting_user: User | None) -> None:
    before = snapshot(contact)
    account = contact.account
    record_audit(
        actor=acting_user, action="contact.delete", obj=contact, account=account, before=before
    )
    contact.delete()


@transaction.atomic
def do_create_contract(
    account: Account, data: dict[str, Any], *, acting_user: User | None
) -> Contract:
    contract = Contract(account=account, **{k: v for k, v in data.items() if k in CONTRACT_FIELDS})
    contract.full_clean()
    contract.save()
    record_audit(
        actor=acting_user,
        action="contract.create",
        obj=contract,
        account=account,
        after=snapshot(contract),
    )
    return contract


@transaction.atomic
def do_update_contract(
    contract: Contract,
    changes: dict[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Contract:
    """Change the contract; StaleEdit when `expected_version` is not the stored one."""
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    update_audited(
        contract,
        changes,
        allowed=CONTRACT_FIELDS,
        action="contract.update",
        acting_user=acting_user,
        account=contract.account,
        versioned=True,
        expected_version=expected_version,
    )
    return contract


TeamShown = frozenset[tuple[int, str]]


def team_of(account: Account) -> TeamShown:
    """The account team as a page or a reader sees it: (user id, role) of each assignment."""
    return frozenset(Assignment.objects.filter(account=account).values_list("user_id", "role"))


class TeamChanged(Exception):
    """The account team is no longer the one the page showed: someone assigned, changed or
    removed an associate since. Nothing was saved; `saved` is the stored team."""

    def __init__(self, account: Account, saved: TeamShown) -> None:
        self.account = account
        self.saved = saved
        super().__init__(
            f"Someone else changed the {account.name} team after you opened it; nothing was "
            "saved. Compare both and save again."
        )


def _lock_team(account: Account, expected: TeamShown | None) -> None:
    """One writer of an account's team at once (the account's row locked), and, given the
    team the page showed, TeamChanged when the stored one differs: the team is its own
    version, as an associate's competences are."""
    Account.objects.select_for_update().filter(pk=account.pk).first()
    if expected is None:
        return
    saved = team_of(account)
    if saved != expected:
        raise TeamChanged(account, saved)


@transaction.atomic
def do_assign(
    account: Account,
    user: User,
    role: str,
    *,
    acting_user: User | None,
    since: dt.date | None = None,
    expected_team: TeamShown | None = None,
) -> Assignment:
    """Put an associate on the account team; a new lead replaces the previous lead. Given
    `expected_team` (the team the page showed), a team changed since raises TeamChanged."""
    _lock_team(account, expected_team)
    if role == "lead":
        for previous in Assignment.objects.filter(account=account, role="lead").exclude(user=user):
            demoted = snapshot(previous)
            previous.role = "backup"
            previous.save(update_fields=["role"])
            record_audit(
                actor=acting_user,
                action="assignment.update",
                obj=previous,
                account=account,
                before=demoted,
                after=snapshot(previous),
                detail={"reason": "new lead"},
            )
    assignment = Assignment.objects.filter(account=account, user=user).first()
    before: dict[str, Any] | None = snapshot(assignment) if assignment else None
    if assignment is None:
        assignment = Assignment(account=account, user=user)
        assignment.since = since or timezone.localdate()
    assignment.role = role
    assignment.full_clean(validate_constraints=False)
    assignment.save()
    record_audit(
        actor=acting_user,
        action="assignment.update" if before else "assignment.create",
        obj=assignment,
        account=account,
        before=before,
        after=snapshot(assignment),
    )
    return assignment


@transaction.atomic
def do_unassign(
    assignment: Assignment, *, acting_user: User | None, expected_team: TeamShown | None = None
) -> None:
    """Take an associate off the account team. Given `expected_team` (the team the page
    showed), a team changed since raises TeamChanged."""
    _lock_team(assignment.account, expected_team)
    if not Assignment.objects.filter(pk=assignment.pk).exists():
        return  # removed by someone else since: the team is as asked
    record_audit(
        actor=acting_user,
        action="assignment.delete",
        obj=assignment,
        account=assignment.account,
        before=snapshot(assignment),
    )
    assignment.delete()


@transaction.atomic
def do_log_activity(
    account: Account,
    *,
    kind: str,
    subject: str,
    body: str = "",
    occurred_at: dt.datetime | None = None,
    contacts: list[Contact] | None = None,
    acting_user: User | None,
    source_type: str = "",
    source_id: str = "",
) -> ActivityEvent:
    """Add an entry to the account's timeline (people log meetings; capabilities add events)."""
    event = ActivityEvent(
        account=account,
        kind=kind,
        subject=subject,
        body=body,
        occurred_at=occurred_at or timezone.now(),
        actor=acting_user if acting_user is not None and acting_user.is_authenticated else None,
        source_type=source_type,
        source_id=source_id,
    )
    event.full_clean()
    event.save()
    if contacts:
        event.contacts.set(contacts)
    if kind in {
        ActivityKind.MEETING,
        ActivityKind.VISIT,
        ActivityKind.CALL,
        ActivityKind.EMAIL,
        ActivityKind.NOTE,
    }:
        record_audit(
            actor=acting_user,
            action="activity.create",
            obj=event,
            account=account,
            after=snapshot(event),
        )
    return event
