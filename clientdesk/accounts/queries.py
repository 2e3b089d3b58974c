"""Reads of the account book, always starting from the caller's visible accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.accounts.models import Account, AccountStatus, Assignment, Contact, Contract


def filtered_accounts(
    user: AbstractBaseUser | AnonymousUser, params: dict[str, Any]
) -> QuerySet[Account]:
    """The user's accounts narrowed by the list page's cleaned filter values."""
    qs = accounts_visible_to(user)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(group_number__icontains=q) | Q(broker__icontains=q))
    if params.get("segment"):
        qs = qs.filter(segment=params["segment"])
    if params.get("funding"):
        qs = qs.filter(funding=params["funding"])
    if params.get("renewal_month"):
        year, month = params["renewal_month"]
        qs = qs.filter(renewal_date__year=year, renewal_date__month=month)
    if params.get("associate"):
        qs = qs.filter(assignments__user=params["associate"])
    order = {
        "name": "name",
        "-name": "-name",
        "renewal": "renewal_date",
        "-renewal": "-renewal_date",
        "members": "members",
        "-members": "-members",
        "group": "group_number",
    }.get(params.get("sort") or "name", "name")
    lead = Assignment.objects.filter(role="lead").select_related("user")
    return qs.order_by(order, "id").prefetch_related(
        Prefetch("assignments", queryset=lead, to_attr="leads")
    )


@dataclass(frozen=True)
class Attention:
    account: Account
    reason: str
    due: dt.date | None


def needs_attention(user: AbstractBaseUser | AnonymousUser, today: dt.date) -> list[Attention]:
    """What needs the user's attention on their accounts, soonest first."""
    items: list[Attention] = []
    visible = accounts_visible_to(user).exclude(status=AccountStatus.TERMINATED)
    horizon = today + dt.timedelta(days=180)
    for account in visible.filter(renewal_date__gte=today, renewal_date__lte=horizon).order_by(
        "renewal_date"
    ):
        days = (account.renewal_date - today).days
        items.append(Attention(account, f"Renews in {days} days", account.renewal_date))
    no_primary = visible.annotate(
        has_primary=Exists(Contact.objects.filter(account=OuterRef("pk"), is_primary=True))
    ).filter(has_primary=False)
    items.extend(Attention(a, "No primary contact on file", None) for a in no_primary)
    no_lead = visible.annotate(
        has_lead=Exists(Assignment.objects.filter(account=OuterRef("pk"), role="lead"))
    ).filter(has_lead=False)
    items.extend(Attention(a, "No lead associate assigned", None) for a in no_lead)
    expiring = Contract.objects.filter(
        account__in=visible, end_date__gte=today, end_date__lte=today + dt.timedelta(days=90)
    ).select_related("account")
    items.extend(
        Attention(c.account, f"Contract {c.number} ends {c.end_date:%b %-d, %Y}", c.end_date)
        for c in expiring
    )
    at_risk = visible.filter(status=AccountStatus.AT_RISK)
    items.extend(Attention(a, "Relationship marked at risk", None) for a in at_risk)
    return sorted(items, key=lambda i: (i.due is None, i.due or today, i.account.name))


def book_summary(user: AbstractBaseUser | AnonymousUser) -> dict[str, int]:
    visible = accounts_visible_to(user)
    totals = visible.aggregate(
        accounts=Count("id"),
        active=Count("id", filter=Q(status=AccountStatus.ACTIVE)),
    )
    members = sum(visible.values_list("members", flat=True))
    return {"accounts": totals["accounts"], "active": totals["active"], "members": members}
