"""Who may see what of financials (account scope itself is accounts.access).

Margin, revenue, the MLR indicator, the renewal projection and plan pricing are for
Managers, Executives and Admins (the roles that see every account); associates see the
revenue-free service view (claims completed with IBNR). Assumptions: segment expense by
Admins, an account's terms by Managers and Admins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from clientdesk.accounts.access import AnyUser
from clientdesk.people.roles import MANAGES_ACCOUNTS, SEES_ALL_ACCOUNTS, Role, roles_of


def can_see_margin(user: AnyUser) -> bool:
    return bool(roles_of(user) & SEES_ALL_ACCOUNTS)


def require_margin(user: AnyUser) -> None:
    if not can_see_margin(user):
        raise PermissionDenied("Margin and MLR are for managers, executives and admins.")


def can_edit_terms(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def require_edit_terms(user: AnyUser) -> None:
    if not can_edit_terms(user):
        raise PermissionDenied("Financial terms are changed by managers and admins.")


def can_edit_expense(user: AnyUser) -> bool:
    return Role.ADMIN in roles_of(user)


def require_edit_expense(user: AnyUser) -> None:
    if not can_edit_expense(user):
        raise PermissionDenied("Segment expense is changed by admins.")
