"""The P&L run end to end: read the lake, complete the claims with IBNR, price each
account-month and store the result (the CLI `clientdesk financials pnl`, the demo).

One run, as a system job over the accounts asked for (all by default):
1. payments by incurred and paid month (marts.stg_payments), member and subscriber months
   (marts.mart_exposure_months), stop-loss claims (marts.mart_stop_loss_months);
2. the book's lag table -> development factors (chain ladder; average, tail) -> saved as the
   book's estimate, with the book's pooling charges by pooling point and completed PMPM;
3. each account's lag table completed with the book's factors, its newest months blended
   with its own PMPM -> saved as the account's estimate;
4. each account-month priced (pnl.pnl_lines) with its contract's fees, its terms, its
   segment's admin expense and the guarantee penalties owed; stored (one row per
   account-month, replacing the last run's).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import ibis
from django.utils import timezone

from clientdesk.accounts.models import Account, Contract, Product
from clientdesk.financials import marts
from clientdesk.financials.chain_ladder import (
    MONTH,
    PMPM_TREND_PCT,
    IbnrEstimate,
    LagTable,
    blend_with_pmpm,
    chain_ladder,
    development_factors,
    lag_table_from_cells,
    period_label,
    with_paid_to_date,
)
from clientdesk.financials.models import AccountTerms, SegmentExpense
from clientdesk.financials.pnl import MonthFigures, MonthTerms, money, pnl_lines
from clientdesk.guarantees.queries import period_results
from clientdesk.lake.gateway import Lake, SystemActor

PNL_JOB = SystemActor("financials P&L")
POOLING_POINTS = (100_000, 150_000, 250_000, 500_000)
DEFAULT_MONTHS = 24
DEFAULT_IMMATURE = 3
DEFAULT_ADMIN_PEPM = Decimal("28.00")


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_last_day(index: int) -> dt.date:
    return month_start(index + 1) - dt.timedelta(days=1)


@dataclass
class LakeFigures:
    """What one lake read gives the run, by account and month index."""

    cells: dict[int, dict[tuple[int, int], float]] = field(default_factory=dict)
    # (incurred, received month) -> paid to date + the claims in process valued
    reported: dict[int, dict[tuple[int, int], float]] = field(default_factory=dict)
    in_process: dict[int, dict[str, float]] = field(default_factory=dict)
    exposure: dict[int, dict[int, tuple[int, int]]] = field(default_factory=dict)
    stop_loss: dict[int, dict[int, float]] = field(default_factory=dict)
    pooling: dict[int, float] = field(default_factory=dict)
    pooling_member_months: int = 0
    seconds: float = 0.0


def last_paid_date(lake: Lake) -> dt.date | None:
    """The latest paid date of any loaded medical line: how far the run-out reaches."""
    value = lake.execute(lake.medical_claim.paid_date.max())
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def read_lake(
    lake: Lake, accounts: list[Account], as_of: dt.date, months: int, today: dt.date | None = None
) -> LakeFigures:
    """The run's lake figures (a few grouped queries over the derived tables; no member row
    leaves the lake)."""
    clock = time.perf_counter()
    last = month_index(as_of)
    first = last - months + 1
    payments = marts.payments(lake, as_of, first)
    figures = LakeFigures()
    cells = lake.execute(marts.mart_lag_cells(payments))
    for row in cells.itertuples(index=False):
        figures.cells.setdefault(int(row.account_id), {})[
            (int(row.incurred_month), int(row.paid_month))
        ] = float(row.paid)
    for row in lake.execute(marts.mart_reported_cells(payments)).itertuples(index=False):
        key = (int(row.incurred_month), int(row.reported_month))
        by_account = figures.reported.setdefault(int(row.account_id), {})
        by_account[key] = by_account.get(key, 0.0) + float(row.paid)
    inventory = lake.execute(marts.mart_in_process(lake.claim_processing, as_of, first))
    for row in inventory.itertuples(index=False):
        key = (int(row.incurred_month), int(row.reported_month))
        by_account = figures.reported.setdefault(int(row.account_id), {})
        by_account[key] = by_account.get(key, 0.0) + float(row.value)
        totals = figures.in_process.setdefault(
            int(row.account_id), {"claims": 0.0, "adjudicated": 0.0, "pended": 0.0}
        )
        totals["claims"] += float(row.claims)
        totals["adjudicated"] += float(row.adjudicated)
        totals["pended"] += float(row.pended)
    exposure = lake.execute(
        marts.exposure(lake, month_start(first), as_of, today or timezone.localdate())
    )
    for row in exposure.itertuples(index=False):
        figures.exposure.setdefault(int(row.account_id), {})[int(row.month)] = (
            int(row.member_months),
            int(row.subscriber_months),
        )
    # Stop-loss: accounts that bought it, by specific deductible (usually one or two values).
    by_deductible: dict[float, list[tuple[int, int]]] = defaultdict(list)
    for account in accounts:
        if account.funding != "aso" or not _sells_stop_loss(account):
            continue
        terms = _terms(account)
        start = _policy_start_month(account)
        by_deductible[float(terms.stop_loss_deductible)].append((account.pk, start))
    for deductible, starts in by_deductible.items():
        table = ibis.memtable(
            {"account_id": [a for a, _ in starts], "start_month": [s for _, s in starts]}
        )
        rows = lake.execute(marts.mart_stop_loss_months(payments, table, deductible))
        for row in rows.itertuples(index=False):
            figures.stop_loss.setdefault(int(row.account_id), {})[int(row.incurred_month)] = float(
                row.stop_loss_claims
            )
    # The book's pooling charges: excess over each pooling point in the last 12 months, per
    # member month (paid to date).
    year_first = max(first, last - 11)
    pooled = lake.execute(marts.mart_pooling_excess(payments, year_first, last, POOLING_POINTS))
    for i, point in enumerate(POOLING_POINTS):
        figures.pooling[point] = float(pooled[f"excess_{i}"].sum()) if len(pooled) else 0.0
    figures.pooling_member_months = sum(
        mm
        for by_month in figures.exposure.values()
        for m, (mm, _) in by_month.items()
        if m >= year_first
    )
    figures.seconds = time.perf_counter() - clock
    return figures


def _terms(account: Account) -> AccountTerms:
    """The account's terms, or the defaults (unsaved) when none are recorded."""
    try:
        return account.financial_terms
    except AccountTerms.DoesNotExist:
        return AccountTerms(account=account)


