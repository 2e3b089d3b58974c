"""What a negotiated vendor fee saves a sponsor: pure arithmetic, with its method in words."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from clientdesk.growth.models import FeeBasis


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months of a term from its first day to its last (Jan 1 .. Dec 31 is 12)."""
    after = end + dt.timedelta(days=1)
    return (after.year - start.year) * 12 + after.month - start.month


@dataclass(frozen=True)
class Savings:
    per_unit: Decimal
    units: int
    total: Decimal
    annual: Decimal
    method: str


def fee_savings(
    basis: str,
    reference_fee: Decimal,
    negotiated_fee: Decimal,
    volume: int,
    start: dt.date,
    end: dt.date,
    *,
    reference_is_prior: bool = False,
) -> Savings:
    """(reference fee - negotiated fee) x volume over the term. PEPM: volume is employees and
    the term counts months; per case: volume is cases a year and the term counts years
    (months ÷ 12). A percentage-of-savings fee has no fixed saving (its cost follows the
    savings the vendor reports), so it answers zero with that said."""
    months = months_between(start, end)
    reference = "the prior fee" if reference_is_prior else "the vendor's list fee"
    per_unit = reference_fee - negotiated_fee
    if basis == FeeBasis.PEPM:
        units = volume * months
        total = (per_unit * units).quantize(Decimal("0.01"))
        method = (
            f"({reference} ${reference_fee} − negotiated ${negotiated_fee}) PEPM × {volume:,} "
            f"employees × {months} months of the term. Enrollment is held at the contract's "
            "figure; a change in enrollment changes the saving in proportion."
        )
    elif basis == FeeBasis.PER_CASE:
        units = volume * months // 12
        total = (per_unit * volume * months / 12).quantize(Decimal("0.01"))
        method = (
            f"({reference} ${reference_fee} − negotiated ${negotiated_fee}) per case × "
            f"{volume:,} cases a year × {months} months ÷ 12. The case count is the "
            "expected volume; actual cases decide the real saving."
        )
    else:
        units = 0
        total = Decimal("0.00")
        method = (
            "A percentage-of-savings fee saves no fixed amount: its cost follows the savings "
            "the vendor reports, which need checking against the account's own claims."
        )
    annual = (total * 12 / months).quantize(Decimal("0.01")) if months else Decimal("0.00")
    return Savings(per_unit, units, total, annual, method)


# --- a vendor's savings claim against the account's own claims -----------------------------

PARTICIPANTS = "participants"
COMPARISON = "comparison"
BASELINE_MONTHS = 12
MIN_BASELINE_MONTHS = 6
MIN_FOLLOW_UP_MONTHS = 3
FEW_PARTICIPANTS = 30
# Baseline paid PMPM bands a participant is matched within (coarsened exact matching).
COST_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("100"), "under $100"),
    (Decimal("500"), "$100–$499"),
    (Decimal("2000"), "$500–$1,999"),
)
TOP_COST_BAND = "$2,000 and over"
AGE_BANDS: tuple[tuple[int, str], ...] = ((18, "0–17"), (45, "18–44"), (65, "45–64"))
TOP_AGE_BAND = "65 and over"


@dataclass(frozen=True)
class Stratum:
    """Members of one group with the same index month, baseline cost band and age band, and
    their paid dollars and enrolled months before (baseline) and after (follow-up) it."""

    group: str  # PARTICIPANTS or COMPARISON
    index_month: dt.date
    cost_band: str
    age_band: str
    members: int
    base_paid: Decimal
    base_months: int
    follow_paid: Decimal
    follow_months: int
    # Each member's own PMPM change (follow-up PMPM - baseline PMPM): its sum and sum of squares.
    change_sum: float = 0.0
    change_squares: float = 0.0

    @property
    def key(self) -> tuple[dt.date, str, str]:
        return (self.index_month, self.cost_band, self.age_band)


@dataclass(frozen=True)
class GroupPmpm:
    members: int
    base_months: Decimal
    follow_months: Decimal
    base_pmpm: Decimal
    follow_pmpm: Decimal

    @property
    def change(self) -> Decimal:
        return self.follow_pmpm - self.base_pmpm


@dataclass(frozen=True)
class Interval:
    """The per-member version of the estimate (each member's own PMPM change, averaged; the
    comparison's strata weighted to the participants') with its 95 % interval."""

    estimate: Decimal
    low: Decimal
    high: Decimal

    @property
    def spans_zero(self) -> bool:
        return self.low <= 0 <= self.high


@dataclass(frozen=True)
class MeasuredSavings:
    participants: GroupPmpm
    comparison: GroupPmpm
    pmpm: Decimal  # savings per participant month: comparison's change - participants' change
    total: Decimal  # pmpm x the participants' follow-up months
    unmatched: int  # participants in a stratum no non-participant shares
    interval: Interval | None = None

    def claimed_total(self, claimed_pmpm: Decimal) -> Decimal:
        return (claimed_pmpm * self.participants.follow_months).quantize(CENT)


CENT = Decimal("0.01")


def cost_band(base_pmpm: Decimal) -> str:
    for upper, name in COST_BANDS:
        if base_pmpm < upper:
            return name
    return TOP_COST_BAND


