"""Diagnoses: spend by principal diagnosis group and prevalence of chronic conditions."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from clientdesk.utilization.reference import icd_chapter

DIAGNOSIS_COLUMNS = tuple(f"diagnosis_code_{i}" for i in range(1, 26))


def mart_diagnosis_spend(lines: ir.Table) -> ir.Table:
    """Spend of enrolled medical lines by the ICD-10-CM category of the principal diagnosis
    (diagnosis_code_1, first three characters).

    Grain: one row per (account_id, period, category). Columns: chapter (the ICD-10-CM
    chapter number, '' when the category is unknown or empty), paid, allowed, members."""
    coded = lines.mutate(category=lines.diagnosis_code_1.substr(0, 3).fill_null(""))
    spend = coded.group_by(["account_id", "period", "category"]).aggregate(
        paid=coded.paid.sum(), allowed=coded.allowed.sum(), members=coded.person_id.nunique()
    )
    return spend.mutate(chapter=icd_chapter(spend.category))


def mart_top_diagnosis_categories(diagnosis_spend: ir.Table, top: int) -> ir.Table:
    """The `top` categories by paid per account and period (ties by category code).

    Grain: one row per (account_id, period, category). Columns as mart_diagnosis_spend plus
    rank (1 = costliest)."""
    window = ibis.window(
        group_by=[diagnosis_spend.account_id, diagnosis_spend.period],
        order_by=[ibis.desc(diagnosis_spend.paid), diagnosis_spend.category],
    )
    ranked = diagnosis_spend.mutate(rank=(ibis.row_number().over(window) + 1).cast("int64"))
    return ranked.filter(ranked.rank <= top)


def mart_diagnosis_chapters(diagnosis_spend: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, period, chapter). Columns: paid, allowed."""
    return diagnosis_spend.group_by(["account_id", "period", "chapter"]).aggregate(
        paid=diagnosis_spend.paid.sum(), allowed=diagnosis_spend.allowed.sum()
    )


def int_condition_members(
    claims: ir.Table, enrolled_lines: ir.Table, condition_codes: ir.Table
) -> ir.Table:
    """Members with a chronic condition: a diagnosis in any of the 25 positions of an enrolled
    final-action line whose ICD-10-CM category (first three characters) is on the
    condition's list (`condition_codes` maps dx_category to condition).

    The 25 diagnosis positions are read from the lake's `claims` (not carried through
    staging, which keeps the staged lines narrow) and joined to the enrolled final-action
    lines on the line key: a line re-sent under the same key contributes the diagnoses of
    each version it was sent with.

    Grain: one row per (account_id, period, condition, person_id)."""
    codes = claims.select(
        "claim_id",
        "data_source",
        claim_line_number=claims.claim_line_number.cast("int64"),
        code=ibis.array([claims[c] for c in DIAGNOSIS_COLUMNS]).unnest(),
    )
    codes = codes.filter(codes.code.notnull())
    flagged = codes.mutate(dx_category=codes.code.substr(0, 3)).join(condition_codes, "dx_category")
    flagged = flagged.select("claim_id", "claim_line_number", "data_source", "condition")
    keys = enrolled_lines.select(
        "claim_id", "claim_line_number", "data_source", "account_id", "period", "person_id"
    )
    joined = flagged.join(keys, ["claim_id", "claim_line_number", "data_source"])
    return joined.select("account_id", "period", "condition", "person_id").distinct()


def mart_condition_prevalence(condition_members: ir.Table) -> ir.Table:
    """Grain: one row per (account_id, period, condition). Columns: members."""
    return condition_members.group_by(["account_id", "period", "condition"]).aggregate(
        members=condition_members.count()
    )
