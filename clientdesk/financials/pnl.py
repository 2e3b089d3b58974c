"""The P&L lines of an account-month and the ACA MLR indicator: pure functions of values.

P&L (../shared/domain/account-management.md §2.2 A, the insurer's view):
- revenue: ASO admin fees = contract admin fee PEPM x subscriber months (eligibility,
  subscriber_relation 'self'), plus stop-loss premium PEPM x subscriber months where stop-loss
  is sold; fully insured premium = contract premium PMPM x member months;
- costs: fully insured completed claims (paid by incurred month + IBNR); ASO the stop-loss
  claims above the specific deductible (the other claims are the sponsor's money, shown but
  not ours); guarantee penalties owed; vendor and pass-through PEPM; premium taxes and fees
  (fully insured, % of premium); administrative expense allocated by the segment's PMPM and
  PEPM;
- margin = revenue - costs; margin % = margin / revenue.

MLR (45 CFR 158; §2.2 D) is an internal indicator: the legal MLR and any rebate are per
issuer, state and market, never per employer, and do not apply to self-funded accounts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# §158.232 credibility base adjustment (percentage points) by life-years, linear between.
CREDIBILITY_BASE: tuple[tuple[float, float], ...] = (
    (1_000, 8.3),
    (2_500, 5.2),
    (5_000, 3.7),
    (10_000, 2.6),
    (25_000, 1.6),
    (50_000, 1.2),
    (75_000, 0.0),
)
# Deductible factor by average deductible (values marked unverified in the domain notes).
DEDUCTIBLE_FACTOR: tuple[tuple[float, float], ...] = (
    (2_500, 1.164),
    (5_000, 1.402),
    (10_000, 1.736),
)
MLR_STANDARD_LARGE = 85.0
MLR_STANDARD_SMALL = 80.0


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthTerms:
    """The prices and allocations of one account-month."""

    funding: str
    admin_fee_pepm: Decimal | None
    premium_pmpm: Decimal | None
    stop_loss_sold: bool
    stop_loss_premium_pepm: Decimal
    vendor_pepm: Decimal
    premium_tax_pct: Decimal
    admin_pmpm: Decimal
    admin_pepm: Decimal


@dataclass(frozen=True)
class MonthFigures:
    """What the lake and the guarantees say of one account-month."""

    member_months: int
    subscriber_months: int
    paid_claims: Decimal
    ibnr: Decimal
    stop_loss_claims: Decimal
    penalties: Decimal


def pnl_lines(terms: MonthTerms, figures: MonthFigures) -> dict[str, Decimal]:
    """The money lines of the month (see the module doc)."""
    fully_insured = terms.funding == "fully_insured"
    admin_fees = Decimal(0)
    stop_loss_premium = Decimal(0)
    premium = Decimal(0)
    if fully_insured:
        premium = money((terms.premium_pmpm or 0) * figures.member_months)
    else:
        admin_fees = money((terms.admin_fee_pepm or 0) * figures.subscriber_months)
        if terms.stop_loss_sold:
            stop_loss_premium = money(terms.stop_loss_premium_pepm * figures.subscriber_months)
    return {
        "admin_fees": admin_fees,
        "stop_loss_premium": stop_loss_premium,
        "premium": premium,
        "stop_loss_claims": figures.stop_loss_claims if terms.stop_loss_sold else Decimal(0),
        "penalties": figures.penalties,
        "vendor": money(terms.vendor_pepm * figures.subscriber_months),
        "premium_taxes": money(premium * terms.premium_tax_pct / 100),
        "admin_expense": money(
            terms.admin_pmpm * figures.member_months + terms.admin_pepm * figures.subscriber_months
        ),
    }


def _interpolate(points: tuple[tuple[float, float], ...], x: float) -> float:
    if x <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def credibility_adjustment(life_years: float, deductible: float) -> tuple[float | None, float]:
    """(base adjustment in points or None when non-credible, deductible factor)."""
    if life_years < 1_000:
        return None, 1.0
    base = _interpolate(CREDIBILITY_BASE, life_years)
    factor = 1.0 if deductible < 2_500 else _interpolate(DEDUCTIBLE_FACTOR, deductible)
    return base, factor


@dataclass(frozen=True)
class MlrIndicator:
    claims: float
    quality_improvement: float
    premium: float
    taxes_and_fees: float
    life_years: float
    unadjusted_pct: float | None
    credibility_points: float | None
    deductible_factor: float
    adjusted_pct: float | None
    standard_pct: float
    note: str

    @property
    def below_standard(self) -> bool:
        return self.adjusted_pct is not None and self.adjusted_pct < self.standard_pct


def mlr_indicator(
    *,
    claims: float,
    quality_improvement: float,
    premium: float,
    taxes_and_fees: float,
    member_months: float,
    deductible: float = 0.0,
    small_group: bool = False,
) -> MlrIndicator:
    """MLR = (incurred claims + quality-improvement expense) / (premium - taxes and fees),
    over up to three years of the account's fully insured months; plus the credibility
    adjustment by life-years (member months / 12) x the deductible factor. Fewer than 1,000
    life-years: non-credible (the rule presumes such a block compliant)."""
    life_years = member_months / 12
    denominator = premium - taxes_and_fees
    unadjusted = (claims + quality_improvement) / denominator * 100 if denominator > 0 else None
    base, factor = credibility_adjustment(life_years, deductible)
    adjusted = None
    if unadjusted is not None:
        adjusted = unadjusted + (base * factor if base is not None else 0.0)
    standard = MLR_STANDARD_SMALL if small_group else MLR_STANDARD_LARGE
    if base is None:
        note = (
            f"{life_years:,.0f} life-years: non-credible under 45 CFR 158.230 (fewer than "
            "1,000); no adjustment. Internal indicator only: the legal MLR is per issuer, state "
            "and market."
        )
    else:
        note = (
            f"{life_years:,.0f} life-years: credibility adjustment {base:.2f} points x "
            f"deductible factor {factor:.3f}. Internal indicator only: the legal MLR is per "
            "issuer, state and market."
        )
    return MlrIndicator(
        claims,
        quality_improvement,
        premium,
        taxes_and_fees,
        life_years,
        unadjusted,
        base,
        factor,
        adjusted,
        standard,
        note,
    )
