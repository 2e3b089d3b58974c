"""Acute inpatient stays: facility claims merged into one stay per admission.

Tuva's acute-inpatient encounter rules (`acute_inpatient__generate_encounter_id.sql`): the
claims of one person at one facility (facility NPI) belong to the same stay when they
overlap (which covers equal start or equal end dates), or when one starts the day after the
other ends and that earlier claim's discharge disposition is 30 (still a patient).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clientdesk.utilization.marts.service_categories import ACUTE_STAY_LEAVES, MATERNITY_LEAVES

STILL_A_PATIENT = "30"


def int_acute_inpatient_claims(lines: ir.Table) -> ir.Table:
    """Acute inpatient and maternity facility claims.

    Grain: one row per claim, unique on (claim_id, data_source). Columns: account_id,
    person_id, facility (facility NPI, '' when empty), claim_id, data_source, start_date
    (admission, else claim start), end_date (discharge, else claim end), disposition,
    maternity (bool)."""
    facility = lines.filter(
        (lines.claim_type == "institutional") & lines.service_leaf.isin(ACUTE_STAY_LEAVES)
    )
    claims = facility.group_by(["account_id", "person_id", "claim_id", "data_source"]).aggregate(
        facility=facility.facility_npi.fill_null("").max(),
        start_date=ibis.coalesce(facility.admission_date, facility.service_date).min(),
        end_date=ibis.coalesce(
            facility.discharge_date, facility.claim_end_date, facility.service_date
        ).max(),
        disposition=facility.discharge_disposition_code.max(),
        maternity=facility.service_leaf.isin(MATERNITY_LEAVES).any(),
    )
    return claims


def int_acute_inpatient_stays(claims: ir.Table) -> ir.Table:
    """Grain: one row per stay, unique on (account_id, person_id, facility, stay_number).

    Columns: admit_date, discharge_date, days (discharge - admission, at least 1), claims,
    maternity (any claim of the stay is a delivery or newborn stay)."""
    group = [claims.account_id, claims.person_id, claims.facility]
    order = [claims.start_date, claims.end_date, claims.claim_id]
    before = ibis.window(group_by=group, order_by=order, rows=(None, -1))
    ordered = ibis.window(group_by=group, order_by=order)
    marked = claims.mutate(
        running_end=claims.end_date.max().over(before),
        previous_end=claims.end_date.lag().over(ordered),
        previous_disposition=claims.disposition.lag().over(ordered),
    )
    continues = (marked.start_date <= marked.running_end) | (
        (marked.start_date == marked.previous_end + ibis.interval(days=1))
        & (marked.previous_disposition == STILL_A_PATIENT)
    )
    marked = marked.mutate(
        new_stay=ibis.cases((marked.running_end.isnull(), 1), (continues, 0), else_=1)
    )
    numbered = marked.mutate(
        stay_number=marked.new_stay.sum().over(
            ibis.window(
                group_by=[marked.account_id, marked.person_id, marked.facility],
                order_by=[marked.start_date, marked.end_date, marked.claim_id],
                rows=(None, 0),
            )
        )
    )
    stays = numbered.group_by(["account_id", "person_id", "facility", "stay_number"]).aggregate(
        admit_date=numbered.start_date.min(),
        discharge_date=numbered.end_date.max(),
        claims=numbered.count(),
        maternity=numbered.maternity.any(),
    )
    length = stays.discharge_date.delta(stays.admit_date, unit="day")
    return stays.mutate(days=ibis.greatest(length, 1).cast("int64"))


def mart_acute_inpatient_stays(stays: ir.Table, calendar: ir.Table) -> ir.Table:
    """Stays by the month of admission.

    Grain: one row per (account_id, month_start, maternity). Columns: period, admits, days."""
    dated = stays.mutate(month_start=stays.admit_date.truncate("M").cast("date"))
    joined = dated.join(calendar.select("month_start", "period"), "month_start")
    return joined.group_by(["account_id", "month_start", "period", "maternity"]).aggregate(
        admits=joined.count(), days=joined.days.sum()
    )
