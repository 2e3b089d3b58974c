"""What the reports read of the account plans (strategy/report_lines.py): the stewardship
report's next steps gain the plan's objectives not on track (both editions: they are the
sponsor's objectives) and the open calls to action (internal edition: the team's own work);
the portfolio report gains a section on plans, objectives and calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from clientdesk.reports.documents import Column, Section, Table
from clientdesk.strategy.report_lines import plan_next_steps, portfolio_plans

MAX_NAMES = 8


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def plan_steps(account_id: int, today: dt.date, *, internal: bool) -> list[str]:
    """The stewardship report's next steps from the account plan and the open calls."""
    return plan_next_steps(account_id, today, internal=internal)


def plans_section(account_ids: Iterable[int], today: dt.date) -> Section | None:
    """Account plans and calls to action over the portfolio; None without accounts."""
    p = portfolio_plans(account_ids, today)
    if not p.accounts:
        return None
    section = Section("plans", "Account plans and calls to action")
    section.bullets.append(
        f"{p.approved:,} of {_n(p.accounts, 'account has', 'accounts have')} an approved plan "
        f"for {today.year}; {_n(p.off_track, 'objective is', 'objectives are')} off track "
        f"and {p.at_risk:,} at risk."
    )
    if p.renewing_without_plan:
        names = "; ".join(p.renewing_without_plan[:MAX_NAMES])
        more = len(p.renewing_without_plan) - MAX_NAMES
        section.bullets.append(
            f"{_n(len(p.renewing_without_plan), 'account renews', 'accounts renew')} within 180 "
            "days without an "
            f"approved plan: {names}" + (f" and {more:,} more." if more > 0 else ".")
        )
    section.bullets.append(f"{_n(p.open_calls, 'call to action is', 'calls to action are')} open.")
    if p.calls_by_title:
        section.tables.append(
            Table(
                "Open calls",
                "Open calls to action by kind",
                "Calls to action opened by the rules (strategy), one per account, rule and cause",
                [Column("Call to action"), Column("Open", "int")],
                [[title, n] for title, n in p.calls_by_title],
            )
        )
    return section
