"""``ground_truth.json`` shape and consistency with the book and the feeds."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any, cast

import duckdb
import pyarrow.parquet as pq

from clientdesk.synth.generator import BookSummary
from clientdesk.synth.incident_model import KINDS
from clientdesk.synth.service_levels import METRICS

FEEDS = {"claim_processing", "inquiry_import", "call_record", "ivr_session"}


def load(book: Path, name: str) -> dict[str, object]:
    doc = json.loads((book / name).read_text())
    assert isinstance(doc, dict)
    return doc


def test_shape(calibration_book: tuple[Path, BookSummary]) -> None:
    book, summary = calibration_book
    truth = load(book, "ground_truth.json")
    assert set(truth) >= {
        "generator",
        "window",
        "incidents",
        "guarantee_misses",
        "accounts_without_incidents",
        "metric_definitions",
    }
    incidents = truth["incidents"]
    assert isinstance(incidents, list)
    assert len(incidents) == summary.incidents >= 10
    for inc in incidents:
        assert set(inc) >= {
            "id",
            "account",
            "kind",
            "start",
            "end",
            "series",
            "multiplier",
            "baseline_per_day",
        }
        assert inc["kind"] in KINDS
        start, end = date.fromisoformat(inc["start"]), date.fromisoformat(inc["end"])
        assert 5 <= (end - start).days + 1 <= 45, inc["id"]
        series = inc["series"]
        assert series["feed"] in FEEDS
        assert isinstance(series["dimension"], dict) and series["dimension"]
        assert inc["observed_total_during"] > 0, inc["id"]
    kinds = {i["kind"] for i in incidents}
    assert len(kinds) >= 6
    assert truth["accounts_without_incidents"]


def test_dimensions_name_real_columns(calibration_book: tuple[Path, BookSummary]) -> None:
    book, _ = calibration_book
    truth = load(book, "ground_truth.json")
    for inc in truth["incidents"]:  # type: ignore[attr-defined]
        for spec in [inc["series"], *inc.get("secondary_series", [])]:
            schema = pq.read_schema(next((book / spec["feed"]).glob("*.parquet")))
            assert set(spec["dimension"]) <= set(schema.names), spec
            assert spec["date_column"] in schema.names


def test_incidents_raise_their_series(calibration_book: tuple[Path, BookSummary]) -> None:
    book, _ = calibration_book
    truth = load(book, "ground_truth.json")
    for inc in truth["incidents"]:  # type: ignore[attr-defined]
        base = inc["observed_baseline_per_day"]
        during = inc["observed_during_per_day"]
        assert during > base, inc["id"]
        if inc["multiplier_basis"] == "designed":
            assert inc["multiplier"] > 1.0
            assert inc["baseline_per_day"] > 0


def test_misses_point_at_incidents_and_guarantees(
    calibration_book: tuple[Path, BookSummary],
) -> None:
    book, summary = calibration_book
    truth = load(book, "ground_truth.json")
    sponsors = {s["group_number"]: s for s in load(book, "book.json")["sponsors"]}  # type: ignore[attr-defined]
    incidents = {i["id"]: i for i in truth["incidents"]}  # type: ignore[attr-defined]
    misses = truth["guarantee_misses"]
    assert isinstance(misses, list)
    assert len(misses) == summary.guarantee_misses >= 3
    for miss in misses:
        assert miss["metric"] in METRICS
        assert miss["incident"] in incidents
        assert incidents[miss["incident"]]["account"] == miss["account"]
        period = miss["period"]
        assert len(period) in (4, 6) and period[:4].isdigit()
        metrics = {
            g["metric"] for c in sponsors[miss["account"]]["contracts"] for g in c["guarantees"]
        }
        assert miss["metric"] in metrics
    quiet = set(cast(list[str], truth["accounts_without_incidents"]))
    assert not quiet & {i["account"] for i in incidents.values()}


def test_member_call_surges_double_a_dense_series(
    calibration_book: tuple[Path, BookSummary], calibration_db: duckdb.DuckDBPyConnection
) -> None:
    """The >= 5 / day doubling class exists, and the call rows show each step."""
    book, _ = calibration_book
    incidents = cast(list[dict[str, Any]], load(book, "ground_truth.json")["incidents"])
    surges = [i for i in incidents if i["kind"] == "member_call_surge"]
    assert len(surges) >= 6
    for inc in surges:
        assert inc["series"] == {
            "feed": "call_record",
            "dimension": {"queue": "member_services"},
            "date_column": "offered_at",
        }
        assert inc["observed_baseline_per_day"] >= 5.0, inc["id"]
        assert inc["observed_multiplier"] >= 2.0, inc["id"]
        assert 10 <= inc["days"] <= 21
        # recount from the rows: calls a day in the 28 days before vs during, UTC days
        start, end = date.fromisoformat(inc["start"]), date.fromisoformat(inc["end"])
        row = calibration_db.execute(
            """
            select
              count(*) filter (where d >= ? - 28 and d < ?) / 28.0,
              count(*) filter (where d between ? and ?) / ?,
              count(*) filter (where d between ? and ?)
            from (select cast(offered_at as date) as d from call_record
                  where group_id = ? and queue = 'member_services')
            """,
            [start, start, start, end, inc["days"], start, end, inc["account"]],
        ).fetchone()
        assert row is not None
        before, during, total = row
        assert total == inc["observed_total_during"], inc["id"]
        assert during >= 1.8 * before, (inc["id"], before, during)
    for account in {i["account"] for i in surges}:
        spans = sorted((i["start"], i["end"]) for i in incidents if i["account"] == account)
        assert all(b[0] > a[1] for a, b in itertools.pairwise(spans)), account
