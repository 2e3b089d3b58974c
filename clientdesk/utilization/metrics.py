"""The metric set: every mart for a current and a prior period, for every account in scope.

`compute_metric_frames(lake, current)` runs each mart through the gateway (`lake.execute`,
bounded in rows and time) and returns small pandas frames keyed by account_id. The staged,
categorised, enrolled lines are materialised once per run (Ibis `cache()`: a temporary table
on DuckDB, a cached DataFrame on Spark) so the marts do not recompute final action.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal

import ibis.expr.types as ir
import pandas as pd

from clientdesk.lake.gateway import Lake
from clientdesk.utilization.marts.calendar import month_calendar
from clientdesk.utilization.marts.claimants import (
    int_member_spend,
    mart_high_cost_claimants,
    mart_spend_concentration,
)
from clientdesk.utilization.marts.conditions import (
    int_condition_members,
    mart_condition_prevalence,
    mart_diagnosis_chapters,
    mart_diagnosis_spend,
    mart_top_diagnosis_categories,
)
from clientdesk.utilization.marts.encounters import (
    int_acute_inpatient_claims,
    int_acute_inpatient_stays,
    mart_acute_inpatient_stays,
)
from clientdesk.utilization.marts.enrollment import (
    int_enrolled_lines,
    int_member_months,
    mart_member_months,
    mart_period_members,
    window_spans,
)
from clientdesk.utilization.marts.service_categories import int_service_category_lines
from clientdesk.utilization.marts.spend import (
    mart_data_as_of,
    mart_medical_service_months,
    mart_pharmacy_months,
)
from clientdesk.utilization.marts.staging import (
    stg_enrollment_spans,
    stg_medical_lines,
    stg_pharmacy_fills,
)
from clientdesk.utilization.periods import Period
from clientdesk.utilization.reference import condition_codes_table, drug_reference_table

DEFAULT_HIGH_COST_THRESHOLD = Decimal("100000")
TOP_DIAGNOSIS_CATEGORIES = 10

# The columns of the enrolled medical lines the marts read (the rest stay in the lake).
_LINE_COLUMNS = (
    "account_id",
    "person_id",
    "claim_id",
    "claim_line_number",
    "data_source",
    "claim_type",
    "service_date",
    "claim_end_date",
    "admission_date",
    "discharge_date",
    "discharge_disposition_code",
    "facility_npi",
    "service_leaf",
    "ed_flag",
    "paid",
    "allowed",
    "cost_share",
    "diagnosis_code_1",
    "month_start",
    "period",
)


@dataclass
class MetricFrames:
    """The marts' answers for one run; every frame has an account_id column."""

    member_months: pd.DataFrame  # account_id, month_start, period, member_months
    period_members: pd.DataFrame  # account_id, period, members
    medical: pd.DataFrame  # account_id, month_start, period, service_leaf, categories, money
    pharmacy: pd.DataFrame  # account_id, month_start, period, drug_type, specialty_type, ...
    stays: pd.DataFrame  # account_id, month_start, period, maternity, admits, days
    concentration: pd.DataFrame  # account_id, period, members, allowed, top1_*, top5_*
    high_cost: pd.DataFrame  # account_id, period, person_id, medical_paid, pharmacy_paid, ...
    top_diagnoses: pd.DataFrame  # account_id, period, category, chapter, paid, ..., rank
    chapters: pd.DataFrame  # account_id, period, chapter, paid, allowed
    conditions: pd.DataFrame  # account_id, period, condition, members
    data_as_of: pd.DataFrame  # account_id, last_paid_date

    def for_account(self, account_id: int) -> MetricFrames:
        """The same frames with only one account's rows."""
        parts = {}
        for f in fields(self):
            frame: pd.DataFrame = getattr(self, f.name)
            parts[f.name] = frame[frame["account_id"] == account_id].reset_index(drop=True)
        return MetricFrames(**parts)

    def account_ids(self) -> list[int]:
        return sorted(int(a) for a in self.member_months["account_id"].unique())


@contextmanager
def _materialized(table: ir.Table, enabled: bool) -> Iterator[ir.Table]:
    if not enabled:
        yield table
        return
    cached = table.cache()
    try:
        yield cached
    finally:
        cached.release()


def enrolled_medical_lines(lake: Lake, spans: ir.Table, calendar: ir.Table) -> ir.Table:
    """Final-action medical lines, categorised, in enrolled months of the calendar."""
    staged = stg_medical_lines(lake.medical_claim, lake.claim_processing)
    categorized = int_service_category_lines(staged)
    return int_enrolled_lines(categorized, spans, calendar).select(*_LINE_COLUMNS)


def compute_metric_frames(
    lake: Lake,
    current: Period,
    *,
    prior: Period | None = None,
    as_of: dt.date,
    drugs: list[tuple[str, bool, bool]],
    high_cost_threshold: Decimal = DEFAULT_HIGH_COST_THRESHOLD,
    top_diagnoses: int = TOP_DIAGNOSIS_CATEGORIES,
    materialize: bool = True,
) -> MetricFrames:
    """Every mart for `current` and `prior` (default: the period before), for the lake's
    scope. `as_of` ends open enrollment spans; `drugs` is the NDC reference as (ndc_code,
    generic, specialty)."""
    prior = prior or current.prior()
    # Ibis's PySpark cache() does not register the in-memory tables (calendar, references)
    # an expression uses, so on Spark the marts recompute instead of reading a cache.
    materialize = materialize and lake.engine == "duckdb"
    calendar = month_calendar(current, prior)
    with _materialized(
        window_spans(stg_enrollment_spans(lake.eligibility, as_of), prior.start, current.end),
        materialize,
    ) as spans:
        member_months = int_member_months(spans, calendar)
        lines_expr = enrolled_medical_lines(lake, spans, calendar)
        fills_expr = int_enrolled_lines(
            stg_pharmacy_fills(lake.pharmacy_claim, drug_reference_table(drugs)), spans, calendar
        )
        with (
            _materialized(lines_expr, materialize) as lines,
            _materialized(fills_expr, materialize) as fills,
        ):
            spend = int_member_spend(lines, fills, member_months)
            diagnosis = mart_diagnosis_spend(lines)
            stays = int_acute_inpatient_stays(int_acute_inpatient_claims(lines))
            run = lake.execute
            return MetricFrames(
                member_months=run(mart_member_months(member_months)),
                period_members=run(mart_period_members(member_months)),
                medical=run(mart_medical_service_months(lines)),
                pharmacy=run(mart_pharmacy_months(fills)),
                stays=run(mart_acute_inpatient_stays(stays, calendar)),
                concentration=run(mart_spend_concentration(spend)),
                high_cost=run(mart_high_cost_claimants(spend, float(high_cost_threshold))),
                top_diagnoses=run(mart_top_diagnosis_categories(diagnosis, top_diagnoses)),
                chapters=run(mart_diagnosis_chapters(diagnosis)),
                conditions=run(
                    mart_condition_prevalence(
                        int_condition_members(lake.medical_claim, lines, condition_codes_table())
                    )
                ),
                data_as_of=run(mart_data_as_of(lake.medical_claim)),
            )
