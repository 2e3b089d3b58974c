"""Reads of the stored P&L and estimates, always from the caller's scope (no lake read)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account, AccountStatus, Assignment, Funding
from clientdesk.financials.models import AccountTerms, IbnrEstimate, PnlMonth
from clientdesk.financials.pnl import MlrIndicator, mlr_indicator
from clientdesk.financials.variance import Trend, explain
from clientdesk.lib import formatting

ZERO = Decimal(0)


def pnl_rows(account: Account) -> list[PnlMonth]:
    """The account's stored account-months, oldest first."""
    return list(PnlMonth.objects.filter(account=account).order_by("month"))


def latest_estimate(account: Account) -> IbnrEstimate | None:
    return IbnrEstimate.objects.filter(account=account).order_by("-computed_at", "-id").first()


def book_estimate() -> IbnrEstimate | None:
    return IbnrEstimate.objects.filter(account=None).order_by("-computed_at", "-id").first()


def terms_of(account: Account) -> AccountTerms:
    return AccountTerms.objects.filter(account=account).first() or AccountTerms(account=account)


@dataclass
class Totals:
    """Sums of account-months and the ratios on them."""

    label: str
    months: int = 0
    member_months: int = 0
    subscriber_months: int = 0
    admin_fees: Decimal = ZERO
    stop_loss_premium: Decimal = ZERO
    premium: Decimal = ZERO
    paid_claims: Decimal = ZERO
    ibnr: Decimal = ZERO
    stop_loss_claims: Decimal = ZERO
    penalties: Decimal = ZERO
    vendor: Decimal = ZERO
    premium_taxes: Decimal = ZERO
    admin_expense: Decimal = ZERO
    revenue: Decimal = ZERO
    costs: Decimal = ZERO
    margin: Decimal = ZERO
    first: dt.date | None = None
    last: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def add(self, row: PnlMonth) -> None:
        self.months += 1
        for name in (
            "member_months",
            "subscriber_months",
            "admin_fees",
            "stop_loss_premium",
            "premium",
            "paid_claims",
            "ibnr",
            "stop_loss_claims",
            "penalties",
            "vendor",
            "premium_taxes",
            "admin_expense",
        ):
            setattr(self, name, getattr(self, name) + getattr(row, name))
        self.revenue += row.revenue
        self.costs += row.costs
        self.margin += row.margin
        self.first = row.month if self.first is None else min(self.first, row.month)
        self.last = row.month if self.last is None else max(self.last, row.month)

    @property
    def completed_claims(self) -> Decimal:
        return self.paid_claims + self.ibnr

    @property
    def margin_pct(self) -> float | None:
        return float(self.margin / self.revenue * 100) if self.revenue else None

    @property
    def claims_pmpm(self) -> float | None:
        return float(self.completed_claims / self.member_months) if self.member_months else None

    @property
    def loss_ratio(self) -> float | None:
        """Completed claims over premium (fully insured)."""
        return float(self.completed_claims / self.premium * 100) if self.premium else None

    @property
    def ibnr_share(self) -> float | None:
        total = self.completed_claims
        return float(self.ibnr / total * 100) if total else None


def total(rows: Iterable[PnlMonth], label: str = "") -> Totals:
    out = Totals(label)
    for row in rows:
        out.add(row)
    return out


def plan_years(account: Account, rows: Sequence[PnlMonth]) -> list[Totals]:
    """The rows summed by plan year, oldest first: twelve months from the renewal date's
    month (a plan year runs renewal to renewal), labelled by its first and last month."""
    start_month = account.renewal_date.month
    groups: dict[str, Totals] = {}
    for row in rows:
        year = row.month.year if row.month.month >= start_month else row.month.year - 1
        first = dt.date(year, start_month, 1)
        last = dt.date(year + (1 if start_month > 1 else 0), (start_month - 2) % 12 + 1, 1)
        label = f"{first:%b %Y} – {last:%b %Y}"
        groups.setdefault(label, Totals(label)).add(row)
    return list(groups.values())


def last_months(rows: Sequence[PnlMonth], count: int = 12) -> list[PnlMonth]:
    return list(rows[-count:])


