"""The utilization report of one account and period: frozen dataclasses of exact figures.

Every figure comes from `totals.Totals` of the current and prior period, computed exactly
(Decimal sums, Fraction ratios) and rounded last. Category PMPMs are contributive (category
spend / all member months) and are rounded so that they add up to the rounded total.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import pandas as pd

from clientdesk.lib import formatting
from clientdesk.lib.periods import Period
from clientdesk.utilization.marts.calendar import CURRENT, PRIOR
from clientdesk.utilization.marts.service_categories import LEAF_BY_KEY, LEAVES
from clientdesk.utilization.metrics import MetricFrames
from clientdesk.utilization.pseudonyms import member_pseudonym
from clientdesk.utilization.reference import (
    CHRONIC_CONDITIONS,
    category_label,
    chapter_label,
)
from clientdesk.utilization.rounding import (
    allocate,
    change_percent,
    percent,
    ratio,
    rounded,
)
from clientdesk.utilization.totals import (
    IMAGING_LEAVES,
    NON_MATERNITY_STAY_LEAVES,
    STAY_LEAVES,
    Spend,
    Totals,
    count,
    money,
    period_totals,
)
from clientdesk.utilization.trend import CategoryUse, decompose

if TYPE_CHECKING:  # the account report's parts, which read the report module themselves
    from clientdesk.lake.rejects import RejectedClaims
    from clientdesk.utilization.benchmarks import Comparison
    from clientdesk.utilization.findings import Finding

PLAUSIBLE_PMPM = (Decimal("50"), Decimal("5000"))  # Tuva-style plausibility range, paid PMPM
RUNOUT_MONTHS = 3  # months of run-out before a month counts as complete (Tuva's guidance)
MIN_CREDIBLE_MEMBER_MONTHS = 1200  # about 100 members for a year
WARNING_LABELS = {
    "no_members": "No members",
    "implausible_pmpm": "Implausible PMPM",
    "implausible_month": "Implausible month",
    "incomplete_runout": "Incomplete run-out",
    "unknown_ndc": "Unknown NDCs",
    "low_credibility": "Low credibility",
    "rejected_claims": "Rejected claims",
}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # what one event is, for "cost per ..."
    leaves: tuple[str, ...]  # the categories whose spend the events carry


MEASURES: tuple[Measure, ...] = (
    Measure("admits", "Acute inpatient admits", "admit", STAY_LEAVES),
    Measure(
        "admits_excl_maternity",
        "Acute admits excl. maternity and newborn",
        "admit",
        NON_MATERNITY_STAY_LEAVES,
    ),
    Measure("inpatient_days", "Acute inpatient days", "day", STAY_LEAVES),
    Measure("ed_visits", "Emergency department visits", "visit", ("ed",)),
    Measure("urgent_care_visits", "Urgent care visits", "visit", ("urgent_care",)),
    Measure("office_visits", "Office visits", "visit", ("office_visit",)),
    Measure("telehealth_visits", "Telehealth visits", "visit", ("telehealth",)),
    Measure("outpatient_surgery", "Outpatient surgery cases", "case", ("op_surgery", "asc")),
    Measure("advanced_imaging", "Advanced imaging (CT, MRI, PET)", "scan", IMAGING_LEAVES),
    Measure("scripts", "Prescriptions filled", "script", ()),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}


# --- the report's shape --------------------------------------------------------------------
# Money is Decimal to the cent, rates and shares Decimal rounded half-up; None where a figure
# has no denominator. `jsonable` turns a report into the API's and the CLI's JSON.


@dataclass(frozen=True)
class PeriodInfo:
    code: str
    label: str
    start: dt.date
    end: dt.date  # the last day, included
    months: int


@dataclass(frozen=True)
class MemberMonths:
    total: int
    prior: int
    average_members: Decimal | None
    prior_average_members: Decimal | None
    members: int


@dataclass(frozen=True)
class CategoryPmpm:
    """One service category (a leaf): contributive PMPM, against the prior period."""

    leaf: str
    service_category_1: str
    service_category_2: str
    service_category_3: str
    amount: Decimal
    pmpm: Decimal
    prior_pmpm: Decimal | None
    change_pct: Decimal | None


@dataclass(frozen=True)
class Category1Pmpm:
    service_category_1: str
    amount: Decimal
    pmpm: Decimal


@dataclass(frozen=True)
class Category2Pmpm:
    service_category_1: str
    service_category_2: str
    amount: Decimal
    pmpm: Decimal


@dataclass(frozen=True)
class PmpmFigures:
    """PMPM on one basis (paid or allowed): total = medical + pharmacy = the categories."""

    total: Decimal
    medical: Decimal
    pharmacy: Decimal
    amount: Decimal
    prior_total: Decimal | None
    prior_medical: Decimal | None
    prior_pharmacy: Decimal | None
    by_service_category: tuple[CategoryPmpm, ...]
    by_service_category_1: tuple[Category1Pmpm, ...]
    by_service_category_2: tuple[Category2Pmpm, ...]


@dataclass(frozen=True)
class CostShare:
    pmpm: Decimal | None
    amount: Decimal
    share_of_allowed: Decimal | None
    prior_share_of_allowed: Decimal | None


@dataclass(frozen=True)
class UtilizationRow:
    """One measure of `MEASURES`: events, use per 1,000 and cost per event."""

    key: str
    label: str
    unit: str
    events: int
    prior_events: int
    per_1000: Decimal | None
    prior_per_1000: Decimal | None
    per_1000_change_pct: Decimal | None
    paid: Decimal
    allowed: Decimal
    paid_per_event: Decimal | None
    allowed_per_event: Decimal | None
    prior_paid_per_event: Decimal | None
    unit_cost_change_pct: Decimal | None


@dataclass(frozen=True)
class Claimant:
    pseudonym: str
    medical_paid: Decimal
    pharmacy_paid: Decimal
    paid: Decimal
    allowed: Decimal
    member_months: int


@dataclass(frozen=True)
class HighCostClaimants:
    threshold: Decimal
    count: int
    paid: Decimal
    share_of_paid: Decimal | None
    per_1000: Decimal | None
    members: tuple[Claimant, ...]
    top1_share_of_allowed: Decimal | None
    top5_share_of_allowed: Decimal | None
    top1_members: int
    top5_members: int


@dataclass(frozen=True)
class DiagnosisGroup:
    category: str
    description: str
    chapter: str
    paid: Decimal
    allowed: Decimal
    members: int
    share_of_medical_paid: Decimal | None


@dataclass(frozen=True)
class ChapterSpend:
    chapter: str
    paid: Decimal
    share_of_medical_paid: Decimal | None


@dataclass(frozen=True)
class ChronicCondition:
    key: str
    label: str
    codes: str
    members: int
    prevalence_per_1000: Decimal | None
    prior_prevalence_per_1000: Decimal | None


@dataclass(frozen=True)
class Conditions:
    top_diagnosis_groups: tuple[DiagnosisGroup, ...]
    chapters: tuple[ChapterSpend, ...]
    chronic: tuple[ChronicCondition, ...]


@dataclass(frozen=True)
class PharmacyFigures:
    fills: int
    thirty_day_equivalents: Decimal | None
    generic_dispensing_rate: Decimal | None
    prior_generic_dispensing_rate: Decimal | None
    generic_fill_share: Decimal | None
    unknown_ndc_fills: int
    specialty_share_of_paid: Decimal | None
    prior_specialty_share_of_paid: Decimal | None
    generic_share_of_paid: Decimal | None
    paid: Decimal
    allowed: Decimal
    cost_share: Decimal
    paid_per_script: Decimal | None
    prior_paid_per_script: Decimal | None
    allowed_per_script: Decimal | None
    scripts_per_1000: Decimal | None


@dataclass(frozen=True)
class TrendCategory:
    category: str
    label: str
    pmpm_prior: Decimal | None
    pmpm_current: Decimal | None
    change: Decimal
    utilization: Decimal
    mix: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class TrendExact:
    """The decomposition's exact fractions, as text."""

    change: str
    utilization: str
    mix: str
    unit_cost: str


