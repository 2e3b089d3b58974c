"""Plan options priced by re-adjudicating the account's own member-year claims (numpy,
vectorised: one pass of sorts and cumulative sums per option, no loop over members).

Each claim's allowed dollars, person by person in date order:
- a claim of a category with a copay (office visit, emergency, and pharmacy by tier:
  generic, brand, specialty) costs the member min(copay, allowed) and does not meet the
  deductible (the common copay design); a tier without a copay of its own takes the generic
  copay (one Rx copay), and a copay of 0 sends the claim through the deductible;
- every other claim goes through the deductible (what the person's earlier such claims have
  not used of it), then coinsurance on the rest;
- the member's running total of copays + deductible + coinsurance stops at the out-of-pocket
  maximum; the plan pays allowed - member.

Induced utilization (../shared/domain/account-management.md §2.2 F): the plan's paid
dollars x IDF(AV of the option) / IDF(AV of the first, current, option); AV = plan paid /
allowed on the account's own claims; IDF the HHS induced-demand factors by metal level
(bronze 60 % 1.00, silver 70 % 1.03, gold 80 % 1.08, platinum 90 % 1.15; from public
research code, to verify in the HHS Notice of Benefit and Payment Parameters), linear
between and flat outside.

Pharmacy tier of a fill (`rx_tier`): the drug reference (utilization's `DrugProduct`, loaded
with `clientdesk ndc`): a generic → generic; a specialty drug → specialty; any other known
NDC, or one not in the reference → brand (stated on the page).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CATEGORIES = (
    "office",
    "emergency",
    "pharmacy",  # generic tier (and every fill when the design has one Rx copay)
    "other medical",
    "pharmacy brand",
    "pharmacy specialty",
)
IDF_POINTS = ((0.60, 1.00), (0.70, 1.03), (0.80, 1.08), (0.90, 1.15))
IDF_SOURCE = (
    "HHS induced-demand factors (bronze 1.00, silver 1.03, gold 1.08, platinum 1.15), as in "
    "../shared/domain/account-management.md §2.2 F; to verify in the HHS Notice of Benefit "
    "and Payment Parameters"
)
# What the sponsor's page says (no internal reference, no note to ourselves).
IDF_SOURCE_SPONSOR = (
    "plan paid dollars adjusted by the change in actuarial value with the HHS induced-demand "
    "factors by metal level (bronze 1.00, silver 1.03, gold 1.08, platinum 1.15)"
)
OOP_BUCKETS = (0, 0, 500, 1_000, 2_000, 3_000, 5_000, 8_000)
SMALL_CELL = 11


@dataclass(frozen=True)
class PlanDesign:
    name: str
    deductible: float
    coinsurance_pct: float  # the member's share after the deductible
    oop_max: float
    copay_office: float = 0.0
    copay_emergency: float = 0.0
    copay_pharmacy: float = 0.0  # generic tier
    copay_brand: float | None = None  # None: the generic copay
    copay_specialty: float | None = None  # None: the generic copay

    @property
    def brand(self) -> float:
        return self.copay_pharmacy if self.copay_brand is None else self.copay_brand

    @property
    def specialty(self) -> float:
        return self.copay_pharmacy if self.copay_specialty is None else self.copay_specialty

    def validate(self) -> None:
        if not self.name.strip():
            raise ValueError("an option needs a name")
        for label, value in (
            ("deductible", self.deductible),
            ("out-of-pocket maximum", self.oop_max),
            ("office copay", self.copay_office),
            ("emergency copay", self.copay_emergency),
            ("generic Rx copay", self.copay_pharmacy),
            ("brand Rx copay", self.brand),
            ("specialty Rx copay", self.specialty),
        ):
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{self.name}: the {label} must be 0 or more")
        if not 0 <= self.coinsurance_pct <= 100:
            raise ValueError(f"{self.name}: coinsurance is a % from 0 to 100")
        if self.oop_max < self.deductible:
            raise ValueError(f"{self.name}: the out-of-pocket maximum is below the deductible")

    def copays(self) -> np.ndarray:
        return np.array(
            [
                self.copay_office,
                self.copay_emergency,
                self.copay_pharmacy,
                0.0,
                self.brand,
                self.specialty,
            ]
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanDesign:
        try:
            design = cls(
                name=str(data["name"]),
                deductible=float(data.get("deductible", 0)),
                coinsurance_pct=float(data.get("coinsurance_pct", 0)),
                oop_max=float(data["oop_max"]),
                copay_office=float(data.get("copay_office", 0)),
                copay_emergency=float(data.get("copay_emergency", 0)),
                copay_pharmacy=float(data.get("copay_pharmacy", 0)),
                copay_brand=_optional(data.get("copay_brand")),
                copay_specialty=_optional(data.get("copay_specialty")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"an option needs name, oop_max and numbers: {error}") from None
        design.validate()
        return design


def _optional(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def rx_tier(generic: bool | None, specialty: bool | None) -> str:
    """The pharmacy category of a fill from its drug's reference flags (None: not in it)."""
    if specialty:
        return "pharmacy specialty"
    if generic:
        return "pharmacy"
    return "pharmacy brand"


