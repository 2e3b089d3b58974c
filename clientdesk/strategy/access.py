"""Who may see and change what in strategy, in one place.

- Calls to action, plans, health, visits and the relationship map follow the account
  (accounts/access.py): whoever reads the account reads them; the account's team and managers
  work calls, draft plans and log visits (Need.WRITE); managers approve plans, set health
  weights and override a band (Need.MANAGE). Executives read everything and change nothing.
- Directives: the account's readers, and the service-operations users who work a problem of
  the account (they own it or one of its corrective actions); those users acknowledge them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clientdesk.accounts.access import AnyUser, Need, accounts_visible_to, can
from clientdesk.accounts.models import Account
from clientdesk.insights.models import Problem
from clientdesk.people.roles import MANAGES_ACCOUNTS, Role, roles_of
from clientdesk.strategy.models import AccountPlan, CallToAction, Directive, Visit


def _uid(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0


def manages(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def calls_visible_to(user: AnyUser) -> QuerySet[CallToAction]:
    return CallToAction.objects.filter(account__in=accounts_visible_to(user))


def access_call_by_id(user: AnyUser, call_id: int, *, need: Need = Need.READ) -> CallToAction:
    call = calls_visible_to(user).select_related("account", "owner").filter(pk=call_id).first()
    if call is None:
        raise Http404("No such call to action.")
    if need != Need.READ and not can(user, call.account, need):
        raise PermissionDenied("You can see this call to action but not work it.")
    return call


def access_plan_by_id(user: AnyUser, plan_id: int, *, need: Need = Need.READ) -> AccountPlan:
    plan = (
        AccountPlan.objects.filter(account__in=accounts_visible_to(user), pk=plan_id)
        .select_related("account")
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    if need != Need.READ and not can(user, plan.account, need):
        raise PermissionDenied("You can see this plan but not change it.")
    return plan


def access_visit_by_id(user: AnyUser, visit_id: int, *, need: Need = Need.READ) -> Visit:
    visit = (
        Visit.objects.filter(account__in=accounts_visible_to(user), pk=visit_id)
        .select_related("account")
        .first()
    )
    if visit is None:
        raise Http404("No such visit.")
    if need != Need.READ and not can(user, visit.account, need):
        raise PermissionDenied("You can see this visit but not change it.")
    return visit


def worked_account_ids(user: AnyUser) -> QuerySet[Problem, Any]:
    """Accounts whose problems a service-operations user works (owns the problem or one of its
    corrective actions), as a subquery of account ids."""
    uid = _uid(user)
    return (
        Problem.objects.filter(Q(owner_id=uid) | Q(actions__owner_id=uid), account__isnull=False)
        .values("account_id")
        .distinct()
    )


def directive_accounts(user: AnyUser) -> QuerySet[Account]:
    """Accounts whose directives the user reads: visible accounts, and for service operations
    the accounts whose problems they work."""
    if Role.SERVICE_OPS in roles_of(user):
        return Account.objects.filter(
            Q(pk__in=accounts_visible_to(user).values("pk")) | Q(pk__in=worked_account_ids(user))
        )
    return accounts_visible_to(user)


def can_browse_directives(user: AnyUser) -> bool:
    return bool(roles_of(user))


def access_directive_account(user: AnyUser, account_id: int) -> Account:
    account = directive_accounts(user).filter(pk=account_id).first()
    if account is None:
        raise Http404("No such account.")
    return account


def access_directive_by_id(
    user: AnyUser, directive_id: int, *, need: Need = Need.READ
) -> Directive:
    directive = (
        Directive.objects.filter(account__in=directive_accounts(user), pk=directive_id)
        .select_related("account")
        .first()
    )
    if directive is None:
        raise Http404("No such directive.")
    if need != Need.READ and not can(user, directive.account, need):
        raise PermissionDenied("You can read this directive but not change it.")
    return directive


def can_acknowledge(user: AnyUser) -> bool:
    return Role.SERVICE_OPS in roles_of(user)
