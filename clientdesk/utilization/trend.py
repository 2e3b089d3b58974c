"""Trend decomposition: the change in PMPM split into utilization, mix and unit cost.

For each category c (a service-category leaf, and pharmacy) in the prior (0) and current (1)
period, with member months M:

    u_c = units_c / M          units per member per month (service days; fills for pharmacy)
    k_c = spend_c / units_c    cost per unit
    PMPM_c = u_c * k_c         (contributive: spend_c / M)
    U = sum(u_c),  s_c = u_c / U  (the category's share of all units)

    utilization = (U1 - U0) * sum(s_c0 * k_c0)            more or fewer units overall
    mix         = U1 * sum((s_c1 - s_c0) * k_c0)          a shift between categories
    unit cost   = sum(u_c1 * (k_c1 - k_c0))               price per unit in each category

These add up exactly to PMPM1 - PMPM0 (the price-volume-mix identity; no residual), and so do
the per-category parts. A category with no units in the prior period takes its current cost
per unit as k_c0 (its whole spend is use, not price); a category with no units now
contributes only through its prior units. With no units at all in the prior period the whole
change is utilization. All arithmetic is exact (fractions); rounding comes last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from clientdesk.utilization.rounding import Number, exact


@dataclass(frozen=True)
class CategoryUse:
    units: int
    spend: Number


@dataclass(frozen=True)
class CategoryEffect:
    category: str
    pmpm_prior: Fraction
    pmpm_current: Fraction
    utilization: Fraction
    mix: Fraction
    unit_cost: Fraction

    @property
    def change(self) -> Fraction:
        return self.pmpm_current - self.pmpm_prior


@dataclass(frozen=True)
class Decomposition:
    pmpm_prior: Fraction
    pmpm_current: Fraction
    utilization: Fraction
    mix: Fraction
    unit_cost: Fraction
    categories: tuple[CategoryEffect, ...]

    @property
    def change(self) -> Fraction:
        return self.pmpm_current - self.pmpm_prior


def decompose(
    prior: Mapping[str, CategoryUse],
    current: Mapping[str, CategoryUse],
    prior_member_months: int,
    current_member_months: int,
) -> Decomposition:
    """Split PMPM1 - PMPM0 into utilization, mix and unit cost (see the module docstring)."""
    if prior_member_months <= 0 or current_member_months <= 0:
        raise ValueError("both periods need member months to compare PMPM")
    names = sorted(set(prior) | set(current))
    empty = CategoryUse(0, 0)
    m0, m1 = Fraction(prior_member_months), Fraction(current_member_months)
    u0 = {c: Fraction(prior.get(c, empty).units) / m0 for c in names}
    u1 = {c: Fraction(current.get(c, empty).units) / m1 for c in names}
    p0 = {c: exact(prior.get(c, empty).spend) / m0 for c in names}
    p1 = {c: exact(current.get(c, empty).spend) / m1 for c in names}
    k1 = {c: (p1[c] / u1[c]) if u1[c] else Fraction(0) for c in names}
    k0 = {c: (p0[c] / u0[c]) if u0[c] else k1[c] for c in names}
    total0, total1 = sum(u0.values(), Fraction(0)), sum(u1.values(), Fraction(0))
    effects = []
    for c in names:
        if total0 == 0:
            use, mix, price = p1[c] - p0[c], Fraction(0), Fraction(0)
        else:
            s0 = u0[c] / total0
            s1 = u1[c] / total1 if total1 else Fraction(0)
            use = (total1 - total0) * s0 * k0[c]
            mix = total1 * (s1 - s0) * k0[c]
            price = u1[c] * (k1[c] - k0[c])
        # A category with spend but no units (not possible for service days) keeps the
        # identity by counting the rest as unit cost.
        price += (p1[c] - p0[c]) - (use + mix + price)
        effects.append(CategoryEffect(c, p0[c], p1[c], use, mix, price))
    return Decomposition(
        pmpm_prior=sum(p0.values(), Fraction(0)),
        pmpm_current=sum(p1.values(), Fraction(0)),
        utilization=sum((e.utilization for e in effects), Fraction(0)),
        mix=sum((e.mix for e in effects), Fraction(0)),
        unit_cost=sum((e.unit_cost for e in effects), Fraction(0)),
        categories=tuple(effects),
    )
