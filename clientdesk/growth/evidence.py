"""The figures suggestion rules test, per account, read through the lake gateway in the
reader's scope (aggregates per account only: no member leaves the lake) and from inquiries.

Grain of every figure: one value per (account, measure) over one period of whole months.

- members with a condition: distinct persons with a medical claim in the period whose first
  three diagnoses include one of the condition's ICD-10-CM categories (the categories of
  utilization's chronic-condition list); per 1,000 employees.
- members and employees: distinct persons and distinct subscribers enrolled on any day of
  the period (the same people the claims are counted over, so turnover does not skew the
  rate the way a point-in-time head count would).
- member months: enrollment days inside the period ÷ (period days ÷ months).
- ED visits: distinct (person, first service date) of claims at place of service 23 or with
  revenue code 045x; per 1,000 = visits x 12,000 / member months.
- paid PMPM: medical + pharmacy paid ÷ member months.
- specialty share: pharmacy paid on NDCs the drug reference marks specialty ÷ pharmacy paid.
- benefits inquiries: inquiries of the benefits category opened in the last 90 days vs the 90
  before, in percent (no figure when the earlier 90 days had fewer than 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
from django.db.models import Count, Q

from clientdesk.accounts.models import Account
from clientdesk.growth.models import Measure
from clientdesk.inquiries.models import Inquiry
from clientdesk.lake.gateway import Lake, Reader, open_lake
from clientdesk.lib.periods import Period
from clientdesk.utilization.models import DrugProduct

CONDITION_GROUPS: dict[str, tuple[str, ...]] = {
    Measure.DIABETES_PER_1000: ("E10", "E11", "E13"),
    Measure.CARDIO_PER_1000: ("I50", "I20", "I21", "I22", "I23", "I24", "I25", "J43", "J44"),
    Measure.BEHAVIORAL_PER_1000: ("F32", "F33", "F41"),
}
INQUIRY_WINDOW = dt.timedelta(days=90)
MIN_PRIOR_INQUIRIES = 5


@dataclass
class AccountFigures:
    """What the rules read, and what the evidence shows beside them."""

    measures: dict[int, dict[str, float]] = field(default_factory=dict)
    context: dict[int, dict[str, object]] = field(default_factory=dict)


def _period_lines(lake: Lake, period: Period) -> ir.Table:
    med = lake.medical_claim
    return med.filter(
        (med.claim_start_date >= period.start) & (med.claim_start_date <= period.last_day)
    )


def _condition_members(lines: ir.Table) -> ir.Table:
    """Grain: (account_id, group). Columns: people."""
    parts = []
    for name, categories in CONDITION_GROUPS.items():
        hit = ibis.literal(False)
        for column in ("diagnosis_code_1", "diagnosis_code_2", "diagnosis_code_3"):
            hit = hit | lines[column].substr(0, 3).isin(list(categories)).fill_null(False)
        parts.append(
            lines.filter(hit)
            .select("account_id", "person_id")
            .distinct()
            .group_by("account_id")
            .aggregate(people=ibis._.person_id.count())
            .mutate(group=ibis.literal(str(name)))
        )
    return ibis.union(*parts)


def _member_months(lake: Lake, period: Period) -> ir.Table:
    """Grain: account_id. Columns: members, employees (distinct subscribers), member_months."""
    e = lake.eligibility
    start = ibis.greatest(e.enrollment_start_date, ibis.literal(period.start))
    end = ibis.least(
        e.enrollment_end_date.fill_null(ibis.literal(period.last_day)),
        ibis.literal(period.last_day),
    )
    spans = e.mutate(days=end.delta(start, unit="day") + 1).filter(ibis._.days > 0)
    days_per_month = ((period.last_day - period.start).days + 1) / period.months
    return spans.group_by("account_id").aggregate(
        members=spans.person_id.nunique(),
        employees=spans.subscriber_id.nunique(),
        member_months=spans.days.sum() / days_per_month,
    )


def _ed_and_paid(lines: ir.Table) -> ir.Table:
    """Grain: account_id. Columns: ed_visits, medical_paid."""
    ed = (lines.place_of_service_code == "23").fill_null(
        False
    ) | lines.revenue_center_code.startswith("045").fill_null(False)
    visits = (
        lines.filter(ed)
        .select("account_id", "person_id", "claim_start_date")
        .distinct()
        .group_by("account_id")
        .aggregate(ed_visits=ibis._.person_id.count())
    )
    paid = lines.group_by("account_id").aggregate(medical_paid=lines.paid_amount.sum())
    return paid.left_join(visits, "account_id").select(
        paid.account_id, paid.medical_paid, ed_visits=visits.ed_visits.fill_null(0)
    )


def _pharmacy(lake: Lake, period: Period, specialty: list[str]) -> ir.Table:
    """Grain: account_id. Columns: pharmacy_paid, specialty_paid."""
    rx = lake.pharmacy_claim
    rx = rx.filter((rx.dispensing_date >= period.start) & (rx.dispensing_date <= period.last_day))
    is_specialty = rx.ndc_code.isin(specialty) if specialty else ibis.literal(False)
    return rx.group_by("account_id").aggregate(
        pharmacy_paid=rx.paid_amount.sum(),
        specialty_paid=ibis.cases((is_specialty, rx.paid_amount), else_=0).sum(),
    )


def lake_figures(
    reader: Reader, accounts: Sequence[Account], period: Period, *, engine: str | None = None
) -> AccountFigures:
    """Every figure of the accounts (narrowed to the reader's scope by the gateway)."""
    figures = AccountFigures()
    if not accounts:
        return figures
    specialty = list(DrugProduct.objects.filter(specialty=True).values_list("ndc_code", flat=True))
    wanted = {a.pk for a in accounts}
    # Every account asked for: read the reader's whole scope (the gateway never widens it)
    # rather than filter on thousands of ids, and keep the accounts asked for below.
    narrow = None if len(wanted) >= Account.objects.count() else list(accounts)
    with open_lake(reader, accounts=narrow, engine=engine) as lake:
        lines = _period_lines(lake, period)
        months = lake.execute(_member_months(lake, period))
        conditions = lake.execute(_condition_members(lines))
        medical = lake.execute(_ed_and_paid(lines))
        pharmacy = lake.execute(_pharmacy(lake, period, specialty))
    people: dict[int, dict[str, int]] = {}
    for row in conditions.itertuples(index=False):
        people.setdefault(int(row.account_id), {})[str(row.group)] = int(row.people)
    med = {int(r.account_id): r for r in medical.itertuples(index=False)}
    rx = {int(r.account_id): r for r in pharmacy.itertuples(index=False)}
    for row in months.itertuples(index=False):
        account_id = int(row.account_id)
        member_months = float(row.member_months)
        if member_months <= 0 or account_id not in wanted:
            continue
        values: dict[str, float] = {}
        staff = int(row.employees)
        counts = people.get(account_id, {})
        if staff > 0:
            for group in CONDITION_GROUPS:
                values[str(group)] = round(counts.get(str(group), 0) * 1000 / staff, 2)
        m = med.get(account_id)
        p = rx.get(account_id)
        medical_paid = float(m.medical_paid or 0) if m is not None else 0.0
        pharmacy_paid = float(p.pharmacy_paid or 0) if p is not None else 0.0
        if m is not None:
            values[Measure.ED_VISITS_PER_1000] = round(int(m.ed_visits) * 12000 / member_months, 2)
        values[Measure.PAID_PMPM] = round((medical_paid + pharmacy_paid) / member_months, 2)
        if p is not None and pharmacy_paid > 0:
            values[Measure.SPECIALTY_RX_SHARE] = round(
                float(p.specialty_paid or 0) * 100 / pharmacy_paid, 2
            )
        figures.measures[account_id] = values
        figures.context[account_id] = {
            "period": period.code,
            "members": int(row.members),
            "member_months": round(member_months, 1),
            "employees": staff,
        }
    return figures


def inquiry_figures(accounts: Sequence[Account], now: dt.datetime, figures: AccountFigures) -> None:
    """Add the benefits-inquiry change to the figures (operational DB)."""
    ids = [a.pk for a in accounts]
    recent_from, prior_from = now - INQUIRY_WINDOW, now - 2 * INQUIRY_WINDOW
    rows = (
        Inquiry.objects.filter(account_id__in=ids, category="benefits", opened_at__gte=prior_from)
        .values("account_id")
        .annotate(
            recent=Count("id", filter=Q(opened_at__gte=recent_from, opened_at__lt=now)),
            prior=Count("id", filter=Q(opened_at__lt=recent_from)),
        )
    )
    for row in rows:
        if row["prior"] < MIN_PRIOR_INQUIRIES:
            continue
        change = (row["recent"] - row["prior"]) * 100 / row["prior"]
        figures.measures.setdefault(row["account_id"], {})[Measure.BENEFITS_INQUIRY_RISE] = round(
            change, 1
        )
