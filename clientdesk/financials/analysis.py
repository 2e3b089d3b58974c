"""The account pages' lake reads, in the reader's scope: the renewal's experience (pooling
excess, claim counts) and the claims the plan options re-adjudicate. Every read of
member-level rows is audited; what leaves here is per account (renewal) or per claim
without a member identity (options: a person key local to the computation)."""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from clientdesk.accounts.models import Account, Funding
from clientdesk.financials import marts, queries
from clientdesk.financials.actions import do_record_member_claims_read
from clientdesk.financials.adjudication import Claims, rx_tier
from clientdesk.financials.contributions import TIERS, tier_of
from clientdesk.financials.models import PnlMonth
from clientdesk.financials.renewal import (
    Assumptions,
    Experience,
    aso_current_rate,
    default_target_margin,
)
from clientdesk.financials.runs import (
    POOLING_POINTS,
    contract_in_force,
    month_index,
    segment_expense,
)
from clientdesk.financials.variance import Trend
from clientdesk.lake.gateway import AnyUser, Reader, SystemActor, open_lake
from clientdesk.lib.periods import Period
from clientdesk.utilization.models import DrugProduct
from clientdesk.utilization.queries import pmpm_trends

log = logging.getLogger(__name__)

EXPERIENCE_MONTHS = 12


class NoExperience(ValueError):
    """The account has no stored P&L to project from."""


@dataclass(frozen=True)
class Window:
    rows: list[PnlMonth]
    first: int
    last: int
    as_of: dt.date


def experience_window(account: Account) -> Window:
    rows = queries.last_months(queries.pnl_rows(account), EXPERIENCE_MONTHS)
    if not rows:
        raise NoExperience(f"{account.name} has no P&L run yet (clientdesk financials pnl)")
    estimate = queries.latest_estimate(account)
    as_of = estimate.as_of if estimate else rows[-1].month
    return Window(rows, month_index(rows[0].month), month_index(rows[-1].month), as_of)


def _audit(reader: Reader, account: Account, purpose: str, detail: dict[str, Any]) -> None:
    if isinstance(reader, SystemActor):
        return  # a system job's read is the job's own record (the CLI run)
    do_record_member_claims_read(account, acting_user=reader, purpose=purpose, detail=detail)


