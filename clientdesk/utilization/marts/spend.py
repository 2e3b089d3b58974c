"""Spend and services by month: medical by service category, pharmacy by drug type."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clientdesk.utilization.marts.service_categories import with_service_categories


def mart_medical_service_months(lines: ir.Table) -> ir.Table:
    """Medical spend and services of enrolled lines.

    Grain: one row per (account_id, month_start, service_leaf). Columns: period,
    service_category_1/2/3, paid, allowed, cost_share, lines, service_days (distinct member
    and service date: the unit of use of a category, see docs/utilization.md)."""
    keys = ["account_id", "month_start", "period", "service_leaf"]
    days = lines.group_by([*keys, "person_id", "service_date"]).aggregate(
        paid=lines.paid.sum(),
        allowed=lines.allowed.sum(),
        cost_share=lines.cost_share.sum(),
        lines=lines.count(),
    )
    months = days.group_by(keys).aggregate(
        paid=days.paid.sum(),
        allowed=days.allowed.sum(),
        cost_share=days.cost_share.sum(),
        lines=days.lines.sum(),
        service_days=days.count(),
    )
    return with_service_categories(months)


def mart_pharmacy_months(fills: ir.Table) -> ir.Table:
    """Pharmacy spend and fills of enrolled fills.

    Grain: one row per (account_id, month_start, drug_type, specialty). drug_type is
    "generic", "brand" or "unknown" (NDC not in the drug reference); specialty is "specialty",
    "non-specialty" or "unknown". Columns: period, fills, days_supply (sum of known days
    supply), fills_without_days, paid, allowed, cost_share."""
    typed = fills.mutate(
        drug_type=ibis.cases(
            (fills.generic.isnull(), "unknown"), (fills.generic, "generic"), else_="brand"
        ),
        specialty_type=ibis.cases(
            (fills.specialty.isnull(), "unknown"),
            (fills.specialty, "specialty"),
            else_="non-specialty",
        ),
    )
    return typed.group_by(
        ["account_id", "month_start", "period", "drug_type", "specialty_type"]
    ).aggregate(
        fills=typed.count(),
        days_supply=typed.days_supply.sum().fill_null(0),
        fills_without_days=typed.days_supply.isnull().cast("int64").sum(),
        paid=typed.paid.sum(),
        allowed=typed.allowed.sum(),
        cost_share=typed.cost_share.sum(),
    )


def mart_data_as_of(claims: ir.Table) -> ir.Table:
    """Grain: one row per account_id. Columns: last_paid_date (latest paid_date of any loaded
    medical line: how far the run-out reaches)."""
    return claims.group_by("account_id").aggregate(last_paid_date=claims.paid_date.max())
