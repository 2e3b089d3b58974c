"""The demo's financials: the assumptions a finance team would have entered (through the
audited actions) and the P&L run the nightly job would have made, so the Financials tab, the
portfolio page, the renewal and the plan options open on figures.

The assumptions are illustrative, not sourced: administrative expense by segment; for the
self-funded accounts that buy stop-loss a specific deductible by group size ($100,000 under
500 employees, $250,000 above) and a premium priced on the book's own expected excess over
that deductible (the first run's pooling figures) at an 80 % loss ratio; a claims budget per
account, its first plan year's completed PMPM trended 8.5 % (PwC's 2026 group trend)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import User

from clientdesk.accounts.models import Account, Product
from clientdesk.financials import queries
from clientdesk.financials.actions import do_store_run, do_update_segment_expense, do_update_terms
from clientdesk.financials.runs import PNL_JOB, RunResult, accounts_for_run, compute_run
from clientdesk.lake.gateway import open_lake

SEGMENT_EXPENSE = {
    "commercial": (Decimal("0.00"), Decimal("28.00")),
    "public_sector": (Decimal("0.00"), Decimal("26.00")),
    "labor_fund": (Decimal("1.50"), Decimal("27.00")),
}
BUDGET_TREND = Decimal("1.085")


STOP_LOSS_LOSS_RATIO = Decimal("0.80")


def _stop_loss_terms(account: Account, excess_pmpm: dict[str, float]) -> dict[str, Decimal]:
    deductible = 100_000 if account.employees < 500 else 250_000
    per_member = Decimal(str(excess_pmpm.get(str(deductible)) or 0))
    members_per_employee = Decimal(account.members) / Decimal(max(1, account.employees))
    premium = per_member * members_per_employee / STOP_LOSS_LOSS_RATIO
    return {
        "stop_loss_premium_pepm": premium.quantize(Decimal("0.01")),
        "stop_loss_deductible": Decimal(deductible),
    }


def _run(acting_user: User, data_end: dt.date) -> RunResult:
    accounts = accounts_for_run()
    with open_lake(PNL_JOB, max_rows=500_000) as lake:
        result = compute_run(lake, accounts, data_end)
    do_store_run(result, acting_user=acting_user)
    return result


def load_financials(*, acting_user: User, data_end: dt.date, say: Callable[[str], object]) -> None:
    """Enter the assumptions, run the P&L over every account as of the data's end, and set
    each account's budget from its first plan year."""
    for segment, (pmpm, pepm) in SEGMENT_EXPENSE.items():
        do_update_segment_expense(
            segment, {"admin_pmpm": pmpm, "admin_pepm": pepm}, acting_user=acting_user
        )
    priced = _run(acting_user, data_end)
    excess = priced.book_figures["pooling_charge_pmpm"]
    for account in Account.objects.all():
        sells = any(Product.STOP_LOSS in c.products for c in account.contracts.all())
        if account.funding == "aso" and sells:
            do_update_terms(account, _stop_loss_terms(account, excess), acting_user=acting_user)
    result = _run(acting_user, data_end)
    for account in accounts_for_run():
        years = queries.plan_years(account, queries.pnl_rows(account))
        first = next((y for y in years if y.months == 12 and y.claims_pmpm), None)
        if first is not None and first.claims_pmpm is not None:
            budget = (Decimal(str(first.claims_pmpm)) * BUDGET_TREND).quantize(Decimal("0.01"))
            do_update_terms(account, {"budget_pmpm": budget}, acting_user=acting_user)
    say(
        f"financials: {len(result.rows)} account-months as of {data_end}, book IBNR "
        f"{result.book.ibnr_total:,.0f} ({result.book.method()}), {result.seconds:.1f} s"
    )
