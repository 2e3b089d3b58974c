"""The renewal projection, step by step: pure functions of the experience and assumptions.

The rule (../shared/domain/account-management.md §2.2 E; IC-83, SOA group experience-rating
notes), each step a line an underwriter can follow:

1. Experience: 12 incurred months, completed with IBNR (the stored P&L), per member month.
2. Pooling: cut each person's claims above the pooling point; add the pooling charge (the
   book's expected excess per member month at that point).
3. Plan-design change: x the plan factor (1 = no change; plan options give it).
4. Trend from the experience midpoint to the rating-period midpoint:
   (1 + utilization)(1 + unit cost) per year, ^ (months / 12).
5. Credibility (limited fluctuation): Z = min(1, sqrt(n / n_full)), n = claims in the
   experience; n_full = 1,082 x (1 + CV^2) for aggregate cost (1,082 = (1.645 / 0.05)^2:
   90 % probability within 5 %; CV = the coefficient of variation of claim cost, textbook,
   unverified for health); blended Z x experience + (1 - Z) x manual rate.
6. Loads: administrative expense PMPM, guarantee costs PMPM (penalties of the experience),
   premium taxes and fees and the target margin as % of the rate -> required rate.
7. Required change = required rate / current rate - 1 (fully insured: premium PMPM; ASO:
   the premium equivalent the sponsor funds now, `aso_current_rate`: its budgeted claims
   PMPM + the current fees; the experience + fees only when no budget is recorded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

ASO_BUDGET_LABEL = (
    "premium equivalent the sponsor funds: budgeted claims PMPM (financial terms) + current "
    "fees PMPM"
)
ASO_EXPERIENCE_LABEL = (
    "premium equivalent: experience completed claims + current fees PMPM (no budgeted claims "
    "PMPM in the financial terms, so the change is against the account's own experience)"
)
FULL_CREDIBILITY_CLAIMS = 1_082  # (1.645 / 0.05) ** 2, rounded as the textbooks do
TREND_SOURCE = (
    "PwC Health Research Institute, group medical cost trend 8.5 % for 2026 "
    "(hitconsultant.net, 2025-07-18); the split into utilization 2.0 % and unit cost 6.4 % "
    "is our assumption ((1.020)(1.064) - 1 = 8.5 %)"
)
DEFAULT_UTILIZATION_TREND = 2.0
DEFAULT_UNIT_COST_TREND = 6.4
DEFAULT_POOLING_POINT = 250_000
DEFAULT_TARGET_MARGIN = 3.0


def default_target_margin(fully_insured: bool) -> float:
    """The target margin applied when none is given: 3 % of a fully insured rate; none on a
    self-funded sponsor's premium equivalent (our margin is inside the admin fees it already
    carries, so loading it again would count it twice). The renewal form shows this value."""
    return DEFAULT_TARGET_MARGIN if fully_insured else 0.0


@dataclass(frozen=True)
class Assumptions:
    pooling_point: float = DEFAULT_POOLING_POINT
    pooling_charge_pmpm: float = 0.0
    utilization_trend: float = DEFAULT_UTILIZATION_TREND  # annual %
    unit_cost_trend: float = DEFAULT_UNIT_COST_TREND  # annual %
    plan_factor: float = 1.0
    manual_pmpm: float = 0.0
    full_credibility_claims: float | None = None  # None: 1,082 x (1 + CV^2)
    admin_pmpm: float = 0.0
    guarantee_pmpm: float = 0.0
    tax_pct: float = 0.0
    target_margin_pct: float = DEFAULT_TARGET_MARGIN


def aso_current_rate(
    completed_claims: float, member_months: float, fees_pmpm: float, budget_pmpm: float | None
) -> tuple[float, str]:
    """A self-funded sponsor's current rate: what it funds now, its budgeted claims PMPM +
    the current fees. Without a budget, the experience + fees (then a loss-making, costly
    account is told to lower its rate whenever credibility pulls it to a cheaper manual
    rate: the label says so)."""
    if budget_pmpm is not None and budget_pmpm > 0:
        return budget_pmpm + fees_pmpm, ASO_BUDGET_LABEL
    experience = completed_claims / member_months if member_months else 0.0
    return experience + fees_pmpm, ASO_EXPERIENCE_LABEL


@dataclass(frozen=True)
class Experience:
    """The account's experience period, already completed with IBNR."""

    first_month: str
    last_month: str
    member_months: float
    completed_claims: float
    excess_by_point: dict[float, float]  # pooling point -> sum of the excess over it
    claimants_by_point: dict[float, int]
    claims: int  # distinct claims
    severity_cv: float
    months_of_trend: float
    current_rate_pmpm: float
    current_rate_label: str
    fees_pmpm: float = 0.0  # ASO: fees in the premium equivalent