STANDARD_OPTIONS = (
    PlanDesign("Current (PPO 1,000)", 1_000, 20, 4_000, 30, 250, 15, 40, 100),
    PlanDesign("PPO 2,000", 2_000, 20, 5_000, 35, 300, 20, 50, 150),
    PlanDesign("HDHP 3,300", 3_300, 20, 6_600),
)


@dataclass(frozen=True)
class Claims:
    """The account's claims of the experience year, sorted by person then date: person
    (0..persons-1), day, category index into CATEGORIES, allowed."""

    person: np.ndarray
    day: np.ndarray
    category: np.ndarray
    allowed: np.ndarray
    persons: int

    @classmethod
    def build(
        cls,
        person_keys: Sequence[str],
        days: Sequence[int],
        categories: Sequence[str],
        allowed: Sequence[float],
    ) -> Claims:
        keys, person = np.unique(
            np.asarray(person_keys, dtype=object).astype(str), return_inverse=True
        )
        index = {c: i for i, c in enumerate(CATEGORIES)}
        category = np.array([index.get(c, 3) for c in categories], dtype=np.int64)
        day = np.asarray(days, dtype=np.int64)
        amount = np.clip(np.asarray(allowed, dtype=np.float64), 0, None)
        order = np.lexsort((day, person))
        return cls(person[order], day[order], category[order], amount[order], len(keys))