@dataclass(frozen=True)
class Trend:
    """The PMPM change on one basis, split into utilization, mix and unit cost."""

    basis: str
    pmpm_prior: Decimal | None
    pmpm_current: Decimal | None
    change: Decimal | None
    change_pct: Decimal | None
    utilization: Decimal
    mix: Decimal
    unit_cost: Decimal
    exact: TrendExact
    categories: tuple[TrendCategory, ...]


@dataclass(frozen=True)
class Trends:
    paid: Trend | None
    allowed: Trend | None


@dataclass(frozen=True)
class Month:
    month: dt.date
    member_months: int
    medical_paid: Decimal
    pharmacy_paid: Decimal
    medical_allowed: Decimal
    pharmacy_allowed: Decimal
    paid_pmpm: Decimal | None
    allowed_pmpm: Decimal | None
    medical_paid_pmpm: Decimal | None
    pharmacy_paid_pmpm: Decimal | None


@dataclass(frozen=True)
class DataWarning:
    kind: str  # a key of WARNING_LABELS
    message: str  # what the figures lack, fit for a sponsor's report
    label: str
    remedy: str = ""  # what the team can do about it, for our own pages only


@dataclass(frozen=True)
class UtilizationReport:
    """One account's (or the book's) figures for a period, against the prior period."""

    period: PeriodInfo
    prior_period: PeriodInfo
    data_paid_through: dt.date | None
    member_months: MemberMonths
    paid_pmpm: PmpmFigures
    allowed_pmpm: PmpmFigures
    member_cost_share: CostShare
    per_1000: dict[str, Decimal | None]  # by measure key
    unit_cost: dict[str, Decimal | None]  # paid_per_<measure key>, alos, prior_alos
    utilization: tuple[UtilizationRow, ...]
    high_cost_claimants: HighCostClaimants
    conditions: Conditions
    pharmacy: PharmacyFigures
    trend: Trends
    monthly: tuple[Month, ...]
    warnings: tuple[DataWarning, ...]

    def measure(self, key: str) -> UtilizationRow:
        return next(row for row in self.utilization if row.key == key)