def _contracts(account: Account) -> list[Contract]:
    cached: list[Contract] | None = getattr(account, "_financials_contracts", None)
    if cached is None:
        cached = list(account.contracts.order_by("start_date"))
        setattr(account, "_financials_contracts", cached)  # noqa: B010 (per-run cache)
    return cached


def contract_in_force(account: Account, index: int) -> Contract | None:
    """The contract term covering the month's first day (or, failing that, any of it)."""
    first, last = month_start(index), month_last_day(index)
    found = None
    for contract in _contracts(account):
        if contract.start_date <= last and contract.end_date >= first:
            found = contract
            if contract.start_date <= first:
                return contract
    return found


def _sells_stop_loss(account: Account) -> bool:
    return any(Product.STOP_LOSS in c.products for c in _contracts(account))


def _policy_start_month(account: Account) -> int:
    contracts = _contracts(account)
    day = contracts[-1].start_date if contracts else account.renewal_date
    return day.month - 1


def penalties_by_month(account: Account, first: int, last: int) -> dict[int, Decimal]:
    """Guarantee penalties owed, by the month their measurement period ends (results that
    settle; the guarantees app's own figures)."""
    out: dict[int, Decimal] = defaultdict(Decimal)
    for result in period_results(account, month_start(first), month_last_day(last)):
        if result.settles and result.penalty:
            out[month_index(result.period_end)] += result.penalty
    return out


def segment_expense(segment: str) -> tuple[Decimal, Decimal]:
    """(admin PMPM, admin PEPM) of the segment; the defaults when not configured."""
    row = SegmentExpense.objects.filter(segment=segment).first()
    if row is None:
        return Decimal(0), DEFAULT_ADMIN_PEPM
    return row.admin_pmpm, row.admin_pepm


@dataclass
class RunResult:
    as_of: dt.date
    book: IbnrEstimate
    accounts: dict[int, IbnrEstimate]
    rows: list[dict[str, Any]]
    book_figures: dict[str, Any]
    lake_seconds: float
    seconds: float


