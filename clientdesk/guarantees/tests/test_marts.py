"""The mart's grains are unique, totals survive every step, and DuckDB and Spark agree."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pytest

from clientdesk.guarantees.components import ComponentSpec
from clientdesk.guarantees.evaluation import (
    Planned,
    account_zones,
    feed_daily,
    guarantees_of,
    lake_components,
    plan_results,
    sum_periods,
)
from clientdesk.guarantees.metrics import Feed
from clientdesk.guarantees.tests.lakerows import CALLS, CLAIMS, SESSIONS, load_lake
from clientdesk.guarantees.tests.test_metrics import TODAY, make
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.marts import operations as marts
from clientdesk.lib.local_time import zone_table
from clientdesk.lib.periods import Span
from clientdesk.testing import Cast

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
FIRST_Q = Span("2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31))
SPEC = ComponentSpec(frozenset({5}), frozenset({30}), frozenset({10}), frozenset({5}))


def test_grains_are_unique_and_totals_reconcile(cast: Cast, tmp_path: Path) -> None:
    load_lake(tmp_path)
    zones = {cast.acme.pk: cast.acme.timezone, cast.bayside.pk: cast.bayside.timezone}
    with open_lake(SystemActor("tests")) as lake:
        rows = ibis.memtable(zone_table(zones, FIRST, LAST))
        calls = marts.calls_daily(lake.call_record, rows, SPEC, 20089, 20453)
        for feed, rows in ((Feed.CALLS, CALLS), (Feed.IVR, SESSIONS), (Feed.CLAIMS, CLAIMS)):
            daily = lake.execute(
                feed_daily(lake, feed, SPEC, FIRST, LAST, zones, book=True, today=TODAY)
            )
            assert not daily.duplicated(["account_id", "day", "dim"]).any(), feed
            accounts = daily[daily["account_id"] != marts.BOOK]
            book = daily[daily["account_id"] == marts.BOOK]
            column = {Feed.CALLS: "offered", Feed.IVR: "sessions", Feed.CLAIMS: "originals"}[feed]
            expected = {
                Feed.CALLS: len(rows),
                Feed.IVR: len(rows),
                Feed.CLAIMS: 5,  # C1-C5 finalized originals (C3R is a reversal, C6 pending)
            }[feed]
            assert accounts[column].sum() == book[column].sum() == expected, feed
        daily = lake.execute(calls.mutate(account_id=calls.account_id.cast("int64")))
    # Q1 2025 (days 20,089-20,178): K1-K6 on the member line, K8 on the sponsor line.
    asa = make(cast, "average_speed_of_answer", "30", "<=")
    quarter = [
        Planned(key, asa, "period", "2025Q1", FIRST_Q, FIRST_Q, FIRST_Q, True, cast.acme.pk, dim)
        for key, dim in ((1, "member"), (2, "*"), (3, "no such line"))
    ]
    sums = sum_periods(daily, quarter, ["offered"])
    assert {key: row["offered"] for key, row in sums.items()} == {1: 6, 2: 7}
    # K1, K2 Jan 15, K3 and K4 Feb 10, K5 Mar 5, K6 Mar 31 (local): four days on the member
    # line; K8 on Jan 20 makes five across lines.
    assert (sums[1]["days_with_data"], sums[2]["days_with_data"]) == (4, 5)
    assert sums[2]["first_data_day"] == 20103 and sums[2]["last_data_day"] == 20178


def _components(cast: Cast, engine: str) -> dict[int, dict[str, Any]]:
    guarantees = guarantees_of([cast.acme])
    planned = [p for p in plan_results(guarantees, today=TODAY) if p.guarantee.definition.from_lake]
    with open_lake(SystemActor("tests"), engine=engine) as lake:
        return lake_components(planned, lake, today=TODAY)


@pytest.mark.spark
def test_duckdb_and_spark_give_the_same_components(cast: Cast, tmp_path: Path) -> None:
    load_lake(tmp_path)
    for metric, extra in (
        ("average_speed_of_answer", {"level": "book_of_business"}),
        ("service_level", {"threshold": 30}),
        ("abandonment_rate", {}),
        ("first_contact_resolution", {"period": "monthly"}),
        ("claims_turnaround", {}),
        ("financial_accuracy", {}),
        ("auto_adjudication_rate", {}),
        ("ivr_containment", {}),
        ("eligibility_load_timeliness", {}),
        ("member_satisfaction", {"period": "annual"}),
        ("sponsor_satisfaction", {"period": "annual"}),
    ):
        make(cast, metric, "50", **extra)
    duck, spark = _components(cast, "duckdb"), _components(cast, "spark")
    assert duck.keys() == spark.keys() and len(duck) > 20
    for key, values in duck.items():
        assert values == pytest.approx(spark[key], rel=1e-12), key
    assert account_zones([marts.BOOK]) == {
        cast.acme.pk: "America/New_York",
        cast.bayside.pk: "America/Los_Angeles",
    }
