"""Scope of inquiries and account escalations: the account's scope, decided by
clientdesk.accounts.access. Not yours and does not exist both answer 404; a read-only role
asking to change something gets 403.

Showing a member reference in full, downloading an attachment and every write need WRITE
on the account (the people who work the inquiry); reading needs READ.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from clientdesk.accounts.access import AnyUser, Need, access_account_by_id, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.inquiries.models import AccountEscalation, Inquiry
from clientdesk.people.roles import MANAGES_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of


def inquiries_visible_to(user: AnyUser) -> QuerySet[Inquiry]:
    """Every inquiry on an account the user may read."""
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return Inquiry.objects.all()
    return Inquiry.objects.filter(account__in=accounts_visible_to(user).values("pk"))


def writable_accounts(user: AnyUser) -> QuerySet[Account]:
    """Accounts on which the user may open and work inquiries."""
    roles = roles_of(user)
    if roles & MANAGES_ACCOUNTS:
        return Account.objects.all()
    if roles & SEES_ALL_ACCOUNTS:
        return Account.objects.none()  # executives read the portfolio and change nothing
    return accounts_visible_to(user)


def access_inquiry_by_id(user: AnyUser, inquiry_id: int, *, need: Need = Need.READ) -> Inquiry:
    """The inquiry, if its account is the user's (else 404) and they may do what they need
    (else 403)."""
    inquiry = Inquiry.objects.select_related("account").filter(pk=inquiry_id).first()
    if inquiry is None:
        raise Http404("No such inquiry.")
    inquiry.account = access_account_by_id(user, inquiry.account_id, need=need)
    return inquiry


def access_escalation_by_id(
    user: AnyUser, escalation_id: int, *, need: Need = Need.READ
) -> AccountEscalation:
    escalation = AccountEscalation.objects.filter(pk=escalation_id).first()
    if escalation is None:
        raise Http404("No such escalation.")
    escalation.account = access_account_by_id(user, escalation.account_id, need=need)
    return escalation


def can_manage_queues(user: AnyUser) -> bool:
    """Managers and admins: bulk reassignment, SLA policies, routing rules."""
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def require_queue_manager(user: AnyUser) -> None:
    if not can_manage_queues(user):
        raise PermissionDenied("Only managers and admins change queues and SLA policies.")


def can_see_dashboard(user: AnyUser) -> bool:
    """The manager's dashboard: managers, admins and executives (read-only)."""
    return bool(roles_of(user) & SEES_ALL_ACCOUNTS)