def compute_run(
    lake: Lake,
    accounts: list[Account],
    as_of: dt.date,
    *,
    months: int = DEFAULT_MONTHS,
    average: int | None = None,
    tail: float = 1.0,
    immature: int = DEFAULT_IMMATURE,
    trend_pct: float = PMPM_TREND_PCT,
) -> RunResult:
    """Everything the run stores, computed (nothing written)."""
    clock = time.perf_counter()
    figures = read_lake(lake, accounts, as_of, months)
    last = month_index(as_of)
    first = last - months + 1
    if not any(figures.cells.values()):
        raise ValueError("no claims paid by the as-of date in the lake for these accounts")
    # The reported basis: claims by the month they were received (paid to date plus the
    # claims in process valued claim by claim), developed to ultimate; IBNR = ultimate -
    # cash paid. See docs/financials.md ("Claims not yet paid").
    book_cells: dict[tuple[int, int], float] = defaultdict(float)
    book_paid: dict[str, float] = defaultdict(float)
    for cells in figures.reported.values():
        for key, value in cells.items():
            book_cells[key] += value
    for cells in figures.cells.values():
        for (incurred, _), value in cells.items():
            book_paid[period_label(MONTH, incurred)] += value
    book_table = lag_table_from_cells(MONTH, book_cells, valuation=last)
    factors = development_factors(book_table, average=average, tail=tail)
    book_exposure: dict[str, float] = defaultdict(float)
    for by_month in figures.exposure.values():
        for m, (mm, _) in by_month.items():
            book_exposure[period_label(MONTH, m)] += mm
    book = with_paid_to_date(
        blend_with_pmpm(
            chain_ladder(book_table, factors=factors),
            book_exposure,
            immature=immature,
            trend_pct=trend_pct,
        ),
        book_paid,
    )
    estimates: dict[int, IbnrEstimate] = {}
    rows: list[dict[str, Any]] = []
    for account in accounts:
        cells = figures.reported.get(account.pk, {})
        exposure = figures.exposure.get(account.pk, {})
        by_period: dict[str, Any] = {}
        if cells:
            table = lag_table_from_cells(MONTH, cells, valuation=last)
            own = {period_label(MONTH, m): float(mm) for m, (mm, _) in exposure.items()}
            paid: dict[str, float] = defaultdict(float)
            for (incurred, _), value in figures.cells.get(account.pk, {}).items():
                paid[period_label(MONTH, incurred)] += value
            estimate = with_paid_to_date(
                blend_with_pmpm(
                    chain_ladder(table, factors=factors),
                    own,
                    immature=immature,
                    trend_pct=trend_pct,
                ),
                paid,
            )
            estimates[account.pk] = estimate
            by_period = {o.period: o for o in estimate.origins}
        terms = _terms(account)
        admin_pmpm, admin_pepm = segment_expense(account.segment)
        penalties = penalties_by_month(account, first, last)
        stop_loss = figures.stop_loss.get(account.pk, {})
        for index in range(first, last + 1):
            mm, sm = exposure.get(index, (0, 0))
            origin = by_period.get(period_label(MONTH, index))
            if mm == 0 and origin is None:
                continue
            contract = contract_in_force(account, index)
            month_terms = MonthTerms(
                funding=account.funding,
                admin_fee_pepm=contract.admin_fee_pepm if contract else None,
                premium_pmpm=contract.premium_pmpm if contract else None,
                stop_loss_sold=bool(contract and Product.STOP_LOSS in contract.products),
                stop_loss_premium_pepm=terms.stop_loss_premium_pepm,
                vendor_pepm=terms.vendor_pepm,
                premium_tax_pct=terms.premium_tax_pct,
                admin_pmpm=admin_pmpm,
                admin_pepm=admin_pepm,
            )
            month_figures = MonthFigures(
                member_months=mm,
                subscriber_months=sm,
                paid_claims=money(origin.paid if origin else 0),
                ibnr=money(origin.ibnr if origin else 0),
                stop_loss_claims=money(stop_loss.get(index, 0.0)),
                penalties=money(penalties.get(index, Decimal(0))),
            )
            rows.append(
                {
                    "account": account,
                    "month": month_start(index),
                    "funding": account.funding,
                    "member_months": mm,
                    "subscriber_months": sm,
                    "admin_fee_pepm": month_terms.admin_fee_pepm,
                    "premium_pmpm": month_terms.premium_pmpm,
                    "paid_claims": month_figures.paid_claims,
                    "ibnr": month_figures.ibnr,
                    "completion": Decimal(str(round(origin.completion, 6)))
                    if origin
                    else Decimal(1),
                    "ibnr_method": origin.method if origin else "",
                    **pnl_lines(month_terms, month_figures),
                }
            )
    pool_mm = figures.pooling_member_months
    book_figures = {
        "pooling_charge_pmpm": {
            str(point): round(excess / pool_mm, 2) if pool_mm else None
            for point, excess in figures.pooling.items()
        },
        "pooling_basis": "excess of each person's paid claims over the pooling point, last 12 "
        "incurred months paid to date, per book member month",
        "completed_pmpm": {
            o.period: round(o.ultimate / book_exposure[o.period], 2)
            for o in book.origins
            if book_exposure.get(o.period)
        },
        "member_months": {k: int(v) for k, v in book_exposure.items()},
        "in_process": {
            "claims": int(sum(t["claims"] for t in figures.in_process.values())),
            "adjudicated_unpaid": round(
                sum(t["adjudicated"] for t in figures.in_process.values()), 2
            ),
            "pended_valued": round(sum(t["pended"] for t in figures.in_process.values()), 2),
            "basis": "claims received by the as-of date and not paid by then: adjudicated ones "
            "at their amount, pended ones at billed charge x the paid-to-charge ratio of their "
            f"service family's claims adjudicated in the {marts.RATIO_DAYS} days before",
        },
    }
    return RunResult(
        as_of,
        book,
        estimates,
        rows,
        book_figures,
        figures.seconds,
        time.perf_counter() - clock,
    )


