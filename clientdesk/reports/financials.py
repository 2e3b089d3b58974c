"""The financial section of the portfolio report (senior management only): margin by account,
segment and funding from the stored P&L (`financials.queries.period_portfolio`), the
accounts losing money and why. The portfolio report is run only by the roles that see margin
(managers, executives, admins: `reports.access.can_run_portfolio` and
`financials.access.can_see_margin` are the same set), and its runs are downloaded by the
person they were made for; a stewardship report follows its account (associates may run and
download it, the client edition goes to the sponsor), so it has no financial section.
"""

from __future__ import annotations

from collections.abc import Iterable

from clientdesk.financials.queries import PortfolioRow, Totals, breakdown, period_portfolio
from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.reports.documents import Cell, Column, Section, Table

FINANCIAL_SOURCE = (
    "The stored monthly P&L of every visible account: revenue (admin fees PEPM x subscribers "
    "or premium PMPM x members, stop-loss premium), claims completed with IBNR (chain "
    "ladder; the newest months blended with a PMPM projection), guarantee penalties, vendor "
    "costs, premium taxes, administrative expense by segment"
)
MAX_LOSING = 5


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _group_rows(kind: str, groups: Iterable[Totals]) -> list[list[Cell]]:
    return [[kind, g.label, g.revenue, g.costs, g.margin, _pct(g.margin_pct)] for g in groups]


def financial_section(account_ids: Iterable[int], period: Period) -> Section | None:
    """The section, or None when no account has a stored P&L month in the period."""
    rows: list[PortfolioRow] = period_portfolio(account_ids, period.start, period.last_day)
    if not rows:
        return None
    revenue = sum((r.totals.revenue for r in rows), start=rows[0].totals.revenue * 0)
    margin = sum((r.totals.margin for r in rows), start=revenue * 0)
    ibnr = sum((r.totals.ibnr for r in rows), start=revenue * 0)
    completed = sum((r.totals.completed_claims for r in rows), start=revenue * 0)
    losing = [r for r in rows if r.totals.margin < 0]
    section = Section("financials", "Financials (internal: our margin)")
    section.bullets.append(
        f"Margin {formatting.money(margin, 0)} on revenue {formatting.money(revenue, 0)}"
        + (f" ({formatting.percent(float(margin / revenue * 100))})" if revenue else "")
        + f" over {len(rows):,} accounts with a P&L in {period.label}."
    )
    if losing:
        names = "; ".join(f"{r.account.name} ({r.why})" for r in losing[:MAX_LOSING])
        more = f" and {len(losing) - MAX_LOSING:,} more" if len(losing) > MAX_LOSING else ""
        section.bullets.append(f"{len(losing):,} accounts lose money: {names}{more}.")
    else:
        section.bullets.append("No account loses money in the period.")
    if completed:
        section.bullets.append(
            f"Claims include {formatting.money(ibnr, 0)} not yet paid (IBNR), "
            f"{formatting.percent(float(ibnr / completed * 100))} of completed claims."
        )
    section.tables.append(
        Table(
            "Margin by account",
            f"Margin by account, {period.label}, lowest first",
            FINANCIAL_SOURCE,
            [
                Column("Account"),
                Column("Group"),
                Column("Funding"),
                Column("Revenue", "money0"),
                Column("Completed claims", "money0"),
                Column("Our costs", "money0"),
                Column("Margin", "money0"),
                Column("Margin %", "pct"),
                Column("Loss ratio %", "pct"),
                Column("Why it loses money", in_deck=False),
            ],
            [
                [
                    r.account.name,
                    r.account.group_number,
                    r.account.get_funding_display(),
                    r.totals.revenue,
                    r.totals.completed_claims,
                    r.totals.costs,
                    r.totals.margin,
                    _pct(r.totals.margin_pct),
                    _pct(r.totals.loss_ratio),
                    r.why if r.totals.margin < 0 else "",
                ]
                for r in rows
            ],
            "Self-funded (ASO) claims are the sponsor's money: our costs there are stop-loss "
            "claims, penalties, vendor and admin expense. For senior management only.",
            brief=True,
        )
    )
    section.tables.append(
        Table(
            "Margin by segment",
            f"Margin by segment and funding, {period.label}",
            FINANCIAL_SOURCE,
            [
                Column("By"),
                Column("Group"),
                Column("Revenue", "money0"),
                Column("Our costs", "money0"),
                Column("Margin", "money0"),
                Column("Margin %", "pct"),
            ],
            _group_rows("segment", breakdown(rows, "segment"))
            + _group_rows("funding", breakdown(rows, "funding")),
        )
    )
    return section
