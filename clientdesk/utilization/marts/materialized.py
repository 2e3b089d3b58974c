"""The staged and intermediate layers, materialised once per data load (derived tables).

Final action, the service-category grouper and the member-month join cost seconds on every
claim line; none of them depends on the period a page asks for. They are built once per load
version of the lake (`Lake.derived`: Parquet under `LAKE_DIR/_derived/`, sorted by account so
one account is a small read) and every request then filters them to its window:

    util_member_months      member month (account, person, member id, data source, month)
                            with its coverage: "closed" (a span with an end date covers the
                            month) or "open" (only open-ended spans do)
    util_medical_lines      final-action medical line in an enrolled month: staged columns,
                            service_leaf, ed_flag, month_start, coverage
    util_pharmacy_fills     final-action fill in an enrolled month (no drug flags)
    util_member_month_spend member month with its medical and pharmacy paid and allowed
    util_medical_months     account x month x coverage x service leaf: spend, lines, service
                            days
    util_pharmacy_months    account x month x coverage x drug type x specialty (keyed by the
                            drug reference too)
    util_condition_months   account x person x month x coverage x chronic condition
    util_diagnosis_months   account x person x month x coverage x principal diagnosis
                            category (with its chapter): paid, allowed
    util_paid_through       account: latest paid date of any loaded medical line

**Open spans.** The direct computation runs open enrollment spans to the request's `as_of`
date. The derived tables run them to a horizon (the end of the current month: part of the
version key, so they are rebuilt when the month turns) and mark months covered only by open
spans; a request keeps such a month when `month_start <= as_of`, which is exactly the
direct rule for every month up to the horizon. A window that reaches past the horizon is
computed directly (`metrics.compute_metric_frames` decides).

A line or fill lies in an enrolled month when its member key has a member month for the
month of its service date (the semi-join of `int_enrolled_lines`); the coverage of that
member month decides whether a request keeps it. Every expression here is Ibis and runs on
DuckDB and Spark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientdesk.lake.gateway import DerivedTable, Lake
from clientdesk.lib.periods import Period, month_end, month_index, month_start
from clientdesk.utilization.marts.conditions import DIAGNOSIS_COLUMNS
from clientdesk.utilization.marts.enrollment import MEMBER_KEY
from clientdesk.utilization.marts.service_categories import int_service_category_lines
from clientdesk.utilization.marts.spend import mart_data_as_of
from clientdesk.utilization.marts.staging import (
    OPEN_END,
    ZERO,
    stg_medical_lines,
    stg_pharmacy_fills,
)
from clientdesk.utilization.reference import (
    condition_codes_table,
    drug_reference_table,
    icd_chapter,
)

CLOSED, OPEN = "closed", "open"
REVISION = 1  # bump when a build below changes what it writes

ELIGIBILITY = ("eligibility",)
MEDICAL = ("medical_claim", "claim_processing")
PHARMACY = ("pharmacy_claim",)

MEDICAL_LINE_COLUMNS = (
    "account_id",
    "person_id",
    "member_id",
    "data_source",
    "claim_id",
    "claim_line_number",
    "claim_type",
    "service_date",
    "claim_end_date",
    "admission_date",
    "discharge_date",
    "discharge_disposition_code",
    "facility_npi",
    "place_of_service_code",
    "bill_type_code",
    "revenue_center_code",
    "hcpcs_code",
    "drg_code",
    "diagnosis_code_1",
    "service_leaf",
    "ed_flag",
    "paid",
    "allowed",
    "cost_share",
)
LINE_ORDER = ("account_id", "month_start", "service_date", "claim_id", "claim_line_number")


@dataclass(frozen=True)
class Inputs:
    """What the derived tables depend on besides the lake's load: the horizon open spans run
    to, and the drug reference (ndc_code, generic, specialty)."""

    horizon: dt.date
    drugs: tuple[tuple[str, bool, bool], ...] = ()

    @classmethod
    def for_today(cls, today: dt.date, drugs: list[tuple[str, bool, bool]]) -> Inputs:
        return cls(month_end(month_index(today)), tuple(sorted(drugs)))

    def covers(self, window: Period) -> bool:
        """True when every month of `window` is within the horizon."""
        return window.last_day <= self.horizon

    @property
    def key(self) -> str:
        return f"horizon={self.horizon.isoformat()}"

    @property
    def drugs_key(self) -> str:
        digest = hashlib.sha256(repr(self.drugs).encode()).hexdigest()[:16]
        return f"{self.key};drugs={digest}"


# --- builds ---------------------------------------------------------------------------------


def _months(first: dt.date, last: dt.date) -> ir.Table:
    rows = [
        (month_start(i), month_end(i)) for i in range(month_index(first), month_index(last) + 1)
    ]
    frame = pd.DataFrame(rows, columns=["month_start", "month_end"])
    return ibis.memtable(frame, schema=ibis.schema({"month_start": "date", "month_end": "date"}))


def int_member_months_coverage(lake: Lake, horizon: dt.date) -> ir.Table:
    """Grain: one row per member month up to `horizon`, unique on (account_id, person_id,
    member_id, data_source, month_start). Columns: those and coverage (CLOSED when a span with
    an end date covers the month, else OPEN: only spans without one, run to `horizon`)."""
    e = lake.eligibility
    end = e.enrollment_end_date
    is_open = end.isnull() | (end >= ibis.literal(OPEN_END))
    spans = e.select(
        *MEMBER_KEY,
        start=e.enrollment_start_date,
        end=ibis.cases((is_open, ibis.literal(horizon)), else_=end),
        is_open=is_open,
    )
    spans = spans.filter(spans.start <= ibis.literal(horizon))
    first = lake.execute(spans.start.min())
    if first is None or pd.isna(first):
        first = horizon
    calendar = _months(pd.Timestamp(first).date(), horizon)
    joined = spans.join(
        calendar, [spans.start <= calendar.month_end, spans.end >= calendar.month_start]
    )
    months = joined.group_by([*MEMBER_KEY, "month_start"]).aggregate(closed=(~joined.is_open).any())
    return months.select(
        *MEMBER_KEY,
        "month_start",
        coverage=ibis.cases((months.closed, CLOSED), else_=OPEN),
    )


def _enrolled(lines: ir.Table, member_months: ir.Table) -> ir.Table:
    """Lines dated in a member month of their member, with the month's coverage."""
    dated = lines.filter(lines.service_date.notnull())
    dated = dated.mutate(month_start=dated.service_date.truncate("M").cast("date"))
    return dated.join(member_months, [*MEMBER_KEY, "month_start"])


