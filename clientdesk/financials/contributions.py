"""What employees pay under each plan option: the option's plan cost as monthly rates by
coverage tier, and the employer's contribution strategy per tier.

- Enrollment by tier (`marts.stg_coverage_tiers`): each subscriber enrolled on the window's
  last day, by the dependents enrolled with them: employee only, employee + spouse,
  employee + child(ren), family.
- Tier rates: the option's plan paid per month (plan paid PMPM x average members) spread over
  the subscribers by the tier ratios 1.00 / 2.00 / 1.80 / 2.90 (a common four-tier structure;
  our assumption, stated on the page): rate(tier) = base x ratio(tier), with base such that
  sum(subscribers x rate) = the monthly plan cost. Self-funded: the premium equivalent of the
  claims, before fees.
- The strategy: the employee pays a % of the tier rate (default 20 / 30 / 30 / 35 %); the
  employer the rest. Per option and tier: monthly rate, employee and employer share, and a
  year of the employees' contributions for the enrolled subscribers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TIERS = ("employee", "employee_spouse", "employee_children", "family")
TIER_LABELS = {
    "employee": "Employee only",
    "employee_spouse": "Employee + spouse",
    "employee_children": "Employee + child(ren)",
    "family": "Family",
}
TIER_RATIOS = {"employee": 1.00, "employee_spouse": 2.00, "employee_children": 1.80, "family": 2.90}
RATIO_SOURCE = (
    "tier ratios 1.00 / 2.00 / 1.80 / 2.90 (employee, + spouse, + child(ren), family): a "
    "common four-tier structure, our assumption"
)
DEFAULT_EMPLOYEE_PCT = {
    "employee": 20.0,
    "employee_spouse": 30.0,
    "employee_children": 30.0,
    "family": 35.0,
}


def tier_of(spouse: bool, children: bool) -> str:
    if spouse and children:
        return "family"
    if spouse:
        return "employee_spouse"
    if children:
        return "employee_children"
    return "employee"


@dataclass(frozen=True)
class TierLine:
    tier: str
    subscribers: int
    rate: float  # per month
    employee: float  # per month
    employer: float  # per month

    @property
    def label(self) -> str:
        return TIER_LABELS[self.tier]

    @property
    def employee_year(self) -> float:
        return self.employee * 12 * self.subscribers

    def as_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "subscribers": self.subscribers,
            "monthly_rate": round(self.rate, 2),
            "employee_monthly": round(self.employee, 2),
            "employer_monthly": round(self.employer, 2),
            "employees_per_year": round(self.employee_year, 2),
        }


def validate_strategy(employee_pct: Mapping[str, float]) -> dict[str, float]:
    """The employee's % of each tier's rate, 0 to 100, every tier named."""
    out = {}
    for tier in TIERS:
        value = float(employee_pct.get(tier, DEFAULT_EMPLOYEE_PCT[tier]))
        if not 0 <= value <= 100:
            raise ValueError(f"{TIER_LABELS[tier]}: the employee's share is a % from 0 to 100")
        out[tier] = value
    return out


def contributions(
    plan_paid_per_month: float, enrollment: Mapping[str, int], employee_pct: Mapping[str, float]
) -> list[TierLine]:
    """Monthly rate and shares by tier for one option (see the module doc)."""
    strategy = validate_strategy(employee_pct)
    weight = sum(enrollment.get(t, 0) * TIER_RATIOS[t] for t in TIERS)
    if weight <= 0:
        raise ValueError("no subscribers enrolled to spread the plan cost over")
    base = plan_paid_per_month / weight
    lines = []
    for tier in TIERS:
        rate = base * TIER_RATIOS[tier]
        employee = rate * strategy[tier] / 100
        lines.append(TierLine(tier, int(enrollment.get(tier, 0)), rate, employee, rate - employee))
    return lines


def for_options(
    plan_pmpm: Sequence[float],
    members: float,
    enrollment: Mapping[str, int],
    employee_pct: Mapping[str, float],
) -> list[list[TierLine]]:
    """Per option (its plan paid PMPM x the average members a month), the tier lines."""
    return [contributions(p * members, enrollment, employee_pct) for p in plan_pmpm]