@dataclass(frozen=True)
class Step:
    label: str
    value: float
    unit: str  # "$", "PMPM", "x", "%", "n", "months"
    how: str


@dataclass
class Projection:
    name: str
    assumptions: Assumptions
    steps: list[Step] = field(default_factory=list)
    required_pmpm: float = 0.0
    change_pct: float | None = None
    credibility: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.name,
            "required_pmpm": round(self.required_pmpm, 2),
            "change_pct": None if self.change_pct is None else round(self.change_pct, 2),
            "credibility": round(self.credibility, 4),
            "steps": [
                {"step": s.label, "value": round(s.value, 4), "unit": s.unit, "how": s.how}
                for s in self.steps
            ],
        }


def excess_at(experience: Experience, point: float) -> float:
    if point not in experience.excess_by_point:
        raise ValueError(f"no pooling figures at {point:,.0f}; read it with the experience")
    return experience.excess_by_point[point]


def project(experience: Experience, a: Assumptions, name: str = "Base") -> Projection:
    """The projection under one set of assumptions (see the module doc)."""
    p = Projection(name, a)
    mm = experience.member_months
    if mm <= 0:
        raise ValueError("the experience period has no member months")
    add = p.steps.append
    add(
        Step(
            "Experience period",
            mm,
            "member months",
            f"{experience.first_month} to {experience.last_month}, incurred",
        )
    )
    claims_pmpm = experience.completed_claims / mm
    add(Step("Completed claims", experience.completed_claims, "$", "paid + IBNR (stored P&L)"))
    add(Step("Completed claims PMPM", claims_pmpm, "PMPM", "completed claims / member months"))
    excess = excess_at(experience, a.pooling_point)
    claimants = experience.claimants_by_point.get(a.pooling_point, 0)
    pooled = (experience.completed_claims - excess) / mm
    add(
        Step(
            "Claims above the pooling point removed",
            excess,
            "$",
            f"{claimants} claimant(s) over ${a.pooling_point:,.0f} (paid to date)",
        )
    )
    add(
        Step(
            "Pooling charge",
            a.pooling_charge_pmpm,
            "PMPM",
            f"the book's excess over ${a.pooling_point:,.0f} per member month",
        )
    )
    pooled_pmpm = pooled + a.pooling_charge_pmpm
    add(
        Step(
            "Pooled claims PMPM",
            pooled_pmpm,
            "PMPM",
            "(completed - excess) / member months + pooling charge",
        )
    )
    designed = pooled_pmpm * a.plan_factor
    add(
        Step(
            "Plan-design change",
            a.plan_factor,
            "x",
            "1 = no change; an option's plan paid PMPM over the current plan's (plan options)",
        )
    )
    annual = (1 + a.utilization_trend / 100) * (1 + a.unit_cost_trend / 100) - 1
    factor = (1 + annual) ** (experience.months_of_trend / 12)
    add(
        Step(
            "Annual trend",
            annual * 100,
            "%",
            f"(1 + utilization {a.utilization_trend:.2f} %) x "
            f"(1 + unit cost {a.unit_cost_trend:.2f} %) - 1",
        )
    )
    add(
        Step(
            "Trend factor",
            factor,
            "x",
            f"(1 + trend) ^ ({experience.months_of_trend:.1f} months / 12), experience "
            "midpoint to rating midpoint",
        )
    )
    trended = designed * factor
    add(Step("Projected experience PMPM", trended, "PMPM", "pooled x plan factor x trend factor"))
    n_full = a.full_credibility_claims or FULL_CREDIBILITY_CLAIMS * (1 + experience.severity_cv**2)
    z = min(1.0, math.sqrt(experience.claims / n_full)) if n_full > 0 else 1.0
    p.credibility = z
    add(
        Step(
            "Full-credibility standard",
            n_full,
            "claims",
            f"1,082 x (1 + CV² = {experience.severity_cv:.2f}²): 90 % probability within 5 %"
            if a.full_credibility_claims is None
            else "given",
        )
    )
    add(
        Step("Credibility Z", z, "x", f"min(1, sqrt({experience.claims:,} claims / {n_full:,.0f}))")
    )
    # The manual rate prices the plan being rated too: the plan-design change applies to it.
    manual = a.manual_pmpm * a.plan_factor * factor
    add(
        Step(
            "Manual rate, trended",
            manual,
            "PMPM",
            f"manual {a.manual_pmpm:,.2f} x plan factor x trend factor",
        )
    )
    blended = z * trended + (1 - z) * manual
    add(
        Step(
            "Credibility-weighted claims PMPM",
            blended,
            "PMPM",
            "Z x projected experience + (1 - Z) x manual",
        )
    )
    add(
        Step(
            "Administrative load",
            a.admin_pmpm,
            "PMPM",
            "segment admin expense (PMPM + PEPM per member)",
        )
    )
    add(
        Step(
            "Guarantee costs",
            a.guarantee_pmpm,
            "PMPM",
            "penalties owed in the experience period per member month",
        )
    )
    loads = a.tax_pct + a.target_margin_pct
    if loads >= 100:
        raise ValueError("taxes and margin must be under 100 % of the rate")
    required = (blended + a.admin_pmpm + a.guarantee_pmpm + experience.fees_pmpm) / (
        1 - loads / 100
    )
    if experience.fees_pmpm:
        add(
            Step(
                "Fees in the premium equivalent",
                experience.fees_pmpm,
                "PMPM",
                "ASO admin fees and stop-loss premium",
            )
        )
    add(
        Step(
            "Taxes, fees and target margin",
            loads,
            "%",
            f"taxes {a.tax_pct:.2f} % + margin {a.target_margin_pct:.2f} % of the rate",
        )
    )
    add(Step("Required rate", required, "PMPM", "(claims + loads) / (1 - % loads)"))
    p.required_pmpm = required
    add(Step("Current rate", experience.current_rate_pmpm, "PMPM", experience.current_rate_label))
    if experience.current_rate_pmpm > 0:
        p.change_pct = (required / experience.current_rate_pmpm - 1) * 100
        add(Step("Required change", p.change_pct, "%", "required / current - 1"))
    return p


def scenarios(
    experience: Experience, base: Assumptions, charges: dict[float, float]
) -> list[Projection]:
    """Base, trend high and low (unit cost +-2 points), pooling point lower and higher (the
    neighbouring points the experience was read at, with the book's charge at each)."""
    out = [project(experience, base, "Base")]
    out.append(
        project(
            experience,
            replace(base, unit_cost_trend=base.unit_cost_trend + 2),
            "Trend high (+2 pts)",
        )
    )
    out.append(
        project(
            experience,
            replace(base, unit_cost_trend=base.unit_cost_trend - 2),
            "Trend low (-2 pts)",
        )
    )
    points = sorted(experience.excess_by_point)
    lower = [pt for pt in points if pt < base.pooling_point]
    higher = [pt for pt in points if pt > base.pooling_point]
    for pt, label in (
        (lower[-1] if lower else None, "lower"),
        (higher[0] if higher else None, "higher"),
    ):
        if pt is None:
            continue
        out.append(
            project(
                experience,
                replace(
                    base,
                    pooling_point=pt,
                    pooling_charge_pmpm=charges.get(pt, base.pooling_charge_pmpm),
                ),
                f"Pooling point {label} (${pt:,.0f})",
            )
        )
    return out
