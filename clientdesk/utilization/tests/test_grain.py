"""Every mart's stated grain is unique on the fixture book, and the parity of the metric set
on DuckDB and Spark (counts exactly, money to the cent)."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from clientdesk.lake import storage
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import drug_rows
from clientdesk.utilization.marts import materialized as derived
from clientdesk.utilization.marts.calendar import month_calendar
from clientdesk.utilization.marts.claimants import int_member_spend, mart_spend_concentration
from clientdesk.utilization.marts.conditions import (
    int_condition_members,
    mart_diagnosis_chapters,
    mart_diagnosis_spend,
)
from clientdesk.utilization.marts.encounters import (
    int_acute_inpatient_claims,
    int_acute_inpatient_stays,
)
from clientdesk.utilization.marts.enrollment import (
    MEMBER_KEY,
    int_enrolled_lines,
    int_member_months,
    window_spans,
)
from clientdesk.utilization.marts.service_categories import (
    int_institutional_claims,
    int_line_code_leaves,
    int_service_category_lines,
)
from clientdesk.utilization.marts.spend import mart_medical_service_months, mart_pharmacy_months
from clientdesk.utilization.marts.staging import (
    stg_enrollment_spans,
    stg_medical_lines,
    stg_pharmacy_fills,
)
from clientdesk.utilization.metrics import MetricFrames, compute_metric_frames
from clientdesk.utilization.reference import condition_codes_table, drug_reference_table
from clientdesk.utilization.tests.fixture import AS_OF, CURRENT, PRIOR

pytestmark = pytest.mark.django_db

LINE = ["claim_id", "claim_line_number", "data_source"]


def test_each_grain_is_unique(book: Cast) -> None:
    # Each layer is kept as a temporary table (Ibis cache) once built, as the direct path
    # does: a layer's grain is the same read from it, and each expression above it compiles
    # to a short query instead of the whole stack again (7 s of Ibis compiling otherwise).
    with open_lake(SystemActor("tests")) as lake, contextlib.ExitStack() as kept:
        calendar = month_calendar(CURRENT, PRIOR)
        spans = kept.enter_context(
            window_spans(
                stg_enrollment_spans(lake.eligibility, AS_OF), PRIOR.start, CURRENT.last_day
            ).cache()
        )
        staged = kept.enter_context(
            stg_medical_lines(lake.medical_claim, lake.claim_processing).cache()
        )
        categorized = kept.enter_context(int_service_category_lines(staged).cache())
        lines = kept.enter_context(int_enrolled_lines(categorized, spans, calendar).cache())
        fills = kept.enter_context(
            int_enrolled_lines(
                stg_pharmacy_fills(lake.pharmacy_claim, drug_reference_table(drug_rows())),
                spans,
                calendar,
            ).cache()
        )
        member_months = int_member_months(spans, calendar)
        diagnosis = mart_diagnosis_spend(lines)
        grains: dict[str, tuple[Any, list[str]]] = {
            "stg_medical_lines": (staged, LINE),
            "int_institutional_claims": (
                int_institutional_claims(staged),
                ["claim_id", "data_source"],
            ),
            "int_line_code_leaves": (
                int_line_code_leaves(staged),
                ["code_claim_type", "code_pos", "code_hcpcs", "code_revenue"],
            ),
            "int_service_category_lines": (categorized, LINE),
            "int_enrolled_lines": (lines, LINE),
            "enrolled fills": (fills, LINE),
            "int_member_months": (
                member_months,
                ["account_id", "person_id", "member_id", "data_source", "month_start"],
            ),
            "mart_medical_service_months": (
                mart_medical_service_months(lines),
                ["account_id", "month_start", "service_leaf"],
            ),
            "mart_pharmacy_months": (
                mart_pharmacy_months(fills),
                ["account_id", "month_start", "drug_type", "specialty_type"],
            ),
            "int_acute_inpatient_claims": (
                int_acute_inpatient_claims(lines),
                ["claim_id", "data_source"],
            ),
            "int_acute_inpatient_stays": (
                int_acute_inpatient_stays(int_acute_inpatient_claims(lines)),
                ["account_id", "person_id", "facility", "stay_number"],
            ),
            "int_member_spend": (
                int_member_spend(lines, fills, member_months),
                ["account_id", "period", "person_id"],
            ),
            "mart_spend_concentration": (
                mart_spend_concentration(int_member_spend(lines, fills, member_months)),
                ["account_id", "period"],
            ),
            "mart_diagnosis_spend": (diagnosis, ["account_id", "period", "category"]),
            "mart_diagnosis_chapters": (
                mart_diagnosis_chapters(diagnosis),
                ["account_id", "period", "chapter"],
            ),
            "int_condition_members": (
                int_condition_members(lake.medical_claim, lines, condition_codes_table()),
                ["account_id", "period", "condition", "person_id"],
            ),
        }
        frames = {}
        for name, (expr, keys) in grains.items():
            frame = frames[name] = lake.execute(expr)
            assert len(frame) > 0, name
            assert not frame.duplicated(keys).any(), f"{name} is not unique on {keys}"
    # The merge rule made one stay of the two facility claims.
    stays = frames["int_acute_inpatient_stays"]
    assert stays[["claims", "days"]].values.tolist() == [[2, 6]]


def _normalized(frames: MetricFrames) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for name, frame in vars(frames).items():
        records = []
        for row in frame.to_dict("records"):
            clean: dict[str, Any] = {}
            for key, value in row.items():
                if value is None or (isinstance(value, float) and pd.isna(value)):
                    clean[key] = None
                elif key in {
                    "paid",
                    "allowed",
                    "cost_share",
                    "medical_paid",
                    "pharmacy_paid",
                    "top1_allowed",
                    "top5_allowed",
                }:
                    clean[key] = Decimal(str(value)).quantize(Decimal("0.01"))
                elif key in {"month_start", "last_paid_date"}:
                    clean[key] = pd.Timestamp(value).date()
                elif isinstance(value, bool) or (
                    hasattr(value, "item") and isinstance(value.item(), bool)
                ):
                    clean[key] = bool(value)
                elif isinstance(value, int | float) or hasattr(value, "item"):
                    clean[key] = int(value)
                else:
                    clean[key] = str(value)
            records.append(clean)
        out[name] = sorted(records, key=lambda r: tuple(str(r[k]) for k in sorted(r)))
    return out


@pytest.mark.spark
def test_duckdb_and_spark_agree(book: Cast) -> None:
    answers = {}
    for engine in ("duckdb", "spark"):
        with open_lake(SystemActor("tests"), engine=engine) as lake:
            answers[engine] = _normalized(
                compute_metric_frames(
                    lake,
                    CURRENT,
                    prior=PRIOR,
                    as_of=AS_OF,
                    drugs=drug_rows(),
                    high_cost_threshold=Decimal(10_000),
                )
            )
    duck, spark = answers["duckdb"], answers["spark"]
    for name in duck:
        assert duck[name] == spark[name], name
    assert sum(r["member_months"] for r in duck["member_months"]) == 8 + 5 + 3 + 3
    assert len(duck["high_cost"]) == 1


@pytest.mark.parametrize(
    "as_of",
    [AS_OF, dt.date(2025, 5, 15), dt.date(2025, 3, 31)],
    ids=["after the window", "inside the current period", "before the current period"],
)
def test_the_derived_tables_give_the_direct_answers(book: Cast, as_of: dt.date) -> None:
    """The materialised layers and the direct computation agree on every frame, including
    an open enrollment span (P3) cut by an as-of date inside the window."""
    answers = {}
    for materialize in (True, False):
        with open_lake(SystemActor("tests")) as lake:
            answers[materialize] = _normalized(
                compute_metric_frames(
                    lake,
                    CURRENT,
                    prior=PRIOR,
                    as_of=as_of,
                    drugs=drug_rows(),
                    high_cost_threshold=Decimal(10_000),
                    materialize=materialize,
                    today=dt.date(2026, 11, 27),
                )
            )
    assert answers[True].keys() == answers[False].keys()
    for name in answers[True]:
        assert answers[True][name] == answers[False][name], name
    # The cut is real: P3's open span counts in Apr and May only when as-of is 2025-05-15.
    expected = {AS_OF: 8, dt.date(2025, 5, 15): 7, dt.date(2025, 3, 31): 5}[as_of]
    current = [r for r in answers[True]["member_months"] if r["period"] == "current"]
    bayside = 3
    assert sum(r["member_months"] for r in current) - bayside == expected


def test_a_window_past_the_horizon_is_computed_directly(book: Cast) -> None:
    shutil.rmtree(storage.derived_dir(), ignore_errors=True)  # the book's copy may hold some
    with open_lake(SystemActor("tests")) as lake:
        frames = compute_metric_frames(
            lake, CURRENT, prior=PRIOR, as_of=AS_OF, drugs=drug_rows(), today=dt.date(2025, 5, 1)
        )
    assert sorted(p.name for p in storage.derived_dir().glob("*")) == []
    assert int(frames.member_months["member_months"].sum()) == 8 + 5 + 3 + 3


def test_each_derived_tables_grain_is_unique(book: Cast) -> None:
    inputs = derived.Inputs.for_today(dt.date(2026, 11, 27), drug_rows())
    month = ["month_start"]
    grains = {
        "util_member_months": (derived.member_months, [*MEMBER_KEY, *month]),
        "util_medical_lines": (derived.medical_lines, LINE),
        "util_pharmacy_fills": (derived.pharmacy_fills, LINE),
        "util_member_month_spend": (derived.member_month_spend, [*MEMBER_KEY, *month]),
        "util_medical_months": (
            derived.medical_months,
            ["account_id", *month, "coverage", "service_leaf"],
        ),
        "util_pharmacy_months": (
            derived.pharmacy_months,
            ["account_id", *month, "coverage", "drug_type", "specialty_type"],
        ),
        "util_condition_months": (
            derived.condition_months,
            ["account_id", "person_id", *month, "condition"],
        ),
        "util_diagnosis_months": (
            derived.diagnosis_months,
            ["account_id", "person_id", *month, "category"],
        ),
    }
    with open_lake(SystemActor("tests")) as lake:
        for name, (read, keys) in grains.items():
            frame = lake.execute(read(lake, inputs))
            assert len(frame) > 0, name
            assert not frame.duplicated(keys).any(), f"{name} is not unique on {keys}"
        paid_through = lake.execute(derived.paid_through(lake))
        coverage = lake.execute(derived.member_months(lake, inputs))
    assert not paid_through.duplicated(["account_id"]).any()
    # Member months run to the horizon (Nov 2026): P3's open span from Apr 2025 is 20 months,
    # all "open"; P1's closed span Jan-Jun 2025 is 6 "closed" ones.
    p3 = coverage[coverage["person_id"] == "P3"]
    assert (len(p3), set(p3["coverage"])) == (20, {derived.OPEN})
    p1 = coverage[coverage["person_id"] == "P1"]
    assert (len(p1), set(p1["coverage"])) == (6, {derived.CLOSED})