def mlr(account: Account, rows: Sequence[PnlMonth]) -> MlrIndicator | None:
    """The ACA MLR indicator over the last 36 stored months (fully insured only)."""
    if account.funding != Funding.FULLY_INSURED:
        return None
    window = [r for r in rows[-36:] if r.premium]
    if not window:
        return None
    terms = terms_of(account)
    premium = float(sum((r.premium for r in window), ZERO))
    return mlr_indicator(
        claims=float(sum((r.completed_claims for r in window), ZERO)),
        quality_improvement=premium * float(terms.quality_improvement_pct) / 100,
        premium=premium,
        taxes_and_fees=float(sum((r.premium_taxes for r in window), ZERO)),
        member_months=float(sum(r.member_months for r in window)),
        deductible=float(terms.average_deductible),
        small_group=terms.small_group,
    )


def budget_vs_actual(
    account: Account,
    rows: Sequence[PnlMonth],
    trends: Mapping[str, Trend] | None = None,
) -> list[dict[str, Any]]:
    """Completed claims against the budget by plan year (when a budget is set), the variance
    explained (`variance.explain`): enrollment against the budgeted members, and cost per
    member; split into utilization, mix and unit cost where `trends` holds the plan year's
    trend from the utilization app (by plan-year label) and the same months a year before
    have P&L rows (their completed PMPM is the base)."""
    terms = terms_of(account)
    if terms.budget_pmpm is None:
        return []
    by_month = {row.month: row for row in rows}
    out = []
    for year in plan_years(account, rows):
        if not year.member_months or year.first is None or year.last is None:
            continue
        prior = [
            by_month.get(dt.date(m.year - 1, m.month, 1))
            for m in (r.month for r in rows if year.first <= r.month <= year.last)
        ]
        prior_pmpm = None
        if prior and all(p is not None for p in prior):
            before = total(p for p in prior if p is not None)
            if before.member_months:
                prior_pmpm = before.completed_claims / before.member_months
        budget_mm = terms.budget_members * year.months if terms.budget_members is not None else None
        explained = explain(
            budget_pmpm=terms.budget_pmpm,
            actual=year.completed_claims,
            member_months=year.member_months,
            budget_member_months=budget_mm,
            prior_pmpm=prior_pmpm,
            trend=(trends or {}).get(year.label),
        )
        out.append(
            {
                "label": year.label,
                "first": year.first,
                "last": year.last,
                "member_months": year.member_months,
                "budget_member_months": explained.budget_member_months,
                "budget_pmpm": terms.budget_pmpm,
                "actual_pmpm": year.claims_pmpm,
                "prior_pmpm": prior_pmpm,
                "budget": explained.budget,
                "actual": explained.actual,
                "variance": explained.variance,
                "variance_pct": explained.variance_pct,
                "lines": explained.lines(),
                "explained": explained.explained,
            }
        )
    return out


def why_losing(t: Totals) -> str:
    """The largest cost against the revenue, in words (in the house format: the dollars
    written as dollars, as beside them on every page and report)."""
    if t.margin >= 0:
        return ""
    parts = []
    if t.premium and t.loss_ratio is not None and t.loss_ratio > 85:
        parts.append(f"claims are {formatting.percent(t.loss_ratio)} of premium")
    if t.stop_loss_claims > t.stop_loss_premium and t.stop_loss_claims:
        parts.append(
            f"stop-loss claims {formatting.money(t.stop_loss_claims, 0)} over stop-loss "
            f"premium {formatting.money(t.stop_loss_premium, 0)}"
        )
    if t.penalties:
        parts.append(f"guarantee penalties {formatting.money(t.penalties, 0)}")
    fees = t.admin_fees + t.premium
    if t.admin_expense + t.vendor > fees and fees:
        parts.append("admin and vendor costs exceed the fees")
    return "; ".join(parts) or "costs exceed revenue"


@dataclass
class PortfolioRow:
    account: Account
    totals: Totals
    associates: list[str]
    why: str


