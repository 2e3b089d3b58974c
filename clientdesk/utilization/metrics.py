"""The metric set: every mart for a current and a prior period, for every account in scope.

`compute_metric_frames(lake, current)` runs each mart through the gateway (`lake.execute`,
bounded in rows and time) and returns small pandas frames keyed by account_id.

Two ways to the same answers:
- **from the derived tables** (the default): the staged and intermediate layers are built
  once per data load (`marts/materialized.py`); a request filters their monthly rows to its
  window and rolls them up. Final action and the grouper never run on a request.
- **directly** from the lake's input layer (`materialize=False`, and any window reaching past
  the derived tables' horizon): every layer computed for the request, the enrolled lines
  cached for the run on DuckDB. It is the reference the derived path is tested against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from decimal import Decimal

import ibis.expr.types as ir
import pandas as pd
from django.utils import timezone

from clientdesk.lake.gateway import Lake
from clientdesk.lib.periods import Period, month_start
from clientdesk.utilization.marts import materialized as derived
from clientdesk.utilization.marts.calendar import month_calendar
from clientdesk.utilization.marts.claimants import (
    int_member_spend,
    mart_book_spend_concentration,
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
from clientdesk.utilization.marts.service_categories import (
    ACUTE_STAY_LEAVES,
    int_service_category_lines,
    with_service_categories,
)
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
    book_concentration: pd.DataFrame  # period, members, allowed, top1_*, top5_* (all in scope)
    high_cost: pd.DataFrame  # account_id, period, person_id, medical_paid, pharmacy_paid, ...
    top_diagnoses: pd.DataFrame  # account_id, period, category, chapter, paid, ..., rank
    chapters: pd.DataFrame  # account_id, period, chapter, paid, allowed
    conditions: pd.DataFrame  # account_id, period, condition, members
    data_as_of: pd.DataFrame  # account_id, last_paid_date

    def for_account(self, account_id: int) -> MetricFrames:
        """The same frames with only one account's rows (book-wide frames left empty)."""
        parts = {}
        for f in fields(self):
            frame: pd.DataFrame = getattr(self, f.name)
            if "account_id" not in frame.columns:
                parts[f.name] = frame.iloc[0:0]
                continue
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
    today: dt.date | None = None,
) -> MetricFrames:
    """Every mart for `current` and `prior` (default: the period before), for the lake's
    scope. `as_of` ends open enrollment spans; `drugs` is the NDC reference as (ndc_code,
    generic, specialty). With `materialize` (the default) the marts read the derived tables
    of the current load (built on first use) unless the window reaches past their horizon
    (the end of `today`'s month); otherwise they are computed from the input layer."""
    prior = prior or current.prior()
    inputs = derived.Inputs.for_today(today or timezone.localdate(), drugs)
    if materialize and inputs.covers(current) and inputs.covers(prior):
        return _from_derived(
            lake,
            current,
            prior,
            inputs,
            as_of=as_of,
            high_cost_threshold=high_cost_threshold,
            top_diagnoses=top_diagnoses,
        )
    return _direct(
        lake,
        current,
        prior,
        as_of=as_of,
        drugs=drugs,
        high_cost_threshold=high_cost_threshold,
        top_diagnoses=top_diagnoses,
    )


