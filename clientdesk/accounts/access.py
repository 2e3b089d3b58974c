"""Account scope, decided in one place.

Every view, API route, export and lake read asks these functions which accounts a user may see
or change. "Not yours" and "does not exist" both answer 404, so ids reveal nothing.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from clientdesk.accounts.models import Account
from clientdesk.lib.record_ids import parse_record_id
from clientdesk.people.roles import (
    EDITS_ASSIGNED_ACCOUNTS,
    MANAGES_ACCOUNTS,
    SEES_ALL_ACCOUNTS,
    roles_of,
)
from clientdesk.people.roles import can_read_audit as can_read_audit  # the account page asks here

AnyUser = AbstractBaseUser | AnonymousUser


class Need(StrEnum):
    READ = "read"  # see the account and everything on it
    WRITE = "write"  # log activity, keep contacts and handling instructions
    MANAGE = "manage"  # change the account's facts, contracts and team


def _user_id(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0  # 0 matches no one


def accounts_visible_to(user: AnyUser) -> QuerySet[Account]:
    """Every account the user may read."""
    roles = roles_of(user)
    if roles & SEES_ALL_ACCOUNTS:
        return Account.objects.all()
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        return Account.objects.filter(assignments__user_id=_user_id(user))
    return Account.objects.none()


def visible_account_ids(user: AnyUser) -> list[int] | None:
    """Ids of the visible accounts, or None meaning every account (for lake reads)."""
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return None
    return list(accounts_visible_to(user).values_list("id", flat=True))


def can(user: AnyUser, account: Account, need: Need) -> bool:
    roles = roles_of(user)
    if need == Need.READ:
        return accounts_visible_to(user).filter(pk=account.pk).exists()
    if roles & MANAGES_ACCOUNTS:
        return True
    if need == Need.WRITE and roles & EDITS_ASSIGNED_ACCOUNTS:
        return account.assignments.filter(user_id=_user_id(user)).exists()
    return False


def can_create_accounts(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def access_account_by_id(user: AnyUser, account_id: int, *, need: Need = Need.READ) -> Account:
    """The account, if the user may see it (else 404) and do what they need (else 403)."""
    account = accounts_visible_to(user).filter(pk=account_id).first()
    if account is None:
        raise Http404("No such account.")
    if need != Need.READ and not can(user, account, need):
        raise PermissionDenied("You can see this account but not change it.")
    return account


def access_account_by_reference(
    user: AnyUser, reference: str, *, need: Need = Need.READ
) -> Account:
    """The account by id or by sponsor group number (as the CLI accepts either)."""
    visible = accounts_visible_to(user)
    account = visible.filter(group_number=reference.upper()).first()
    pk = parse_record_id(reference)
    if account is None and pk is not None:
        account = visible.filter(pk=pk).first()
    if account is None:
        raise Http404(f"No account {reference!r}.")
    if need != Need.READ and not can(user, account, need):
        raise PermissionDenied("You can see this account but not change it.")
    return account
