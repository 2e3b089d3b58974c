"""The utilization report of one account and period: the numbers, in a JSON-able dict.

Every figure comes from `totals.Totals` of the current and prior period, computed exactly
(Decimal sums, Fraction ratios) and rounded last. Category PMPMs are contributive (category
spend / all member months) and are rounded so that they add up to the rounded total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

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
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return _num(value)


# --- sections ------------------------------------------------------------------------------


def _pmpm_section(cur: Totals, pri: Totals, basis: str) -> dict[str, Any]:
    """PMPM on `basis` ("paid" or "allowed"): total, medical, pharmacy and by category."""
    mm, mm0 = cur.member_months, pri.member_months
    leaf_amounts = [
        getattr(cur.leaves[k].spend, basis) if k in cur.leaves else Decimal(0)
        for k in (x.key for x in LEAVES)
    ]
    pharmacy = getattr(cur.pharmacy.spend, basis)
    categories: list[dict[str, Any]] = []
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
            {
                "leaf": leaf.key,
                "service_category_1": leaf.category_1,
                "service_category_2": leaf.category_2,
                "service_category_3": leaf.category_3,
                "amount": amount,
                "pmpm": value,
                "prior_pmpm": prior_pmpm,
                "change_pct": change_percent(value, prior_pmpm),
            }
        )
    medical = sum(leaf_pmpm, Decimal("0.00"))
    total_prior = getattr(pri.total, basis)
    return {
        "total": medical + pharmacy_pmpm,
        "medical": medical,
        "pharmacy": pharmacy_pmpm,
        "amount": getattr(cur.total, basis),
        "prior_total": rounded(pmpm(total_prior, mm0)) if mm0 else None,
        "prior_medical": rounded(pmpm(getattr(pri.medical, basis), mm0)) if mm0 else None,
        "prior_pharmacy": rounded(pmpm(getattr(pri.pharmacy.spend, basis), mm0)) if mm0 else None,
        "by_service_category": categories,
        "by_service_category_1": _rollup(categories, ("service_category_1",)),
        "by_service_category_2": _rollup(categories, ("service_category_1", "service_category_2")),
    }


def _rollup(categories: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in categories:
        key = tuple(row[k] for k in keys)
        group = groups.setdefault(
            key, {**{k: row[k] for k in keys}, "amount": Decimal(0), "pmpm": Decimal(0)}
        )
        group["amount"] += row["amount"]
        group["pmpm"] += row["pmpm"]
    return sorted(groups.values(), key=lambda g: g["pmpm"], reverse=True)


def _utilization_section(cur: Totals, pri: Totals) -> list[dict[str, Any]]:
    rows = []
    for m in MEASURES:
        n, n0 = events(cur, m.key), events(pri, m.key)
        spend, spend0 = measure_spend(cur, m.key), measure_spend(pri, m.key)
        rate, rate0 = per_1000(n, cur.member_months), per_1000(n0, pri.member_months)
        rows.append(
            {
                "key": m.key,
                "label": m.label,
                "unit": m.unit,
                "events": n,
                "prior_events": n0,
                "per_1000": rounded(rate, 1),
                "prior_per_1000": rounded(rate0, 1),
                "per_1000_change_pct": change_percent(rate, rate0),
                "paid": spend.paid,
                "allowed": spend.allowed,
                "paid_per_event": rounded(ratio(spend.paid, n)),
                "allowed_per_event": rounded(ratio(spend.allowed, n)),
                "prior_paid_per_event": rounded(ratio(spend0.paid, n0)),
                "unit_cost_change_pct": change_percent(
                    ratio(spend.paid, n), ratio(spend0.paid, n0)
                ),
            }
        )
    return rows


def _pharmacy_section(cur: Totals, pri: Totals) -> dict[str, Any]:
    def thirty_day(days: int, without: int) -> Fraction:
        # 30-day equivalents: days supply / 30; a fill without days supply counts as 30 days.
        return Fraction(days + 30 * without, 30)

    def gdr(t: Totals) -> Fraction | None:
        rx = t.pharmacy
        known = thirty_day(rx.known_days, rx.known_fills_without_days)
        generic = thirty_day(rx.generic_days, rx.generic_fills_without_days)
        return ratio(generic * 100, known)

    rx, rx0 = cur.pharmacy, pri.pharmacy
    return {
        "fills": rx.fills,
        "thirty_day_equivalents": rounded(thirty_day(rx.days_supply, rx.fills_without_days), 1),
        "generic_dispensing_rate": rounded(gdr(cur), 1),
        "prior_generic_dispensing_rate": rounded(gdr(pri), 1),
        "generic_fill_share": percent(rx.generic_fills, rx.known_fills),
        "unknown_ndc_fills": rx.unknown_fills,
        "specialty_share_of_paid": percent(rx.specialty.paid, rx.spend.paid),
        "prior_specialty_share_of_paid": percent(rx0.specialty.paid, rx0.spend.paid),
        "generic_share_of_paid": percent(rx.generic.paid, rx.spend.paid),
        "paid": rx.spend.paid,
        "allowed": rx.spend.allowed,
        "cost_share": rx.spend.cost_share,
        "paid_per_script": rounded(ratio(rx.spend.paid, rx.fills)),
        "prior_paid_per_script": rounded(ratio(rx0.spend.paid, rx0.fills)),
        "allowed_per_script": rounded(ratio(rx.spend.allowed, rx.fills)),
        "scripts_per_1000": rounded(per_1000(rx.fills, cur.member_months), 1),
    }


def _trend_section(cur: Totals, pri: Totals, basis: str) -> dict[str, Any] | None:
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
            {
                "category": e.category,
                "label": (
                    f"{leaf.category_2} / {leaf.category_3}"
                    if leaf and leaf.category_2 != leaf.category_3
                    else (leaf.category_2 if leaf else "pharmacy")
                ),
                "pmpm_prior": rounded(e.pmpm_prior),
                "pmpm_current": rounded(e.pmpm_current),
                "change": sum(parts, Decimal("0.00")),
                "utilization": parts[0],
                "mix": parts[1],
                "unit_cost": parts[2],
            }
        )
    return {
        "basis": basis,
        "pmpm_prior": rounded(d.pmpm_prior),
        "pmpm_current": rounded(d.pmpm_current),
        "change": change,
        "change_pct": change_percent(d.pmpm_current, d.pmpm_prior),
        "utilization": effects[0],
        "mix": effects[1],
        "unit_cost": effects[2],
        "exact": {
            "change": str(d.change),
            "utilization": str(d.utilization),
            "mix": str(d.mix),
            "unit_cost": str(d.unit_cost),
        },
        "categories": categories,
    }


def _high_cost_section(
    frames: MetricFrames, account_id: int | None, cur: Totals, threshold: Decimal
) -> dict[str, Any]:
    rows = frames.high_cost
    rows = rows[rows["period"] == CURRENT]
    if account_id is not None:
        rows = rows[rows["account_id"] == account_id]
    members: list[dict[str, Any]] = sorted(
        (
            {
                "pseudonym": member_pseudonym(str(r["person_id"])),
                "medical_paid": money(r["medical_paid"]),
                "pharmacy_paid": money(r["pharmacy_paid"]),
                "paid": money(r["paid"]),
                "allowed": money(r["allowed"]),
                "member_months": count(r["member_months"]),
            }
            for r in rows.to_dict("records")
        ),
        key=lambda m: (m["paid"], m["pseudonym"]),
        reverse=True,
    )
    paid: Decimal = sum((Decimal(m["paid"]) for m in members), Decimal("0.00"))
    return {
        "threshold": threshold,
        "count": len(members),
        "paid": paid,
        "share_of_paid": percent(paid, cur.total.paid),
        "per_1000": rounded(ratio(len(members) * 1000, cur.members), 2),
        "members": members,
        "top1_share_of_allowed": percent(cur.top1_allowed, cur.concentration_allowed),
        "top5_share_of_allowed": percent(cur.top5_allowed, cur.concentration_allowed),
        "top1_members": cur.top1_members,
        "top5_members": cur.top5_members,
    }


def _conditions_section(
    frames: MetricFrames, account_id: int | None, cur: Totals, pri: Totals
) -> dict[str, Any]:
    def rows_of(frame: Any) -> list[dict[str, Any]]:
        picked = frame[frame["period"] == CURRENT]
        if account_id is not None:
            picked = picked[picked["account_id"] == account_id]
        return list(picked.to_dict("records"))

    medical_paid = cur.medical.paid
    top = [
        {
            "category": r["category"] or "(none)",
            "description": category_label(str(r["category"])) or "Missing or unknown code",
            "chapter": chapter_label(str(r["chapter"])),
            "paid": money(r["paid"]),
            "allowed": money(r["allowed"]),
            "members": count(r["members"]),
            "share_of_medical_paid": percent(money(r["paid"]), medical_paid),
        }
        for r in sorted(rows_of(frames.top_diagnoses), key=lambda r: int(r["rank"]))
    ]
    chapters: dict[str, Decimal] = {}
    for r in rows_of(frames.chapters):
        chapters[str(r["chapter"])] = chapters.get(str(r["chapter"]), Decimal(0)) + money(r["paid"])
    chapter_rows = [
        {"chapter": chapter_label(k), "paid": v, "share_of_medical_paid": percent(v, medical_paid)}
        for k, v in sorted(chapters.items(), key=lambda kv: kv[1], reverse=True)
    ]
    chronic = []
    for c in CHRONIC_CONDITIONS:
        n, n0 = cur.conditions.get(c.key, 0), pri.conditions.get(c.key, 0)
        chronic.append(
            {
                "key": c.key,
                "label": c.label,
                "codes": c.codes,
                "members": n,
                "prevalence_per_1000": rounded(ratio(n * 1000, cur.members), 1),
                "prior_prevalence_per_1000": rounded(ratio(n0 * 1000, pri.members), 1),
            }
        )
    return {"top_diagnosis_groups": top, "chapters": chapter_rows, "chronic": chronic}


def _monthly(frames: MetricFrames, account_id: int | None) -> list[dict[str, Any]]:
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
            {
                **m,
                "paid_pmpm": rounded(pmpm(m["medical_paid"] + m["pharmacy_paid"], mm)),
                "allowed_pmpm": rounded(pmpm(m["medical_allowed"] + m["pharmacy_allowed"], mm)),
                "medical_paid_pmpm": rounded(pmpm(m["medical_paid"], mm)),
                "pharmacy_paid_pmpm": rounded(pmpm(m["pharmacy_paid"], mm)),
            }
        )
    return out


def _warnings(
    cur: Totals, current: Period, paid_total: Decimal | None, monthly: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    low, high = PLAUSIBLE_PMPM
    warnings = []
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
        value = m["paid_pmpm"]
        in_period = current.start <= m["month"] <= current.last_day
        if in_period and value is not None and m["member_months"] and not low <= value <= high:
            warnings.append(
                {
                    "kind": "implausible_month",
                    "message": f"{m['month']:%b %Y}: paid PMPM {formatting.money(value)} "
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
                    "out (load one with `clientdesk ndc FILE`)."
                ),
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
    return warnings


def build_report(
    frames: MetricFrames,
    *,
    account_id: int | None,
    current: Period,
    prior: Period,
    high_cost_threshold: Decimal,
) -> dict[str, Any]:
    """The report of one account (None: every account in `frames`, the book)."""
    cur = period_totals(frames, CURRENT, account_id)
    pri = period_totals(frames, PRIOR, account_id)
    paid = _pmpm_section(cur, pri, "paid")
    allowed = _pmpm_section(cur, pri, "allowed")
    monthly = _monthly(frames, account_id)
    utilization = _utilization_section(cur, pri)
    mm = cur.member_months
    report: dict[str, Any] = {
        "period": _period(current),
        "prior_period": _period(prior),
        "data_paid_through": cur.last_paid_date,
        "member_months": {
            "total": mm,
            "prior": pri.member_months,
            "average_members": rounded(ratio(mm, current.months), 1),
            "prior_average_members": rounded(ratio(pri.member_months, prior.months), 1),
            "members": cur.members,
        },
        "paid_pmpm": paid,
        "allowed_pmpm": allowed,
        "member_cost_share": {
            "pmpm": rounded(pmpm(cur.total.cost_share, mm)) if mm else None,
            "amount": cur.total.cost_share,
            "share_of_allowed": percent(cur.total.cost_share, cur.total.allowed),
            "prior_share_of_allowed": percent(pri.total.cost_share, pri.total.allowed),
        },
        "per_1000": {row["key"]: row["per_1000"] for row in utilization},
        "unit_cost": {
            **{f"paid_per_{row['key']}": row["paid_per_event"] for row in utilization},
            "alos": rounded(ratio(cur.days, cur.admits), 2),
            "prior_alos": rounded(ratio(pri.days, pri.admits), 2),
        },
        "utilization": utilization,
        "high_cost_claimants": _high_cost_section(frames, account_id, cur, high_cost_threshold),
        "conditions": _conditions_section(frames, account_id, cur, pri),
        "pharmacy": _pharmacy_section(cur, pri),
        "trend": {
            "paid": _trend_section(cur, pri, "paid"),
            "allowed": _trend_section(cur, pri, "allowed"),
        },
        "monthly": monthly,
    }
    warnings = _warnings(cur, current, paid["total"] if mm else None, monthly)
    report["warnings"] = [{**w, "label": WARNING_LABELS[w["kind"]]} for w in warnings]
    return report


def _period(period: Period) -> dict[str, Any]:
    return {
        "code": period.code,
        "label": period.label,
        "start": period.start,
        "end": period.last_day,
        "months": period.months,
    }


def metric_values(report: dict[str, Any]) -> dict[str, Decimal | None]:
    """The headline figures benchmarks and findings compare, by metric key."""
    per = report["per_1000"]
    out: dict[str, Decimal | None] = {
        "paid_pmpm": report["paid_pmpm"]["total"] if report["member_months"]["total"] else None,
        "allowed_pmpm": (
            report["allowed_pmpm"]["total"] if report["member_months"]["total"] else None
        ),
        "medical_paid_pmpm": report["paid_pmpm"]["medical"],
        "pharmacy_paid_pmpm": report["paid_pmpm"]["pharmacy"],
        "generic_dispensing_rate": report["pharmacy"]["generic_dispensing_rate"],
        "specialty_share_of_paid": report["pharmacy"]["specialty_share_of_paid"],
        "top1_share": report["high_cost_claimants"]["top1_share_of_allowed"],
        "top5_share": report["high_cost_claimants"]["top5_share_of_allowed"],
        "alos": report["unit_cost"]["alos"],
        "cost_share_of_allowed": report["member_cost_share"]["share_of_allowed"],
        "paid_pmpm_trend": (report["trend"]["paid"] or {}).get("change_pct"),
    }
    for row in report["utilization"]:
        out[f"{row['key']}_per_1000"] = per[row["key"]]
        out[f"paid_per_{row['key']}"] = row["paid_per_event"]
    for c in report["conditions"]["chronic"]:
        out[f"prevalence_{c['key']}"] = c["prevalence_per_1000"]
    return out
