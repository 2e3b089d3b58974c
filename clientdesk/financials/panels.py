"""What financials shows on the account page: the Financials tab, from stored figures (the
one lake read: the utilization app's aggregate trend behind budget vs actual, when a budget
is set). Two panels: the service view (claims completed with IBNR) for everyone who
sees the account, the P&L, MLR and the ways into renewal and plan options for the margin
roles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.financials import analysis, queries
from clientdesk.financials.access import can_edit_terms, can_see_margin
from clientdesk.financials.charts import bar_chart
from clientdesk.lib.panels import Panel


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


def register() -> None:
    from clientdesk.lib.panels import ACCOUNT_TABS, FINANCIALS

    ACCOUNT_TABS.register("financials.claims", FINANCIALS, claims_panel, order=10)
    ACCOUNT_TABS.register(
        "financials.pnl", FINANCIALS, pnl_panel, order=20, shown_to=can_see_margin
    )