def member_months_table(inputs: Inputs) -> DerivedTable:
    return DerivedTable(
        "util_member_months",
        ELIGIBILITY,
        lambda lake: int_member_months_coverage(lake, inputs.horizon),
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def medical_lines_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        staged = stg_medical_lines(lake.medical_claim, lake.claim_processing)
        categorized = int_service_category_lines(staged).select(*MEDICAL_LINE_COLUMNS)
        enrolled = _enrolled(categorized, member_months(lake, inputs))
        return enrolled.select(*MEDICAL_LINE_COLUMNS, "month_start", "coverage")

    return DerivedTable(
        "util_medical_lines",
        (*MEDICAL, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=LINE_ORDER,
    )


def pharmacy_fills_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        fills = stg_pharmacy_fills(lake.pharmacy_claim, drug_reference_table([]))
        fills = fills.drop("generic", "specialty")
        return _enrolled(fills, member_months(lake, inputs))

    return DerivedTable(
        "util_pharmacy_fills",
        (*PHARMACY, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=LINE_ORDER,
    )


def member_month_spend_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        keys = [*MEMBER_KEY, "month_start"]
        lines = medical_lines(lake, inputs)
        fills = pharmacy_fills(lake, inputs)
        med = lines.group_by(keys).aggregate(
            medical_paid=lines.paid.sum(), medical_allowed=lines.allowed.sum()
        )
        rx = fills.group_by(keys).aggregate(
            pharmacy_paid=fills.paid.sum(), pharmacy_allowed=fills.allowed.sum()
        )
        months = member_months(lake, inputs)
        joined = months.left_join(med, keys).left_join(rx, keys)
        return joined.select(
            *keys,
            "coverage",
            medical_paid=joined.medical_paid.fill_null(ZERO),
            medical_allowed=joined.medical_allowed.fill_null(ZERO),
            pharmacy_paid=joined.pharmacy_paid.fill_null(ZERO),
            pharmacy_allowed=joined.pharmacy_allowed.fill_null(ZERO),
        )

    return DerivedTable(
        "util_member_month_spend",
        (*MEDICAL, *PHARMACY, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def medical_months_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        lines = medical_lines(lake, inputs)
        keys = ["account_id", "month_start", "coverage", "service_leaf"]
        # A member's service date lies in one month and so in one coverage: service days
        # of the parts add up to those of any union of months.
        days = lines.group_by([*keys, "person_id", "service_date"]).aggregate(
            paid=lines.paid.sum(),
            allowed=lines.allowed.sum(),
            cost_share=lines.cost_share.sum(),
            lines=lines.count(),
        )
        return days.group_by(keys).aggregate(
            paid=days.paid.sum(),
            allowed=days.allowed.sum(),
            cost_share=days.cost_share.sum(),
            lines=days.lines.sum(),
            service_days=days.count(),
        )

    return DerivedTable(
        "util_medical_months",
        (*MEDICAL, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def pharmacy_months_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        fills = with_drug_flags(pharmacy_fills(lake, inputs), inputs)
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
            ["account_id", "month_start", "coverage", "drug_type", "specialty_type"]
        ).aggregate(
            fills=typed.count(),
            days_supply=typed.days_supply.sum().fill_null(0),
            fills_without_days=typed.days_supply.isnull().cast("int64").sum(),
            paid=typed.paid.sum(),
            allowed=typed.allowed.sum(),
            cost_share=typed.cost_share.sum(),
        )

    return DerivedTable(
        "util_pharmacy_months",
        (*PHARMACY, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def condition_months_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        claims = lake.medical_claim
        codes = claims.select(
            "claim_id",
            "data_source",
            claim_line_number=claims.claim_line_number.cast("int64"),
            code=ibis.array([claims[c] for c in DIAGNOSIS_COLUMNS]).unnest(),
        )
        codes = codes.filter(codes.code.notnull())
        flagged = codes.mutate(dx_category=codes.code.substr(0, 3)).join(
            condition_codes_table(), "dx_category"
        )
        flagged = flagged.select("claim_id", "claim_line_number", "data_source", "condition")
        lines = medical_lines(lake, inputs).select(
            "claim_id",
            "claim_line_number",
            "data_source",
            "account_id",
            "person_id",
            "month_start",
            "coverage",
        )
        joined = flagged.join(lines, ["claim_id", "claim_line_number", "data_source"])
        return joined.select(
            "account_id", "person_id", "month_start", "coverage", "condition"
        ).distinct()

    return DerivedTable(
        "util_condition_months",
        (*MEDICAL, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def diagnosis_months_table(inputs: Inputs) -> DerivedTable:
    def build(lake: Lake) -> ir.Table:
        lines = medical_lines(lake, inputs)
        coded = lines.mutate(category=lines.diagnosis_code_1.substr(0, 3).fill_null(""))
        spend = coded.group_by(
            ["account_id", "person_id", "month_start", "coverage", "category"]
        ).aggregate(paid=coded.paid.sum(), allowed=coded.allowed.sum())
        return spend.mutate(chapter=icd_chapter(spend.category))

    return DerivedTable(
        "util_diagnosis_months",
        (*MEDICAL, *ELIGIBILITY),
        build,
        revision=REVISION,
        sort_by=("account_id", "month_start"),
    )


def paid_through_table() -> DerivedTable:
    return DerivedTable(
        "util_paid_through",
        ("medical_claim",),
        lambda lake: mart_data_as_of(lake.medical_claim),
        revision=REVISION,
    )


# --- reads ------------------------------------------------------------------------------------


def member_months(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(member_months_table(inputs), key=inputs.key)


def medical_lines(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(medical_lines_table(inputs), key=inputs.key)


def pharmacy_fills(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(pharmacy_fills_table(inputs), key=inputs.key)


def member_month_spend(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(member_month_spend_table(inputs), key=inputs.key)


def medical_months(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(medical_months_table(inputs), key=inputs.key)


def pharmacy_months(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(pharmacy_months_table(inputs), key=inputs.drugs_key)


def condition_months(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(condition_months_table(inputs), key=inputs.key)


def diagnosis_months(lake: Lake, inputs: Inputs) -> ir.Table:
    return lake.derived(diagnosis_months_table(inputs), key=inputs.key)


def paid_through(lake: Lake) -> ir.Table:
    return lake.derived(paid_through_table())


def with_drug_flags(fills: ir.Table, inputs: Inputs) -> ir.Table:
    """Fills with the drug reference's generic and specialty flags (null: NDC unknown)."""
    drugs = drug_reference_table(list(inputs.drugs))
    joined = fills.left_join(drugs, fills.ndc_code == drugs.ndc_code)
    return joined.select(
        *[joined[c] for c in fills.columns],
        generic=joined.generic_flag,
        specialty=joined.specialty_flag,
    )


def prepare(lake: Lake, inputs: Inputs) -> list[str]:
    """Build every derived table the metric set reads (after a load, to warm the lake).
    Returns the names of the tables this call built."""
    built = []
    for spec, key in (
        (member_months_table(inputs), inputs.key),
        (medical_lines_table(inputs), inputs.key),
        (pharmacy_fills_table(inputs), inputs.key),
        (member_month_spend_table(inputs), inputs.key),
        (medical_months_table(inputs), inputs.key),
        (pharmacy_months_table(inputs), inputs.drugs_key),
        (condition_months_table(inputs), inputs.key),
        (diagnosis_months_table(inputs), inputs.key),
        (paid_through_table(), ""),
    ):
        if lake.materialize(spec, key=key).built:
            built.append(spec.name)
    return built


def prepare_for_today(lake: Lake) -> list[str]:
    """`prepare` with today's horizon and the drug reference as loaded (the inputs the pages
    will ask for): what `clientdesk ingest --prepare` runs after a load."""
    from django.utils import timezone

    from clientdesk.utilization.models import DrugProduct

    drugs = list(DrugProduct.objects.values_list("ndc_code", "generic", "specialty"))
    return prepare(lake, Inputs.for_today(timezone.localdate(), drugs))


# --- a request's window ---------------------------------------------------------------------


def in_window(
    table: ir.Table, calendar: ir.Table, first: dt.date, last: dt.date, as_of: dt.date
) -> ir.Table:
    """Rows of a derived table in a month of `calendar` (which spans `first`..`last`) that
    the request counts as enrolled (closed coverage, or open coverage of a month starting on
    or before `as_of`), labelled with the calendar's period."""
    months = calendar.select("month_start", "period")
    kept = table.filter(
        (table.month_start >= ibis.literal(first))
        & (table.month_start <= ibis.literal(last))
        & ((table.coverage == CLOSED) | (table.month_start <= ibis.literal(as_of)))
    )
    return kept.join(months, "month_start")