def portfolio(user: AnyUser, months: int = 12) -> list[PortfolioRow]:
    """Every visible account's last `months` stored months, lowest margin first."""
    accounts = {a.pk: a for a in accounts_visible_to(user)}
    by_account: dict[int, list[PnlMonth]] = defaultdict(list)
    for row in PnlMonth.objects.filter(account_id__in=list(accounts)).order_by("month"):
        by_account[row.account_id].append(row)
    team: dict[int, list[str]] = defaultdict(list)
    for a in Assignment.objects.filter(account_id__in=list(by_account)).select_related("user"):
        team[a.account_id].append(a.user.get_full_name() or a.user.get_username())
    out = []
    for account_id, rows in by_account.items():
        t = total(rows[-months:], accounts[account_id].name)
        out.append(PortfolioRow(accounts[account_id], t, sorted(team[account_id]), why_losing(t)))
    out.sort(key=lambda r: r.totals.margin_pct if r.totals.margin_pct is not None else 0.0)
    return out


def losing_accounts(months: int = 12) -> list[tuple[Account, Totals]]:
    """Every live account whose last `months` stored P&L months lose money (margin < 0),
    lowest margin % first: for the call-to-action rule (a system job, no user scope)."""
    live = [AccountStatus.ACTIVE, AccountStatus.AT_RISK, AccountStatus.IMPLEMENTATION]
    accounts = {a.pk: a for a in Account.objects.filter(status__in=live)}
    by_account: dict[int, list[PnlMonth]] = defaultdict(list)
    for row in PnlMonth.objects.filter(account_id__in=list(accounts)).order_by("month"):
        by_account[row.account_id].append(row)
    out = []
    for account_id, rows in by_account.items():
        t = total(rows[-months:], accounts[account_id].name)
        if t.margin < 0:
            out.append((accounts[account_id], t))
    out.sort(key=lambda pair: pair[1].margin_pct if pair[1].margin_pct is not None else 0.0)
    return out


def period_portfolio(
    account_ids: Iterable[int], first: dt.date, last: dt.date
) -> list[PortfolioRow]:
    """The stored months `first`..`last` (first days of months) of the given accounts (the
    caller's scope, already checked), lowest margin first: the reports' financial section."""
    ids = list(account_ids)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    by_account: dict[int, list[PnlMonth]] = defaultdict(list)
    rows = PnlMonth.objects.filter(account_id__in=ids, month__gte=first, month__lte=last)
    for row in rows.order_by("month"):
        by_account[row.account_id].append(row)
    team: dict[int, list[str]] = defaultdict(list)
    for a in Assignment.objects.filter(account_id__in=list(by_account)).select_related("user"):
        team[a.account_id].append(a.user.get_full_name() or a.user.get_username())
    out = []
    for account_id, months in by_account.items():
        t = total(months, accounts[account_id].name)
        out.append(PortfolioRow(accounts[account_id], t, sorted(team[account_id]), why_losing(t)))
    out.sort(key=lambda r: r.totals.margin_pct if r.totals.margin_pct is not None else 0.0)
    return out


def breakdown(rows: Sequence[PortfolioRow], key: str) -> list[Totals]:
    """Portfolio totals by segment, funding or associate."""
    groups: dict[str, Totals] = {}
    for row in rows:
        if key == "associate":
            labels = row.associates or ["(unassigned)"]
        elif key == "segment":
            labels = [row.account.get_segment_display()]
        else:
            labels = [row.account.get_funding_display()]
        for label in labels:
            g = groups.setdefault(label, Totals(label))
            for name in (
                "member_months",
                "revenue",
                "costs",
                "margin",
                "paid_claims",
                "ibnr",
                "premium",
            ):
                setattr(g, name, getattr(g, name) + getattr(row.totals, name))
            g.months += 1
    return sorted(groups.values(), key=lambda g: g.label)


def account_totals(accounts: Iterable[Account], *, as_of: dt.date) -> list[dict[str, Any]]:
    """The last 12 stored months of each account, for the CLI."""
    seen: dict[int, Account] = {a.pk: a for a in accounts}
    out = []
    for account in sorted(seen.values(), key=lambda a: a.group_number):
        t = total(last_months(pnl_rows(account)))
        out.append(
            {
                "group_number": account.group_number,
                "name": account.name,
                "funding": account.funding,
                "months": t.months,
                "member_months": t.member_months,
                "revenue": t.revenue,
                "completed_claims": t.completed_claims,
                "ibnr": t.ibnr,
                "costs": t.costs,
                "margin": t.margin,
                "margin_pct": None if t.margin_pct is None else round(t.margin_pct, 1),
                "loss_ratio_pct": None if t.loss_ratio is None else round(t.loss_ratio, 1),
            }
        )
    return out