def renewal_inputs(
    reader: Reader, account: Account, **overrides: float
) -> tuple[Experience, Assumptions, dict[float, float]]:
    """The experience of the last 12 stored months and the default assumptions (book
    figures for the pooling charge and the manual rate), with `overrides`."""
    window = experience_window(account)
    points = sorted({*POOLING_POINTS, float(overrides.get("pooling_point", 250_000))})
    excess: dict[float, float] = {}
    claimants: dict[float, int] = {}
    with open_lake(reader, accounts=[account]) as lake:
        payments = marts.payments(lake, window.as_of, window.first)
        pooled = lake.execute(
            marts.mart_pooling_excess(payments, window.first, window.last, tuple(points))
        )
        for i, point in enumerate(points):
            excess[float(point)] = float(pooled[f"excess_{i}"].sum()) if len(pooled) else 0.0
            claimants[float(point)] = int(pooled[f"claimants_{i}"].sum()) if len(pooled) else 0
        counts = lake.execute(marts.mart_claim_counts(payments, window.first, window.last))
    _audit(
        reader,
        account,
        "renewal",
        {"months": f"{window.rows[0].month:%Y-%m}..{window.rows[-1].month:%Y-%m}"},
    )
    n = int(counts["claims"].sum()) if len(counts) else 0
    total = float(counts["paid"].sum()) if len(counts) else 0.0
    squares = float(counts["paid_sq"].sum()) if len(counts) else 0.0
    mean = total / n if n else 0.0
    variance = squares / n - mean * mean if n else 0.0
    cv = math.sqrt(max(variance, 0.0)) / mean if mean > 0 else 0.0
    t = queries.total(window.rows)
    mm = float(t.member_months)
    # Midpoints: of the experience months, and of the rating year from the renewal date.
    mid_experience = (window.first + window.last + 1) / 2
    renewal = account.renewal_date
    mid_rating = renewal.year * 12 + renewal.month - 1 + 6 + (renewal.day - 1) / 30
    months_of_trend = max(0.0, mid_rating - mid_experience)
    contract = contract_in_force(account, window.last)
    if account.funding == Funding.FULLY_INSURED:
        current = float(contract.premium_pmpm or 0) if contract else 0.0
        label = "current premium PMPM (contract in force)"
        fees = 0.0
    else:
        fees = float(t.admin_fees + t.stop_loss_premium) / mm if mm else 0.0
        budget = queries.terms_of(account).budget_pmpm
        current, label = aso_current_rate(
            float(t.completed_claims), mm, fees, float(budget) if budget is not None else None
        )
    experience = Experience(
        first_month=f"{window.rows[0].month:%b %Y}",
        last_month=f"{window.rows[-1].month:%b %Y}",
        member_months=mm,
        completed_claims=float(t.completed_claims),
        excess_by_point=excess,
        claimants_by_point=claimants,
        claims=n,
        severity_cv=cv,
        months_of_trend=months_of_trend,
        current_rate_pmpm=current,
        current_rate_label=label,
        fees_pmpm=fees,
    )
    book = queries.book_estimate()
    charges = {
        float(k): float(v)
        for k, v in (
            (book.book_figures or {}).get("pooling_charge_pmpm", {}) if book else {}
        ).items()
        if v is not None
    }
    admin_pmpm, admin_pepm = segment_expense(account.segment)
    per_member = float(admin_pmpm) + (
        float(admin_pepm) * float(t.subscriber_months) / mm if mm else 0.0
    )
    terms = queries.terms_of(account)
    point = float(overrides.get("pooling_point", 250_000))
    manual = _book_pmpm(book, window)
    # ASO: the projection is the sponsor's premium equivalent (claims + the current fees);
    # our admin expense and guarantee costs are paid from the fees, not loaded again.
    aso = account.funding != Funding.FULLY_INSURED
    base = Assumptions(
        pooling_point=point,
        pooling_charge_pmpm=float(overrides.get("pooling_charge_pmpm", charges.get(point, 0.0))),
        utilization_trend=float(overrides.get("utilization_trend", Assumptions.utilization_trend)),
        unit_cost_trend=float(overrides.get("unit_cost_trend", Assumptions.unit_cost_trend)),
        plan_factor=float(overrides.get("plan_factor", 1.0)),
        manual_pmpm=float(overrides.get("manual_pmpm", manual)),
        full_credibility_claims=overrides.get("full_credibility_claims"),
        admin_pmpm=0.0 if aso else per_member,
        guarantee_pmpm=0.0 if aso or not mm else float(t.penalties) / mm,
        tax_pct=float(terms.premium_tax_pct) if account.funding == Funding.FULLY_INSURED else 0.0,
        target_margin_pct=float(overrides.get("target_margin_pct", account_target_margin(account))),
    )
    return experience, base, charges


def account_target_margin(account: Account) -> float:
    """The target margin % a renewal applies to `account` when none is given (and the form
    shows): renewal.default_target_margin by its funding."""
    return default_target_margin(fully_insured=account.funding == Funding.FULLY_INSURED)


def _book_pmpm(book: Any, window: Window) -> float:
    """The book's completed PMPM over the same months (the manual rate's default)."""
    if book is None:
        return 0.0
    figures = book.book_figures or {}
    pmpm = figures.get("completed_pmpm", {})
    months = figures.get("member_months", {})
    labels = [f"{r.month:%Y-%m}" for r in window.rows]
    dollars = sum(float(pmpm.get(m, 0)) * float(months.get(m, 0)) for m in labels)
    exposure = sum(float(months.get(m, 0)) for m in labels)
    return dollars / exposure if exposure else 0.0


