"""What financials shows on the account page: the Financials tab, from stored figures (the
one lake read: the utilization app's aggregate trend behind budget vs actual, when a budget
is set). Two panels: the service view (claims completed with IBNR) for everyone who
sees the account, the P&L, MLR and the ways into renewal and plan options for the margin
roles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.financials import analysis, queries
from clientdesk.financials.access import can_edit_terms, can_see_margin
from clientdesk.financials.charts import bar_chart
from clientdesk.lib import formatting
from clientdesk.lib.calls import CALL_RULES, CallRule, Cause
from clientdesk.lib.panels import Panel
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.people.roles import Role

REVIEW_RULE = "financials_review"
REVIEW_DUE_DAYS = 30


def claims_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """Claims completed with IBNR by month, the estimate behind them (revenue-free)."""
    rows = queries.pnl_rows(account)
    estimate = queries.latest_estimate(account)
    recent = queries.total(queries.last_months(rows), "Last 12 months")
    chart = bar_chart(
        [
            (f"{r.month:%b %y}", float(r.paid_claims), float(r.ibnr))
            for r in queries.last_months(rows, 24)
        ],
        ("Paid", "IBNR"),
    )
    return Panel(
        "financials/_claims_section.html",
        {"rows": rows[-24:], "estimate": estimate, "recent": recent, "claims_chart": chart},
    )


def pnl_panel(user: AnyUser, account: Account, now: dt.datetime) -> Panel:
    """The P&L by month and plan year, the MLR indicator, budget vs actual."""
    rows = queries.pnl_rows(account)
    context: dict[str, Any] = {
        "pnl_rows": rows[-24:],
        "plan_years": queries.plan_years(account, rows),
        "recent": queries.total(queries.last_months(rows), "Last 12 months"),
        "mlr": queries.mlr(account, rows),
        "budget": queries.budget_vs_actual(
            account, rows, analysis.plan_year_trends(user, account, rows)
        )
        if queries.terms_of(account).budget_pmpm is not None
        else [],
        "terms": queries.terms_of(account),
        "can_edit_terms": can_edit_terms(user),
        "margin_chart": bar_chart(
            [(f"{r.month:%b %y}", float(r.revenue), float(r.costs)) for r in rows[-24:]],
            ("Revenue", "Costs"),
            grouped=True,
        ),
    }
    return Panel("financials/_pnl_section.html", context)


def losing_work(user: AnyUser, now: dt.datetime) -> WorkList | None:
    """The accounts losing money over their last 12 stored P&L months, lowest margin % first,
    each with why (`queries.why_losing`: a loss ratio above 85 %, stop-loss claims over
    premium, penalties, costs over fees) and, fully insured, the loss ratio. For the margin
    roles only (None for everyone else: an associate never reads our margin)."""
    if not can_see_margin(user):
        return None
    rows = queries.portfolio(user)
    losing = [r for r in rows if r.totals.margin < 0]
    revenue = sum((r.totals.revenue for r in rows), start=queries.ZERO)
    margin = sum((r.totals.margin for r in rows), start=queries.ZERO)
    items = []
    for r in losing[:5]:
        t = r.totals
        ratio = ""
        if t.loss_ratio is not None and "of premium" not in r.why:  # why may say it already
            ratio = f" · loss ratio {formatting.percent(t.loss_ratio)}"
        share = f" ({formatting.percent(t.margin_pct)})" if t.margin_pct is not None else ""
        items.append(
            WorkItem(
                title=r.account.name,
                detail=f"Margin {formatting.money(t.margin, 0)}{share}{ratio} · {r.why}",
                url=reverse("accounts:tab", args=[r.account.pk, "financials"]),
                urgent=t.margin_pct is not None and t.margin_pct < -10,
            )
        )
    summary = ""
    if rows:
        summary = (
            f"Margin {formatting.money(margin, 0)} on revenue {formatting.money(revenue, 0)} "
            f"over {formatting.count(len(rows))} accounts, last 12 months"
        )
    return WorkList(
        key="financials.losing",
        heading="Accounts losing money",
        total=len(losing),
        url=reverse("financials:portfolio"),
        empty="No account is losing money over its last 12 months.",
        items=items,
        summary=summary,
    )


def financial_review(now: dt.datetime) -> Iterator[Cause]:
    """A call to review an account that loses money over its last 12 stored P&L months.

    Calls are read by everyone who reads the account, associates included, and associates
    never see our margin (nor that an account loses money: the home list is managers'). So
    the call goes to a **manager** (the team's: the first active Manager, by id), and its
    title, reason and playbook say only that a financial review is due and where the figures
    are (the Financials tab, whose P&L only margin roles see). One call per account and year
    of the last month: closing it after the review does not reopen it until next year's
    figures still lose money. Without a manager it falls to the account's lead, in the same
    words."""
    users = get_user_model().objects.filter(groups__name=Role.MANAGER.value, is_active=True)
    manager = users.order_by("pk").values_list("pk", flat=True).first()
    today = timezone.localdate(now)
    for account, totals in queries.losing_accounts():
        last = totals.last or today
        first = totals.first or last
        yield Cause(
            account_id=account.pk,
            key=f"review:{last.year}",
            reason=(
                f"The account's financial results for {first:%b %Y} to {last:%b %Y} need a "
                "manager's review before the next pricing decision; the figures are on the "
                "Financials tab."
            ),
            due=today + dt.timedelta(days=REVIEW_DUE_DAYS),
            owner_id=manager,
            url=reverse("accounts:tab", args=[account.pk, "financials"]),
        )


def register() -> None:
    from clientdesk.lib.panels import ACCOUNT_TABS, FINANCIALS
    from clientdesk.lib.work import WORK_LISTS

    CALL_RULES.register(
        CallRule(
            key=REVIEW_RULE,
            title="Financial review due",
            playbook=(
                "Read the P&L and why the results are where they are",
                "Decide the pricing or plan step for the renewal",
                "Brief the account team on what to tell the sponsor",
            ),
            find=financial_review,
        )
    )

    WORK_LISTS.register("financials.losing", losing_work, order=8)

    ACCOUNT_TABS.register("financials.claims", FINANCIALS, claims_panel, order=10)
    ACCOUNT_TABS.register(
        "financials.pnl", FINANCIALS, pnl_panel, order=20, shown_to=can_see_margin
    )
