"""Staging: the input layer's claims as final-action lines, with clean keys and amounts.

Amounts left empty in the source (a Tuva extract may leave paid or allowed empty) count as 0.
Member cost share is coinsurance + copayment + deductible. Medical lines are dated by
`coalesce(claim_start_date, claim_end_date)` and pharmacy fills by
`coalesce(dispensing_date, paid_date)`, as Tuva's financial PMPM does.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from clientdesk.lake.staging import final_action_claim_lines

OPEN_END = dt.date(9999, 12, 31)
ZERO = ibis.literal(0).cast("decimal(18, 2)")


def _money(column: ir.Value) -> ir.Value:
    return column.cast("decimal(18, 2)").fill_null(ZERO)


def stg_medical_lines(claims: ir.Table, processing: ir.Table | None = None) -> ir.Table:
    """Final-action medical claim lines with the columns the marts use.

    Grain: one row per claim line, unique on (claim_id, claim_line_number, data_source).
    Columns: account_id, person_id, member_id, payer, plan ('' when empty), data_source,
    claim_id, claim_line_number, claim_type, service_date, claim_start_date, claim_end_date,
    admission_date, discharge_date, discharge_disposition_code, facility_npi,
    place_of_service_code, bill_type_code, revenue_center_code, hcpcs_code, drg_code,
    procedure_code_1, diagnosis_code_1 (principal), paid, allowed, cost_share (money, 0 when
    empty). Secondary diagnoses stay in the lake (chronic conditions read them there).

    Codes are taken as loaded: ingestion has checked their shape (upper case; an ICD-10-CM
    code's first three characters are its category, with or without the dot)."""
    final = final_action_claim_lines(claims, processing)
    return final.select(
        "account_id",
        "person_id",
        "member_id",
        "payer",
        plan=final.plan.fill_null(""),
        data_source=final.data_source,
        claim_id=final.claim_id,
        claim_line_number=final.claim_line_number.cast("int64"),
        claim_type=final.claim_type,
        service_date=ibis.coalesce(final.claim_start_date, final.claim_end_date),
        claim_start_date=final.claim_start_date,
        claim_end_date=final.claim_end_date,
        admission_date=final.admission_date,
        discharge_date=final.discharge_date,
        discharge_disposition_code=final.discharge_disposition_code,
        facility_npi=final.facility_npi,
        place_of_service_code=final.place_of_service_code,
        bill_type_code=final.bill_type_code,
        revenue_center_code=final.revenue_center_code,
        hcpcs_code=final.hcpcs_code,
        drg_code=final.drg_code,
        procedure_code_1=final.procedure_code_1,
        diagnosis_code_1=final.diagnosis_code_1,
        paid=_money(final.paid_amount),
        allowed=_money(final.allowed_amount),
        cost_share=(
            _money(final.coinsurance_amount)
            + _money(final.copayment_amount)
            + _money(final.deductible_amount)
        ),
    )


def stg_pharmacy_fills(claims: ir.Table, drugs: ir.Table) -> ir.Table:
    """Final-action pharmacy claim lines with the drug reference's generic and specialty flags.

    Grain: one row per pharmacy claim line, unique on (claim_id, claim_line_number,
    data_source). Columns: account_id, person_id, member_id, payer, plan, data_source, claim_id,
    claim_line_number, service_date, ndc_code, days_supply (null when empty or 0), generic
    (true / false / null when the NDC is not in the reference), specialty (same), paid,
    allowed, cost_share."""
    final = final_action_claim_lines(claims)
    fills = final.select(
        "account_id",
        "person_id",
        "member_id",
        "payer",
        plan=final.plan.fill_null(""),
        data_source=final.data_source,
        claim_id=final.claim_id,
        claim_line_number=final.claim_line_number.cast("int64"),
        service_date=ibis.coalesce(final.dispensing_date, final.paid_date),
        ndc_code=final.ndc_code,
        days_supply=ibis.cases(
            (final.days_supply > 0, final.days_supply.cast("int64")), else_=ibis.null("int64")
        ),
        paid=_money(final.paid_amount),
        allowed=_money(final.allowed_amount),
        cost_share=(
            _money(final.coinsurance_amount)
            + _money(final.copayment_amount)
            + _money(final.deductible_amount)
        ),
    )
    joined = fills.left_join(drugs, fills.ndc_code == drugs.ndc_code)
    return joined.select(
        *[joined[c] for c in fills.columns],
        generic=joined.generic_flag,
        specialty=joined.specialty_flag,
    )


def stg_enrollment_spans(eligibility: ir.Table, as_of: dt.date) -> ir.Table:
    """Eligibility spans with an end date: open spans (empty or 9999-12-31) run to `as_of`,
    as Tuva runs open-ended spans to the current date.

    Grain: one row per eligibility row (span). Columns: account_id, person_id, member_id,
    payer, plan ('' when empty), data_source, enrollment_start_date, enrollment_end_date."""
    end = eligibility.enrollment_end_date
    return eligibility.select(
        "account_id",
        "person_id",
        "member_id",
        "payer",
        plan=eligibility.plan.fill_null(""),
        data_source=eligibility.data_source,
        enrollment_start_date=eligibility.enrollment_start_date,
        enrollment_end_date=ibis.cases(
            (end.isnull() | (end >= ibis.literal(OPEN_END)), ibis.literal(as_of)), else_=end
        ),
    )