def age_band(age: int) -> str:
    for upper, name in AGE_BANDS:
        if age < upper:
            return name
    return TOP_AGE_BAND


def _ratio(paid: Decimal, months: Decimal) -> Decimal:
    return (paid / months).quantize(CENT) if months else Decimal("0.00")


def matched_savings(strata: list[Stratum]) -> MeasuredSavings | None:
    """Difference in differences over matched strata: each stratum's non-participants are
    weighted by participants ÷ non-participants of the stratum (so the comparison group has
    the participants' mix of index month, baseline cost and age); PMPM = paid ÷ enrolled
    months of each group in each window; savings PMPM = the comparison's change - the
    participants' change. None when no participant has a match."""
    comparison = {s.key: s for s in strata if s.group == COMPARISON}
    part_rows = [s for s in strata if s.group == PARTICIPANTS]
    matched = [s for s in part_rows if s.key in comparison]
    unmatched = sum(s.members for s in part_rows if s.key not in comparison)
    if not matched:
        return None
    p_base_paid = sum((s.base_paid for s in matched), Decimal(0))
    p_follow_paid = sum((s.follow_paid for s in matched), Decimal(0))
    p_base_months = Decimal(sum(s.base_months for s in matched))
    p_follow_months = Decimal(sum(s.follow_months for s in matched))
    c_base_paid = c_follow_paid = c_base_months = c_follow_months = Decimal(0)
    c_members = 0
    for s in matched:
        c = comparison[s.key]
        weight = Decimal(s.members) / Decimal(c.members)
        c_base_paid += weight * c.base_paid
        c_follow_paid += weight * c.follow_paid
        c_base_months += weight * c.base_months
        c_follow_months += weight * c.follow_months
        c_members += c.members
    participants = GroupPmpm(
        sum(s.members for s in matched),
        p_base_months,
        p_follow_months,
        _ratio(p_base_paid, p_base_months),
        _ratio(p_follow_paid, p_follow_months),
    )
    others = GroupPmpm(
        c_members,
        c_base_months.quantize(CENT),
        c_follow_months.quantize(CENT),
        _ratio(c_base_paid, c_base_months),
        _ratio(c_follow_paid, c_follow_months),
    )
    pmpm = others.change - participants.change
    total = (pmpm * p_follow_months).quantize(CENT)
    return MeasuredSavings(
        participants, others, pmpm, total, unmatched, _interval(matched, comparison)
    )


def _interval(
    matched: list[Stratum], comparison: dict[tuple[dt.date, str, str], Stratum]
) -> Interval | None:
    """Participants' mean change m_p with variance s_p^2 / N_p; the comparison's mean change
    m_c = sum of (n_p(s) / N_p) x the stratum's mean, with variance pooled within strata x
    sum of (n_p(s) / N_p)^2 / n_c(s). Estimate m_c - m_p, +/- 1.96 standard errors. None
    with fewer than 2 participants or no spread to pool."""
    n_p = sum(s.members for s in matched)
    others = [comparison[s.key] for s in matched]
    spread_c = sum(c.change_squares - c.change_sum**2 / c.members for c in others)
    free_c = sum(c.members for c in others) - len(others)
    if n_p < 2 or free_c < 1:
        return None
    mean_p = sum(s.change_sum for s in matched) / n_p
    var_p = (sum(s.change_squares for s in matched) - n_p * mean_p**2) / (n_p - 1)
    mean_c = sum(
        s.members / n_p * c.change_sum / c.members for s, c in zip(matched, others, strict=True)
    )
    pooled = spread_c / free_c
    var_c = pooled * sum(
        (s.members / n_p) ** 2 / c.members for s, c in zip(matched, others, strict=True)
    )
    half = 1.96 * math.sqrt(max(var_p / n_p + var_c, 0.0))
    estimate = mean_c - mean_p

    def money(value: float) -> Decimal:
        return Decimal(str(round(value, 2))).quantize(CENT)

    return Interval(money(estimate), money(estimate - half), money(estimate + half))


def measured_method(through: dt.date) -> str:
    """The method and its limits, in words, as the page and the stored check state them."""
    return (
        "Each participant's index month is the month they joined the vendor's program. "
        f"Baseline: the {BASELINE_MONTHS} months before it; follow-up: the index month through "
        f"{through:%b %Y}. PMPM = medical + pharmacy paid (final action) ÷ the months the "
        "member was enrolled with the account in the window; a member needs at least "
        f"{MIN_BASELINE_MONTHS} baseline and {MIN_FOLLOW_UP_MONTHS} follow-up months. The "
        "comparison group is the account's members not on the list with the same index month, "
        "baseline cost band and age band (coarsened exact matching), weighted to the "
        "participants' mix. Savings PMPM = the comparison group's PMPM change − the "
        "participants' PMPM change (difference in differences); savings = that × the "
        "participants' follow-up months. Participants who left the program still count "
        "(intent to treat). Limits: participants choose to join, and matching on cost, age "
        "and timing cannot remove that choice; a few high-cost claimants move small groups; "
        "recent months of claims are still coming in."
    )