def _from_derived(
    lake: Lake,
    current: Period,
    prior: Period,
    inputs: derived.Inputs,
    *,
    as_of: dt.date,
    high_cost_threshold: Decimal,
    top_diagnoses: int,
) -> MetricFrames:
    calendar = month_calendar(current, prior)
    first = min(prior.start, current.start)
    last = month_start(max(prior.last_month, current.last_month))

    def window(table: ir.Table) -> ir.Table:
        return derived.in_window(table, calendar, first, last, as_of)

    months = window(derived.member_month_spend(lake, inputs))
    member_keys = ["account_id", "period", "person_id"]
    per_member = months.group_by(member_keys).aggregate(
        member_months=months.count(),
        medical_paid=months.medical_paid.sum(),
        pharmacy_paid=months.pharmacy_paid.sum(),
        medical_allowed=months.medical_allowed.sum(),
        pharmacy_allowed=months.pharmacy_allowed.sum(),
    )
    spend = per_member.select(
        *member_keys,
        "member_months",
        medical_paid=per_member.medical_paid,
        pharmacy_paid=per_member.pharmacy_paid,
        paid=per_member.medical_paid + per_member.pharmacy_paid,
        allowed=per_member.medical_allowed + per_member.pharmacy_allowed,
    )
    medical = window(derived.medical_months(lake, inputs))
    medical_keys = ["account_id", "month_start", "period", "service_leaf"]
    medical_mart = with_service_categories(
        medical.group_by(medical_keys).aggregate(
            paid=medical.paid.sum(),
            allowed=medical.allowed.sum(),
            cost_share=medical.cost_share.sum(),
            lines=medical.lines.sum(),
            service_days=medical.service_days.sum(),
        )
    )
    rx = window(derived.pharmacy_months(lake, inputs))
    pharmacy_mart = rx.group_by(
        ["account_id", "month_start", "period", "drug_type", "specialty_type"]
    ).aggregate(
        fills=rx.fills.sum(),
        days_supply=rx.days_supply.sum(),
        fills_without_days=rx.fills_without_days.sum(),
        paid=rx.paid.sum(),
        allowed=rx.allowed.sum(),
        cost_share=rx.cost_share.sum(),
    )
    lines = window(derived.medical_lines(lake, inputs))
    stay_lines = lines.filter(
        (lines.claim_type == "institutional") & lines.service_leaf.isin(ACUTE_STAY_LEAVES)
    )
    stays = int_acute_inpatient_stays(int_acute_inpatient_claims(stay_lines))
    coded = window(derived.diagnosis_months(lake, inputs))
    # As mart_diagnosis_spend, from person-month sums: a member counts once per category.
    diagnosis_spend = coded.group_by(["account_id", "period", "category", "chapter"]).aggregate(
        paid=coded.paid.sum(), allowed=coded.allowed.sum(), members=coded.person_id.nunique()
    )
    conditions = window(derived.condition_months(lake, inputs))
    condition_members = conditions.select("account_id", "period", "condition", "person_id")
    run = lake.execute
    # Member spend and diagnosis spend feed several marts each: computed once per run on
    # DuckDB (Ibis cache, a temporary table) instead of once per mart (a large account has
    # hundreds of thousands of member months).
    one_account = lake.scope.account_ids is not None and len(lake.scope.account_ids) == 1
    cache = lake.engine == "duckdb"
    with (
        _materialized(spend, cache) as member_spend,
        _materialized(diagnosis_spend, cache) as diagnosis,
    ):
        return MetricFrames(
            member_months=run(
                months.group_by(["account_id", "month_start", "period"]).aggregate(
                    member_months=months.count()
                )
            ),
            # One row per member and period: counting rows counts distinct members.
            period_members=run(
                member_spend.group_by(["account_id", "period"]).aggregate(
                    members=member_spend.count()
                )
            ),
            medical=run(medical_mart),
            pharmacy=run(pharmacy_mart),
            stays=run(mart_acute_inpatient_stays(stays, calendar)),
            concentration=run(mart_spend_concentration(member_spend)),
            # One account's book is itself: its own concentration says it.
            book_concentration=(
                _no_book_concentration()
                if one_account
                else run(mart_book_spend_concentration(member_spend))
            ),
            high_cost=run(mart_high_cost_claimants(member_spend, float(high_cost_threshold))),
            top_diagnoses=run(mart_top_diagnosis_categories(diagnosis, top_diagnoses)),
            chapters=run(mart_diagnosis_chapters(diagnosis)),
            conditions=run(mart_condition_prevalence(condition_members.distinct())),
            data_as_of=run(derived.paid_through(lake)),
        )


def _no_book_concentration() -> pd.DataFrame:
    columns = ["period", "members", "allowed", "top1_members", "top1_allowed"]
    return pd.DataFrame(columns=[*columns, "top5_members", "top5_allowed"])


def _direct(
    lake: Lake,
    current: Period,
    prior: Period,
    *,
    as_of: dt.date,
    drugs: list[tuple[str, bool, bool]],
    high_cost_threshold: Decimal,
    top_diagnoses: int,
) -> MetricFrames:
    """The metric set computed from the input layer, every layer for this request: the
    enrollment spans and the enrolled lines and fills cached for the run on DuckDB (temporary
    tables; each mart over them compiles to a short query, not the whole stack of layers)."""
    # Ibis's PySpark cache() does not register the in-memory tables (calendar, references)
    # an expression uses, so on Spark the marts recompute instead of reading a cache.
    materialize = lake.engine == "duckdb"
    calendar = month_calendar(current, prior)
    with _materialized(
        window_spans(stg_enrollment_spans(lake.eligibility, as_of), prior.start, current.last_day),
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
                book_concentration=run(mart_book_spend_concentration(spend)),
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