def category_rows(
    report: UtilizationReport,
) -> list[tuple[CategoryPmpm, CategoryPmpm | None]]:
    """Each service category's paid PMPM beside its allowed PMPM (None when the allowed basis
    has no row for that leaf): the account page's table, paired once here rather than by a
    search of every allowed row for every paid row while the template renders."""
    allowed = {a.leaf: a for a in report.allowed_pmpm.by_service_category}
    return [(c, allowed.get(c.leaf)) for c in report.paid_pmpm.by_service_category]


def events(t: Totals, measure: str) -> int:
    """How many events of a measure: stays, days, service days or fills."""
    if measure == "admits":
        return t.admits
    if measure == "admits_excl_maternity":
        return t.admits - t.maternity_admits
    if measure == "inpatient_days":
        return t.days
    if measure == "scripts":
        return t.pharmacy.fills
    return t.service_days(MEASURE_BY_KEY[measure].leaves)


def measure_spend(t: Totals, measure: str) -> Spend:
    if measure == "scripts":
        return t.pharmacy.spend
    return t.leaf_spend(MEASURE_BY_KEY[measure].leaves)


def per_1000(count_: int, member_months: int) -> Fraction | None:
    """Events per 1,000 members per year: events x 12,000 / member months."""
    return ratio(count_ * 12_000, member_months)


def pmpm(amount: Decimal, member_months: int) -> Fraction | None:
    return ratio(amount, member_months)


def _num(value: Any) -> Any:
    """JSON-friendly: Decimals become floats (money to the cent), Fractions are rounded."""
    if isinstance(value, Fraction):
        value = rounded(value, 4)
    if isinstance(value, Decimal):
        return float(value)
    return value