def _within(values: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Running sum of `values` within each person (rows sorted by person), inclusive."""
    total = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(np.diff(person)) + 1]
    before = np.zeros(len(values))
    if len(values):
        offsets = total[starts] - values[starts]
        group = np.cumsum(np.r_[0, (np.diff(person) != 0).astype(np.int64)])
        before = offsets[group]
    return total - before


def adjudicate(claims: Claims, design: PlanDesign) -> tuple[np.ndarray, np.ndarray]:
    """(member cost, plan paid) per claim under the design."""
    allowed = claims.allowed
    copay_of = design.copays()[claims.category]
    copay_claim = copay_of > 0
    copay = np.where(copay_claim, np.minimum(copay_of, allowed), 0.0)
    ded_base = np.where(copay_claim, 0.0, allowed)
    used_after = _within(ded_base, claims.person)
    used_before = used_after - ded_base
    deductible = np.clip(design.deductible - used_before, 0.0, None)
    deductible = np.minimum(deductible, ded_base)
    coinsurance = (ded_base - deductible) * design.coinsurance_pct / 100
    raw = copay + deductible + coinsurance
    raw_after = _within(raw, claims.person)
    member = np.minimum(raw_after, design.oop_max) - np.minimum(raw_after - raw, design.oop_max)
    return member, allowed - member


def idf(av: float) -> float:
    xs = [x for x, _ in IDF_POINTS]
    ys = [y for _, y in IDF_POINTS]
    return float(np.interp(av, xs, ys))


@dataclass
class OptionResult:
    design: PlanDesign
    allowed: float
    plan_paid: float
    member_paid: float
    av: float
    idf: float
    plan_paid_adjusted: float
    plan_pmpm: float
    member_pmpm: float
    change_pct: float | None
    members_at_oop: int
    oop_distribution: list[dict[str, Any]] = field(default_factory=list)

    @property
    def av_pct(self) -> float:
        return self.av * 100

    def as_dict(self) -> dict[str, Any]:
        d = self.design
        return {
            "option": d.name,
            "design": {
                "deductible": d.deductible,
                "coinsurance_pct": d.coinsurance_pct,
                "oop_max": d.oop_max,
                "copay_office": d.copay_office,
                "copay_emergency": d.copay_emergency,
                "copay_pharmacy": d.copay_pharmacy,
                "copay_brand": d.brand,
                "copay_specialty": d.specialty,
            },
            "allowed": round(self.allowed, 2),
            "plan_paid_before_induced": round(self.plan_paid, 2),
            "member_paid": round(self.member_paid, 2),
            "actuarial_value_pct": round(self.av * 100, 2),
            "induced_utilization_factor": round(self.idf, 4),
            "plan_paid": round(self.plan_paid_adjusted, 2),
            "plan_paid_pmpm": round(self.plan_pmpm, 2),
            "member_cost_share_pmpm": round(self.member_pmpm, 2),
            "change_vs_current_pct": None if self.change_pct is None else round(self.change_pct, 2),
            "members_at_oop_max": self.members_at_oop,
            "member_oop_distribution": self.oop_distribution,
        }


def _distribution(per_person: np.ndarray, members: int) -> list[dict[str, Any]]:
    """Members by out-of-pocket band; members without claims count at $0. Counts of 1 to 10
    are withheld (None), as everywhere a sponsor reads member counts."""
    counts: list[tuple[str, int]] = [
        ("$0", max(0, members - len(per_person)) + int((per_person <= 0).sum()))
    ]
    edges = [*OOP_BUCKETS[1:], float("inf")]
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        floor = 0.0 if i == 0 else low
        count = int(
            ((per_person > floor) & (per_person >= low if i else True) & (per_person < high)).sum()
        )
        label = f"${floor:,.0f}+" if high == float("inf") else f"${floor:,.0f}–{high:,.0f}"
        counts.append((label, count))
    return [{"band": b, "members": None if 0 < n < SMALL_CELL else n} for b, n in counts]


def price_options(
    claims: Claims, designs: Sequence[PlanDesign], member_months: float, members: int
) -> list[OptionResult]:
    """Every option priced on the same claims; the first is the current plan."""
    if not designs:
        raise ValueError("no plan options to price")
    if member_months <= 0:
        raise ValueError("no member months to price over")
    results: list[OptionResult] = []
    allowed = float(claims.allowed.sum())
    current_idf = None
    for design in designs:
        design.validate()
        member, plan = adjudicate(claims, design)
        plan_total = float(plan.sum())
        av = plan_total / allowed if allowed else 0.0
        factor = idf(av)
        if current_idf is None:
            current_idf = factor
        adjusted = plan_total * factor / current_idf
        per_person = np.bincount(claims.person, weights=member, minlength=claims.persons)
        results.append(
            OptionResult(
                design=design,
                allowed=allowed,
                plan_paid=plan_total,
                member_paid=float(member.sum()),
                av=av,
                idf=factor / current_idf,
                plan_paid_adjusted=adjusted,
                plan_pmpm=adjusted / member_months,
                member_pmpm=float(member.sum()) / member_months,
                change_pct=None,
                members_at_oop=int((per_person >= design.oop_max - 0.005).sum())
                if design.oop_max > 0
                else 0,
                oop_distribution=_distribution(per_person, members),
            )
        )
    base = results[0].plan_pmpm
    for r in results:
        r.change_pct = (r.plan_pmpm / base - 1) * 100 if base else None
    return results


def distribution_rows(results: Sequence[OptionResult]) -> list[dict[str, Any]]:
    """The out-of-pocket bands as rows, one count per option (None: withheld)."""
    if not results:
        return []
    return [
        {"band": band["band"], "counts": [r.oop_distribution[i]["members"] for r in results]}
        for i, band in enumerate(results[0].oop_distribution)
    ]