def accounts_for_run(ids: Iterable[int] | None = None) -> list[Account]:
    query = Account.objects.select_related("financial_terms").order_by("pk")
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return list(query)


GROUPINGS = ("book", "segment", "funding", "account")


@dataclass
class GroupTriangle:
    """One group's lag table (paid dollars by incurred month x lag) and its estimate."""

    group: str
    accounts: int
    table: LagTable
    estimate: IbnrEstimate

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "accounts": self.accounts,
            "triangle": [
                {"incurred_period": self.table.label(period), "paid_by_lag": list(row)}
                for period, row in zip(self.table.periods, self.table.paid, strict=True)
            ],
            "estimate": self.estimate.as_dict(),
        }


def group_of(account: Account, by: str) -> str:
    """The group an account's claims develop in: the book, its segment (commercial, public
    sector, labor fund), its funding (ASO, fully insured) or itself."""
    if by == "book":
        return "book"
    if by == "segment":
        return account.get_segment_display()
    if by == "funding":
        return account.get_funding_display()
    if by == "account":
        return account.group_number
    raise ValueError(f"--by {by!r}: use one of {', '.join(GROUPINGS)}")


def group_triangles(
    lake: Lake,
    accounts: list[Account],
    as_of: dt.date,
    by: str,
    *,
    months: int = DEFAULT_MONTHS,
    average: int | None = None,
    tail: float = 1.0,
    immature: int = DEFAULT_IMMATURE,
    today: dt.date | None = None,
    trend_pct: float = PMPM_TREND_PCT,
) -> list[GroupTriangle]:
    """Each group's own lag table from the lake and its chain ladder (its own factors, the
    newest `immature` months blended with its own PMPM), groups in name order. Two grouped
    queries (lag cells, exposure by account); no member row leaves the lake."""
    groups = {a.pk: group_of(a, by) for a in accounts}
    last = month_index(as_of)
    first = last - months + 1
    payments = marts.payments(lake, as_of, first)
    cells: dict[str, dict[tuple[int, int], float]] = defaultdict(lambda: defaultdict(float))
    for row in lake.execute(marts.mart_lag_cells(payments)).itertuples(index=False):
        group = groups.get(int(row.account_id))
        if group is not None:
            cells[group][(int(row.incurred_month), int(row.paid_month))] += float(row.paid)
    exposure: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = lake.execute(
        marts.exposure(lake, month_start(first), as_of, today or timezone.localdate())
    )
    for row in rows.itertuples(index=False):
        group = groups.get(int(row.account_id))
        if group is not None:
            exposure[group][period_label(MONTH, int(row.month))] += float(row.member_months)
    counts: dict[str, int] = defaultdict(int)
    for group in groups.values():
        counts[group] += 1
    out = []
    for group in sorted(cells):
        table = lag_table_from_cells(MONTH, cells[group], valuation=last)
        estimate = blend_with_pmpm(
            chain_ladder(table, average=average, tail=tail),
            exposure[group],
            immature=immature,
            trend_pct=trend_pct,
        )
        out.append(GroupTriangle(group, counts[group], table, estimate))
    return out