def option_claims(reader: Reader, account: Account) -> tuple[Claims, float, int, str]:
    """The account's claims of the last 12 stored months (allowed dollars by person, day and
    category), the member months and average members: what the options re-adjudicate."""
    window = experience_window(account)
    with open_lake(reader, accounts=[account], max_rows=2_000_000) as lake:
        payments = marts.payments(lake, window.as_of, window.first)
        frame = lake.execute(marts.stg_member_claims(payments, window.first, window.last))
        after = (window.rows[-1].month + dt.timedelta(days=31)).replace(day=1)
        fills = lake.execute(
            marts.stg_fill_ndcs(
                lake.pharmacy_claim, window.rows[0].month, after - dt.timedelta(days=1)
            )
        )
    period = f"{window.rows[0].month:%b %Y} – {window.rows[-1].month:%b %Y}"
    categories = pharmacy_tiers(
        frame["claim_id"].astype(str).tolist(),
        frame["category"].astype(str).tolist(),
        dict(
            zip(
                fills["claim_id"].astype(str), fills["ndc_code"].fillna("").astype(str), strict=True
            )
        ),
    )
    _audit(reader, account, "plan_options", {"period": period, "claims": len(frame)})
    days = pd.to_datetime(frame["service_date"]).to_numpy().astype("datetime64[D]").astype("int64")
    claims = Claims.build(
        frame["person_id"].astype(str).tolist(),
        days.tolist(),
        categories,
        frame["allowed"].astype(float).tolist(),
    )
    mm = sum(r.member_months for r in window.rows)
    return claims, float(mm), round(mm / max(1, len(window.rows))), period


def coverage_tiers(reader: Reader, account: Account) -> dict[str, int]:
    """Subscribers by coverage tier on the last day of the experience window (the
    contribution strategy's enrollment; `contributions.tier_of`)."""
    window = experience_window(account)
    on = (window.rows[-1].month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
    with open_lake(reader, accounts=[account]) as lake:
        frame = lake.execute(marts.stg_coverage_tiers(lake.eligibility, min(on, window.as_of)))
    counts = dict.fromkeys(TIERS, 0)
    for spouse, children in zip(frame["spouse"], frame["children"], strict=True):
        counts[tier_of(bool(spouse), bool(children))] += 1
    return counts


def pharmacy_tiers(
    claim_ids: list[str], categories: list[str], ndc_of: dict[str, str]
) -> list[str]:
    """Each pharmacy claim's tier from its drug in the reference (`adjudication.rx_tier`: a
    fill whose NDC is not in the reference counts as brand); other claims keep their
    category."""
    codes = {
        ndc_of.get(c, "") for c, k in zip(claim_ids, categories, strict=True) if k == "pharmacy"
    }
    flags = {
        code: (generic, specialty)
        for code, generic, specialty in DrugProduct.objects.filter(
            ndc_code__in=codes - {""}
        ).values_list("ndc_code", "generic", "specialty")
    }
    out = []
    for claim, category in zip(claim_ids, categories, strict=True):
        if category == "pharmacy":
            generic, specialty = flags.get(ndc_of.get(claim, ""), (None, None))
            category = rx_tier(generic, specialty)
        out.append(category)
    return out


def requested_decimal(value: str | None, default: Decimal) -> Decimal:
    try:
        return Decimal(value) if value not in (None, "") else default
    except ArithmeticError:
        return default


__all__ = ["AnyUser", "NoExperience", "option_claims", "renewal_inputs"]


def plan_year_trends(reader: AnyUser, account: Account, rows: list[PnlMonth]) -> dict[str, Trend]:
    """Each plan year's paid PMPM trend against the same months a year before, from the
    utilization app's decomposition (utilization, mix, unit cost), by plan-year label. A
    plan year whose months a year before have no P&L rows gets none. The read is aggregate
    (PMPM per category): no member rows leave the utilization app."""
    months = {row.month for row in rows}
    out: dict[str, Trend] = {}
    for year in queries.plan_years(account, rows):
        if year.first is None or year.last is None:
            continue
        first, last = month_index(year.first), month_index(year.last)
        if not all(
            dt.date(m.year - 1, m.month, 1) in months
            for m in months
            if year.first <= m <= year.last
        ):
            continue
        try:
            found = pmpm_trends(
                reader, [account], Period(first, last), Period(first - 12, last - 12)
            ).get(account.pk)
        except (ValueError, LookupError, OSError) as error:
            log.warning("no utilization trend for account %s: %s", account.pk, type(error).__name__)
            continue
        if found is not None:
            out[year.label] = Trend(found.utilization, found.mix, found.unit_cost)
    return out