def jsonable(value: Any) -> Any:
    """A report (or any of its parts) as JSON values: dataclasses become objects."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return _num(value)


# --- sections ------------------------------------------------------------------------------


def _pmpm_section(cur: Totals, pri: Totals, basis: str) -> PmpmFigures:
    """PMPM on `basis` ("paid" or "allowed"): total, medical, pharmacy and by category."""
    mm, mm0 = cur.member_months, pri.member_months
    leaf_amounts = [
        getattr(cur.leaves[k].spend, basis) if k in cur.leaves else Decimal(0)
        for k in (x.key for x in LEAVES)
    ]
    pharmacy = getattr(cur.pharmacy.spend, basis)
    categories: list[CategoryPmpm] = []
    if mm:
        parts = allocate([Fraction(a) / mm for a in [*leaf_amounts, pharmacy]])
        leaf_pmpm, pharmacy_pmpm = parts[:-1], parts[-1]
    else:
        leaf_pmpm, pharmacy_pmpm = [Decimal("0.00")] * len(LEAVES), Decimal("0.00")
    for leaf, amount, value in zip(LEAVES, leaf_amounts, leaf_pmpm, strict=True):
        prior_amount = getattr(pri.leaves[leaf.key].spend, basis) if leaf.key in pri.leaves else 0
        if leaf.key not in cur.leaves and leaf.key not in pri.leaves:
            continue
        prior_pmpm = rounded(pmpm(Decimal(prior_amount), mm0)) if mm0 else None
        categories.append(
            CategoryPmpm(
                leaf=leaf.key,
                service_category_1=leaf.category_1,
                service_category_2=leaf.category_2,
                service_category_3=leaf.category_3,
                amount=amount,
                pmpm=value,
                prior_pmpm=prior_pmpm,
                change_pct=change_percent(value, prior_pmpm),
            )
        )
    medical = sum(leaf_pmpm, Decimal("0.00"))
    total_prior = getattr(pri.total, basis)
    return PmpmFigures(
        total=medical + pharmacy_pmpm,
        medical=medical,
        pharmacy=pharmacy_pmpm,
        amount=getattr(cur.total, basis),
        prior_total=rounded(pmpm(total_prior, mm0)) if mm0 else None,
        prior_medical=rounded(pmpm(getattr(pri.medical, basis), mm0)) if mm0 else None,
        prior_pharmacy=rounded(pmpm(getattr(pri.pharmacy.spend, basis), mm0)) if mm0 else None,
        by_service_category=tuple(categories),
        by_service_category_1=tuple(
            Category1Pmpm(key[0], amount, value)
            for key, amount, value in _rollup(categories, lambda c: (c.service_category_1,))
        ),
        by_service_category_2=tuple(
            Category2Pmpm(key[0], key[1], amount, value)
            for key, amount, value in _rollup(
                categories, lambda c: (c.service_category_1, c.service_category_2)
            )
        ),
    )


def _rollup(
    categories: list[CategoryPmpm], key_of: Callable[[CategoryPmpm], tuple[str, ...]]
) -> list[tuple[tuple[str, ...], Decimal, Decimal]]:
    """(key, amount, PMPM) of each group of categories, the largest PMPM first."""
    groups: dict[tuple[str, ...], tuple[Decimal, Decimal]] = {}
    for row in categories:
        amount, value = groups.get(key_of(row), (Decimal(0), Decimal(0)))
        groups[key_of(row)] = (amount + row.amount, value + row.pmpm)
    rows = [(key, amount, value) for key, (amount, value) in groups.items()]
    return sorted(rows, key=lambda g: g[2], reverse=True)


def _utilization_section(cur: Totals, pri: Totals) -> tuple[UtilizationRow, ...]:
    rows = []
    for m in MEASURES:
        n, n0 = events(cur, m.key), events(pri, m.key)
        spend, spend0 = measure_spend(cur, m.key), measure_spend(pri, m.key)
        rate, rate0 = per_1000(n, cur.member_months), per_1000(n0, pri.member_months)
        rows.append(
            UtilizationRow(
                key=m.key,
                label=m.label,
                unit=m.unit,
                events=n,
                prior_events=n0,
                per_1000=rounded(rate, 1),
                prior_per_1000=rounded(rate0, 1),
                per_1000_change_pct=change_percent(rate, rate0),
                paid=spend.paid,
                allowed=spend.allowed,
                paid_per_event=rounded(ratio(spend.paid, n)),
                allowed_per_event=rounded(ratio(spend.allowed, n)),
                prior_paid_per_event=rounded(ratio(spend0.paid, n0)),
                unit_cost_change_pct=change_percent(ratio(spend.paid, n), ratio(spend0.paid, n0)),
            )
        )
    return tuple(rows)


def _pharmacy_section(cur: Totals, pri: Totals) -> PharmacyFigures:
    def thirty_day(days: int, without: int) -> Fraction:
        # 30-day equivalents: days supply / 30; a fill without days supply counts as 30 days.
        return Fraction(days + 30 * without, 30)

    def gdr(t: Totals) -> Fraction | None:
        rx = t.pharmacy
        known = thirty_day(rx.known_days, rx.known_fills_without_days)
        generic = thirty_day(rx.generic_days, rx.generic_fills_without_days)
        return ratio(generic * 100, known)

    rx, rx0 = cur.pharmacy, pri.pharmacy
    return PharmacyFigures(
        fills=rx.fills,
        thirty_day_equivalents=rounded(thirty_day(rx.days_supply, rx.fills_without_days), 1),
        generic_dispensing_rate=rounded(gdr(cur), 1),
        prior_generic_dispensing_rate=rounded(gdr(pri), 1),
        generic_fill_share=percent(rx.generic_fills, rx.known_fills),
        unknown_ndc_fills=rx.unknown_fills,
        specialty_share_of_paid=percent(rx.specialty.paid, rx.spend.paid),
        prior_specialty_share_of_paid=percent(rx0.specialty.paid, rx0.spend.paid),
        generic_share_of_paid=percent(rx.generic.paid, rx.spend.paid),
        paid=rx.spend.paid,
        allowed=rx.spend.allowed,
        cost_share=rx.spend.cost_share,
        paid_per_script=rounded(ratio(rx.spend.paid, rx.fills)),
        prior_paid_per_script=rounded(ratio(rx0.spend.paid, rx0.fills)),
        allowed_per_script=rounded(ratio(rx.spend.allowed, rx.fills)),
        scripts_per_1000=rounded(per_1000(rx.fills, cur.member_months), 1),
    )


def _trend_section(cur: Totals, pri: Totals, basis: str) -> Trend | None:
    if not cur.member_months or not pri.member_months:
        return None

    def uses(t: Totals) -> dict[str, CategoryUse]:
        out = {k: CategoryUse(v.service_days, getattr(v.spend, basis)) for k, v in t.leaves.items()}
        out["pharmacy"] = CategoryUse(t.pharmacy.fills, getattr(t.pharmacy.spend, basis))
        return out

    d = decompose(uses(pri), uses(cur), pri.member_months, cur.member_months)
    effects = allocate([d.utilization, d.mix, d.unit_cost])
    change = rounded(d.change)
    categories = []
    for e in sorted(d.categories, key=lambda e: abs(e.change), reverse=True):
        leaf = LEAF_BY_KEY.get(e.category)
        parts = allocate([e.utilization, e.mix, e.unit_cost])
        categories.append(
            TrendCategory(
                category=e.category,
                label=(
                    f"{leaf.category_2} / {leaf.category_3}"
                    if leaf and leaf.category_2 != leaf.category_3
                    else (leaf.category_2 if leaf else "pharmacy")
                ),
                pmpm_prior=rounded(e.pmpm_prior),
                pmpm_current=rounded(e.pmpm_current),
                change=sum(parts, Decimal("0.00")),
                utilization=parts[0],
                mix=parts[1],
                unit_cost=parts[2],
            )
        )
    return Trend(
        basis=basis,
        pmpm_prior=rounded(d.pmpm_prior),
        pmpm_current=rounded(d.pmpm_current),
        change=change,
        change_pct=change_percent(d.pmpm_current, d.pmpm_prior),
        utilization=effects[0],
        mix=effects[1],
        unit_cost=effects[2],
        exact=TrendExact(
            change=str(d.change),
            utilization=str(d.utilization),
            mix=str(d.mix),
            unit_cost=str(d.unit_cost),
        ),
        categories=tuple(categories),
    )


def _high_cost_section(
    frames: MetricFrames, account_id: int | None, cur: Totals, threshold: Decimal
) -> HighCostClaimants:
    rows = frames.high_cost
    rows = rows[rows["period"] == CURRENT]
    if account_id is not None:
        rows = rows[rows["account_id"] == account_id]
    members = sorted(
        (
            Claimant(
                pseudonym=member_pseudonym(str(r["person_id"])),
                medical_paid=money(r["medical_paid"]),
                pharmacy_paid=money(r["pharmacy_paid"]),
                paid=money(r["paid"]),
                allowed=money(r["allowed"]),
                member_months=count(r["member_months"]),
            )
            for r in rows.to_dict("records")
        ),
        key=lambda m: (m.paid, m.pseudonym),
        reverse=True,
    )
    paid: Decimal = sum((m.paid for m in members), Decimal("0.00"))
    return HighCostClaimants(
        threshold=threshold,
        count=len(members),
        paid=paid,
        share_of_paid=percent(paid, cur.total.paid),
        per_1000=rounded(ratio(len(members) * 1000, cur.members), 2),
        members=tuple(members),
        top1_share_of_allowed=percent(cur.top1_allowed, cur.concentration_allowed),
        top5_share_of_allowed=percent(cur.top5_allowed, cur.concentration_allowed),
        top1_members=cur.top1_members,
        top5_members=cur.top5_members,
    )


def _conditions_section(
    frames: MetricFrames, account_id: int | None, cur: Totals, pri: Totals
) -> Conditions:
    def rows_of(frame: Any) -> list[dict[str, Any]]:
        picked = frame[frame["period"] == CURRENT]
        if account_id is not None:
            picked = picked[picked["account_id"] == account_id]
        return list(picked.to_dict("records"))

    medical_paid = cur.medical.paid
    top = tuple(
        DiagnosisGroup(
            category=str(r["category"] or "(none)"),
            description=category_label(str(r["category"])) or "Missing or unknown code",
            chapter=chapter_label(str(r["chapter"])),
            paid=money(r["paid"]),
            allowed=money(r["allowed"]),
            members=count(r["members"]),
            share_of_medical_paid=percent(money(r["paid"]), medical_paid),
        )
        for r in sorted(rows_of(frames.top_diagnoses), key=lambda r: int(r["rank"]))
    )
    chapters: dict[str, Decimal] = {}
    for r in rows_of(frames.chapters):
        chapters[str(r["chapter"])] = chapters.get(str(r["chapter"]), Decimal(0)) + money(r["paid"])
    chapter_rows = tuple(
        ChapterSpend(chapter_label(k), v, percent(v, medical_paid))
        for k, v in sorted(chapters.items(), key=lambda kv: kv[1], reverse=True)
    )
    chronic = []
    for c in CHRONIC_CONDITIONS:
        n, n0 = cur.conditions.get(c.key, 0), pri.conditions.get(c.key, 0)
        chronic.append(
            ChronicCondition(
                key=c.key,
                label=c.label,
                codes=c.codes,
                members=n,
                prevalence_per_1000=rounded(ratio(n * 1000, cur.members), 1),
                prior_prevalence_per_1000=rounded(ratio(n0 * 1000, pri.members), 1),
            )
        )
    return Conditions(top_diagnosis_groups=top, chapters=chapter_rows, chronic=tuple(chronic))


def _monthly(frames: MetricFrames, account_id: int | None) -> tuple[Month, ...]:
    months: dict[dt.date, dict[str, Any]] = {}

    def month(value: Any) -> dict[str, Any]:
        key = pd.Timestamp(value).date()
        return months.setdefault(
            key,
            {
                "month": key,
                "member_months": 0,
                "medical_paid": Decimal(0),
                "pharmacy_paid": Decimal(0),
                "medical_allowed": Decimal(0),
                "pharmacy_allowed": Decimal(0),
            },
        )

    def rows(frame: Any) -> list[dict[str, Any]]:
        picked = frame if account_id is None else frame[frame["account_id"] == account_id]
        return list(picked.to_dict("records"))

    for r in rows(frames.member_months):
        month(r["month_start"])["member_months"] += count(r["member_months"])
    for r in rows(frames.medical):
        m = month(r["month_start"])
        m["medical_paid"] += money(r["paid"])
        m["medical_allowed"] += money(r["allowed"])
    for r in rows(frames.pharmacy):
        m = month(r["month_start"])
        m["pharmacy_paid"] += money(r["paid"])
        m["pharmacy_allowed"] += money(r["allowed"])
    out = []
    for key in sorted(months):
        m = months[key]
        mm = m["member_months"]
        out.append(
            Month(
                month=key,
                member_months=mm,
                medical_paid=m["medical_paid"],
                pharmacy_paid=m["pharmacy_paid"],
                medical_allowed=m["medical_allowed"],
                pharmacy_allowed=m["pharmacy_allowed"],
                paid_pmpm=rounded(pmpm(m["medical_paid"] + m["pharmacy_paid"], mm)),
                allowed_pmpm=rounded(pmpm(m["medical_allowed"] + m["pharmacy_allowed"], mm)),
                medical_paid_pmpm=rounded(pmpm(m["medical_paid"], mm)),
                pharmacy_paid_pmpm=rounded(pmpm(m["pharmacy_paid"], mm)),
            )
        )
    return tuple(out)


def _warnings(
    cur: Totals, current: Period, paid_total: Decimal | None, monthly: tuple[Month, ...]
) -> tuple[DataWarning, ...]:
    low, high = PLAUSIBLE_PMPM
    warnings: list[dict[str, str]] = []
    if cur.member_months == 0:
        warnings.append({"kind": "no_members", "message": f"No member months in {current.label}."})
    elif paid_total is not None and not low <= paid_total <= high:
        warnings.append(
            {
                "kind": "implausible_pmpm",
                "message": (
                    f"Paid PMPM {formatting.money(paid_total)} is outside the plausible range "
                    f"{formatting.money(low, 0)}–{formatting.money(high, 0)}: check the claims "
                    "and eligibility loads."
                ),
            }
        )
    for m in monthly:
        value = m.paid_pmpm
        in_period = current.start <= m.month <= current.last_day
        if in_period and value is not None and m.member_months and not low <= value <= high:
            warnings.append(
                {
                    "kind": "implausible_month",
                    "message": f"{m.month:%b %Y}: paid PMPM {formatting.money(value)} "
                    f"is outside {formatting.money(low, 0)}–{formatting.money(high, 0)}.",
                }
            )
    if cur.last_paid_date is not None:
        complete_through = dt.date(
            cur.last_paid_date.year, cur.last_paid_date.month, 1
        ) - dt.timedelta(days=1)
        for _ in range(RUNOUT_MONTHS - 1):
            complete_through = complete_through.replace(day=1) - dt.timedelta(days=1)
        if current.last_day > complete_through:
            warnings.append(
                {
                    "kind": "incomplete_runout",
                    "message": (
                        f"Claims are paid through {cur.last_paid_date:%b %d, %Y}: months after "
                        f"{complete_through:%b %Y} have less than {RUNOUT_MONTHS} months of "
                        "run-out and are understated."
                    ),
                }
            )
    if cur.pharmacy.fills and cur.pharmacy.unknown_fills * 20 > cur.pharmacy.fills:
        warnings.append(
            {
                "kind": "unknown_ndc",
                "message": (
                    f"{cur.pharmacy.unknown_fills:,} of {cur.pharmacy.fills:,} fills have an NDC "
                    "missing from the drug reference: generic and specialty figures leave them "
                    "out."
                ),
                "remedy": "Load a current drug reference with `clientdesk ndc FILE`.",
            }
        )
    if 0 < cur.member_months < MIN_CREDIBLE_MEMBER_MONTHS:
        warnings.append(
            {
                "kind": "low_credibility",
                "message": (
                    f"Only {cur.member_months:,} member months: rates swing with a few claims; "
                    "read comparisons with care."
                ),
            }
        )
    return tuple(
        DataWarning(w["kind"], w["message"], WARNING_LABELS[w["kind"]], w.get("remedy", ""))
        for w in warnings
    )


def rejected_claims_warning(rejected: RejectedClaims, period: PeriodInfo) -> DataWarning | None:
    """What the figures leave out because loads rejected the account's claim lines: how many
    lines dated in the period, what they paid, and the lines with no readable date."""
    if not rejected:
        return None
    parts = []
    if rejected.rows:
        parts.append(
            f"{rejected.rows:,} claim line{'s' if rejected.rows != 1 else ''} dated in "
            f"{period.label} ({formatting.money(rejected.paid)} paid) "
            f"{'were' if rejected.rows != 1 else 'was'} rejected at load and "
            f"{'are' if rejected.rows != 1 else 'is'} not in these figures"
        )
    if rejected.undated:
        parts.append(
            f"{rejected.undated:,} more rejected line{'s' if rejected.undated != 1 else ''} "
            f"of this sponsor {'have' if rejected.undated != 1 else 'has'} no readable service "
            "date and may belong to it"
        )
    files = ", ".join(rejected.files[:3]) + (
        f" and {len(rejected.files) - 3} more" if len(rejected.files) > 3 else ""
    )
    return DataWarning(
        "rejected_claims",
        "; ".join(parts) + ".",
        WARNING_LABELS["rejected_claims"],
        f"Their reasons are on the data loads of {files}: correct the rows and load the "
        "corrected file.",
    )


def build_report(
    frames: MetricFrames,
    *,
    account_id: int | None,
    current: Period,
    prior: Period,
    high_cost_threshold: Decimal,
) -> UtilizationReport:
    """The report of one account (None: every account in `frames`, the book)."""
    cur = period_totals(frames, CURRENT, account_id)
    pri = period_totals(frames, PRIOR, account_id)
    paid = _pmpm_section(cur, pri, "paid")
    allowed = _pmpm_section(cur, pri, "allowed")
    monthly = _monthly(frames, account_id)
    utilization = _utilization_section(cur, pri)
    mm = cur.member_months
    paid_per_event = {f"paid_per_{row.key}": row.paid_per_event for row in utilization}
    return UtilizationReport(
        period=_period(current),
        prior_period=_period(prior),
        data_paid_through=cur.last_paid_date,
        member_months=MemberMonths(
            total=mm,
            prior=pri.member_months,
            average_members=rounded(ratio(mm, current.months), 1),
            prior_average_members=rounded(ratio(pri.member_months, prior.months), 1),
            members=cur.members,
        ),
        paid_pmpm=paid,
        allowed_pmpm=allowed,
        member_cost_share=CostShare(
            pmpm=rounded(pmpm(cur.total.cost_share, mm)) if mm else None,
            amount=cur.total.cost_share,
            share_of_allowed=percent(cur.total.cost_share, cur.total.allowed),
            prior_share_of_allowed=percent(pri.total.cost_share, pri.total.allowed),
        ),
        per_1000={row.key: row.per_1000 for row in utilization},
        unit_cost={
            **paid_per_event,
            "alos": rounded(ratio(cur.days, cur.admits), 2),
            "prior_alos": rounded(ratio(pri.days, pri.admits), 2),
        },
        utilization=utilization,
        high_cost_claimants=_high_cost_section(frames, account_id, cur, high_cost_threshold),
        conditions=_conditions_section(frames, account_id, cur, pri),
        pharmacy=_pharmacy_section(cur, pri),
        trend=Trends(
            paid=_trend_section(cur, pri, "paid"), allowed=_trend_section(cur, pri, "allowed")
        ),
        monthly=monthly,
        warnings=_warnings(cur, current, paid.total if mm else None, monthly),
    )


def _period(period: Period) -> PeriodInfo:
    return PeriodInfo(
        code=period.code,
        label=period.label,
        start=period.start,
        end=period.last_day,
        months=period.months,
    )


@dataclass(frozen=True)
class AccountRef:
    id: int
    name: str
    group_number: str


@dataclass(frozen=True)
class AccountReport(UtilizationReport):
    """An account's figures with its comparisons to the book and the norms, and findings."""

    account: AccountRef
    benchmarks: tuple[Comparison, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AccountOverview:
    """One account's headline figures in the book overview."""

    id: int
    name: str
    group_number: str
    member_months: int
    average_members: Decimal | None
    paid_pmpm: Decimal | None
    allowed_pmpm: Decimal | None
    paid_pmpm_change_pct: Decimal | None
    admits_per_1000: Decimal | None
    ed_visits_per_1000: Decimal | None
    generic_dispensing_rate: Decimal | None
    high_cost_claimants: int
    findings: tuple[Finding, ...]
    warnings: tuple[DataWarning, ...]

    @classmethod
    def of(cls, r: AccountReport) -> AccountOverview:
        has_members = bool(r.member_months.total)
        return cls(
            id=r.account.id,
            name=r.account.name,
            group_number=r.account.group_number,
            member_months=r.member_months.total,
            average_members=r.member_months.average_members,
            paid_pmpm=r.paid_pmpm.total if has_members else None,
            allowed_pmpm=r.allowed_pmpm.total if has_members else None,
            paid_pmpm_change_pct=r.trend.paid.change_pct if r.trend.paid else None,
            admits_per_1000=r.measure("admits").per_1000,
            ed_visits_per_1000=r.measure("ed_visits").per_1000,
            generic_dispensing_rate=r.pharmacy.generic_dispensing_rate,
            high_cost_claimants=r.high_cost_claimants.count,
            findings=r.findings,
            warnings=r.warnings,
        )


@dataclass(frozen=True)
class BookOverview:
    book: UtilizationReport
    accounts: tuple[AccountOverview, ...]


def metric_values(report: UtilizationReport) -> dict[str, Decimal | None]:
    """The headline figures benchmarks and findings compare, by metric key."""
    has_members = bool(report.member_months.total)
    trend = report.trend.paid
    out: dict[str, Decimal | None] = {
        "paid_pmpm": report.paid_pmpm.total if has_members else None,
        "allowed_pmpm": report.allowed_pmpm.total if has_members else None,
        "medical_paid_pmpm": report.paid_pmpm.medical,
        "pharmacy_paid_pmpm": report.paid_pmpm.pharmacy,
        "generic_dispensing_rate": report.pharmacy.generic_dispensing_rate,
        "specialty_share_of_paid": report.pharmacy.specialty_share_of_paid,
        "top1_share": report.high_cost_claimants.top1_share_of_allowed,
        "top5_share": report.high_cost_claimants.top5_share_of_allowed,
        "alos": report.unit_cost["alos"],
        "cost_share_of_allowed": report.member_cost_share.share_of_allowed,
        "paid_pmpm_trend": trend.change_pct if trend else None,
    }
    for row in report.utilization:
        out[f"{row.key}_per_1000"] = report.per_1000[row.key]
        out[f"paid_per_{row.key}"] = row.paid_per_event
    for c in report.conditions.chronic:
        out[f"prevalence_{c.key}"] = c.prevalence_per_1000
    return out
