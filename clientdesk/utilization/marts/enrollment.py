"""Member months (Tuva `claims_enrollment__member_months`) and the lines they admit.

A member month is one member enrolled in one calendar month: every month an enrollment span
overlaps counts in full (`enrollment_start_date <= month_end and enrollment_end_date >=
month_start`). Claims dated in a month without enrollment drop out of PMPM, as Tuva's
`financial_pmpm__pmpm_prep` left-joins spend onto member months.

The member key is Tuva's without payer and plan: (account_id, person_id, member_id,
data_source). An account's member who changes plan within a month is one member month, not
two, and a claim whose plan name differs from the eligibility span's still finds its month.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

MEMBER_KEY = ("account_id", "person_id", "member_id", "data_source")


def int_member_months(spans: ir.Table, calendar: ir.Table) -> ir.Table:
    """Grain: one row per member month, unique on (account_id, person_id, member_id,
    data_source, month_start). Columns: those, and period (from the calendar)."""
    joined = spans.join(
        calendar,
        [
            spans.enrollment_start_date <= calendar.month_end,
            spans.enrollment_end_date >= calendar.month_start,
        ],
    )
    return joined.select(*MEMBER_KEY, "month_start", "period").distinct()


def mart_member_months(member_months: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, month_start). Columns: period, member_months."""
    return member_months.group_by(["account_id", "month_start", "period"]).aggregate(
        member_months=member_months.count()
    )


def mart_period_members(member_months: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, period). Columns: members (distinct persons enrolled
    at least one month of the period)."""
    return member_months.group_by(["account_id", "period"]).aggregate(
        members=member_months.person_id.nunique()
    )


def int_enrolled_lines(lines: ir.Table, spans: ir.Table, calendar: ir.Table) -> ir.Table:
    """Lines dated in a calendar month their member was enrolled (medical lines or fills).

    The month test is the member-month rule: some span of the member overlaps the line's
    month. It is a semi-join on the member key (a line never repeats when spans overlap).

    Grain: as `lines` (one row per claim line), restricted to enrolled months of the
    calendar. Columns: those of `lines` plus month_start and period."""
    dated = lines.filter(lines.service_date.notnull())
    dated = dated.mutate(month_start=dated.service_date.truncate("M").cast("date"))
    months = calendar.select("month_start", "period", "month_end")
    dated = dated.join(months, "month_start")
    predicates = [dated[k] == spans[k] for k in MEMBER_KEY] + [
        spans.enrollment_start_date <= dated.month_end,
        spans.enrollment_end_date >= dated.month_start,
    ]
    return dated.semi_join(spans, predicates).drop("month_end")


def window_spans(spans: ir.Table, first: dt.date, last: dt.date) -> ir.Table:
    """The spans that overlap the window `first`..`last` (the rest cannot admit a line).

    Grain: as `spans`. Columns: the member key, enrollment_start_date, enrollment_end_date."""
    return spans.filter(
        (spans.enrollment_start_date <= ibis.literal(last))
        & (spans.enrollment_end_date >= ibis.literal(first))
    ).select(*MEMBER_KEY, "enrollment_start_date", "enrollment_end_date")
