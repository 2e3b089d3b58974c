"""Budget against actual for a plan year, the variance explained.

    budget   B = budget PMPM x budgeted member months (budgeted average members x months;
                 without a budgeted enrollment, the member months enrolled)
    actual   A = completed claims (paid + IBNR) of the plan year
    A - B = enrollment + cost per member, exactly:
      enrollment      = (member months - budgeted member months) x budget PMPM
      cost per member = (actual PMPM - budget PMPM) x member months

The cost per member splits further when the prior plan year is known and the utilization
app's trend decomposition (`utilization.queries.pmpm_trends`: the paid PMPM change from the
prior plan year split into utilization, mix and unit cost, exact) is at hand. With P0 the
prior plan year's completed PMPM and MM the member months:

      actual PMPM - budget PMPM = (actual PMPM - P0) - (budget PMPM - P0)
      actual PMPM - P0          = utilization + mix + unit cost + completion and other

so the cost per member = MM x utilization + MM x mix + MM x unit cost
                         + MM x completion and other - MM x budgeted change,
where "completion and other" is what the paid-claims decomposition does not hold (the IBNR
added to complete the months, claims outside the categories) and "budgeted change" is the
growth the budget assumed over the prior year. Every line is in dollars of the plan year;
they add up to A - B (rounded to the cent last, the cost lines absorb no residual: the
identity holds before rounding).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Trend:
    """The paid PMPM change from the prior plan year split three ways (utilization app)."""

    utilization: Decimal
    mix: Decimal
    unit_cost: Decimal

    @property
    def change(self) -> Decimal:
        return self.utilization + self.mix + self.unit_cost


@dataclass(frozen=True)
class Variance:
    budget: Decimal
    actual: Decimal
    member_months: int
    budget_member_months: int
    budget_pmpm: Decimal
    actual_pmpm: Decimal | None
    enrollment: Decimal
    cost_per_member: Decimal
    prior_pmpm: Decimal | None = None
    utilization: Decimal | None = None
    mix: Decimal | None = None
    unit_cost: Decimal | None = None
    completion_and_other: Decimal | None = None
    budgeted_change: Decimal | None = None

    @property
    def variance(self) -> Decimal:
        return self.actual - self.budget

    @property
    def variance_pct(self) -> float | None:
        return float(self.variance / self.budget * 100) if self.budget else None

    @property
    def explained(self) -> bool:
        return self.utilization is not None

    def lines(self) -> list[tuple[str, Decimal]]:
        """The variance line by line, in the order it reads (dollars, rounded)."""
        out = [("Enrollment", _cents(self.enrollment))]
        parts = (self.utilization, self.mix, self.unit_cost, self.completion_and_other)
        if self.budgeted_change is None or any(p is None for p in parts):
            out.append(("Cost per member", _cents(self.cost_per_member)))
            return out
        names = ("Utilization", "Mix of services", "Unit cost", "Completion (IBNR) and other")
        out += [(n, _cents(p)) for n, p in zip(names, parts, strict=True) if p is not None]
        out.append(("Less the change the budget assumed", _cents(-self.budgeted_change)))
        return out


def explain(
    *,
    budget_pmpm: Decimal,
    actual: Decimal,
    member_months: int,
    budget_member_months: int | None = None,
    prior_pmpm: Decimal | None = None,
    trend: Trend | None = None,
) -> Variance:
    """The plan year's variance against budget, explained (see the module doc)."""
    budget_mm = member_months if budget_member_months is None else budget_member_months
    budget = budget_pmpm * budget_mm
    enrollment = (member_months - budget_mm) * budget_pmpm
    cost = actual - budget_pmpm * member_months
    actual_pmpm = actual / member_months if member_months else None
    base = Variance(
        budget=budget,
        actual=actual,
        member_months=member_months,
        budget_member_months=budget_mm,
        budget_pmpm=budget_pmpm,
        actual_pmpm=actual_pmpm,
        enrollment=enrollment,
        cost_per_member=cost,
    )
    if trend is None or prior_pmpm is None or actual_pmpm is None:
        return base
    mm = Decimal(member_months)
    other = (actual_pmpm - prior_pmpm) - trend.change
    return replace(
        base,
        prior_pmpm=prior_pmpm,
        utilization=mm * trend.utilization,
        mix=mm * trend.mix,
        unit_cost=mm * trend.unit_cost,
        completion_and_other=mm * other,
        budgeted_change=mm * (budget_pmpm - prior_pmpm),
    )
