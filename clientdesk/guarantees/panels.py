"""What guarantees shows elsewhere: the account page's Guarantees tab and the home page's
guarantees at risk (registered in apps.py, laid out by the account page and the shell)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.guarantees.models import (
    AlertStatus,
    Guarantee,
    GuaranteeAlert,
    GuaranteeResult,
    ResultKind,
)
from clientdesk.guarantees.queries import ZERO, portfolio, work_list
from clientdesk.lib import formatting
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, SEES_ALL_ACCOUNTS, roles_of


def account_section(account: Account, today: dt.date) -> dict[str, Any]:
    """The guarantees panel of the account page: a few numbers, no per-row queries."""
    guarantees = Guarantee.objects.filter(contract__account=account)
    results = GuaranteeResult.objects.filter(guarantee__in=guarantees)
    latest_year: dict[int, GuaranteeResult] = {}
    for r in results.filter(kind=ResultKind.SETTLEMENT).only(
        "guarantee_id", "period_start", "amount_at_risk", "owed"
    ):
        best = latest_year.get(r.guarantee_id)
        if best is None or r.period_start > best.period_start:
            latest_year[r.guarantee_id] = r
    return {
        "count": guarantees.count(),
        "at_risk": sum((r.amount_at_risk for r in latest_year.values()), ZERO),
        "owed": sum((r.owed or ZERO for r in latest_year.values()), ZERO),
        "missed": results.filter(
            kind=ResultKind.PERIOD,
            met=False,
            settles=True,
            period_end__gte=today - dt.timedelta(days=365),
        ).count(),
        "alerts": GuaranteeAlert.objects.filter(
            guarantee__in=guarantees, status=AlertStatus.OPEN
        ).count(),
    }


def guarantees_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The Guarantees tab: count, money at risk and owed, misses and open alerts."""
    section = account_section(account, timezone.localdate(now))
    return Panel("guarantees/_account_section.html", {"guarantee_section": section})


def guarantees_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """Guarantees forecast to miss, for the roles that work accounts."""
    if not roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS):
        return None
    return work_list(user)


def money_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """The portfolio's money, for the roles that read every account: the latest contract
    year's fees at risk and penalties owed, the open expected penalties, with their totals;
    the accounts with the most owed and expected first (the guarantee portfolio's order: a
    penalty already owed comes before a smaller one forecast)."""
    if not roles_of(user) & SEES_ALL_ACCOUNTS:
        return None
    rows = portfolio(user, timezone.localdate(now))
    at_risk = sum((r.at_risk for r in rows), ZERO)
    owed = sum((r.owed for r in rows), ZERO)
    expected = sum((r.expected_penalty for r in rows), ZERO)
    flagged = [r for r in rows if r.owed or r.expected_penalty or r.missed]
    items = [
        WorkItem(
            title=r.account.name,
            detail=(
                f"Owed {formatting.money(r.owed, 0)} · expected "
                f"{formatting.money(r.expected_penalty, 0)} · at risk "
                f"{formatting.money(r.at_risk, 0)} · {r.missed} missed in 12 months"
            ),
            url=reverse("accounts:tab", args=[r.account.pk, "guarantees"]),
            urgent=r.owed > ZERO,
        )
        for r in flagged[:5]
    ]
    return WorkList(
        key="money",
        heading="Money at risk and penalties owed",
        total=len(flagged),
        url=reverse("guarantees:portfolio"),
        empty="No penalties owed or expected on the portfolio.",
        items=items,
        summary=(
            f"At risk {formatting.money(at_risk, 0)} · owed {formatting.money(owed, 0)} · "
            f"expected {formatting.money(expected, 0)} across {formatting.count(len(rows))} "
            "accounts with guarantees"
        ),
    )
