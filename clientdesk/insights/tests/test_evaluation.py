"""Detection scored on a small generated book with known truth, the CLI, and mart grains."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from clientdesk.accounts.models import Account, ActivityEvent
from clientdesk.demo.loading import load_sponsors
from clientdesk.insights.detection import Thresholds
from clientdesk.insights.evaluation import evaluate, incidents_from_truth
from clientdesk.insights.families import FAMILY_NAMES
from clientdesk.insights.models import EmergingIssue
from clientdesk.insights.pipeline import load_panel, run_detection
from clientdesk.insights.series import (
    build_panel,
    issues_daily_calls,
    issues_daily_denials,
)
from clientdesk.lake.gateway import SystemActor, open_lake
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.local_time import zone_rows
from clientdesk.synth.params import SynthParams
from clientdesk.synth.testing import BookShelf

AS_OF = dt.date(2025, 10, 31)
FIRST = dt.date(2025, 1, 1)
DETECTOR_FEEDS = ("eligibility", "claim_processing", "call_record", "ivr_session", "inquiry_import")


@pytest.fixture
def small_book(db: None, generated_books: BookShelf) -> dict[str, object]:
    params = SynthParams(
        accounts=6, members=4000, months=10, start=dt.date(2025, 1, 1), seed=3, workers=1
    )
    out = generated_books(params).path  # generated once for both tests
    # Only the feeds the detector reads (claims lines, pharmacy and surveys are the bulk of a
    # book and take most of the loading time).
    load_sponsors(json.loads((out / "book.json").read_text()), acting_user=None)
    for table in DETECTOR_FEEDS:
        ingest_files(table, sorted((out / table).glob("*.parquet")), acting_user=None)
    truth: dict[str, object] = json.loads((out / "ground_truth.json").read_text())
    return truth


@pytest.mark.django_db(transaction=False)
def test_detection_finds_the_books_incidents_and_the_cli_stores_them(
    small_book: dict[str, object],
) -> None:
    ids = dict(Account.objects.values_list("group_number", "id"))
    incidents = incidents_from_truth(small_book, ids)
    assert [(i.id, i.kind) for i in incidents] == [
        ("INC-001", "eligibility_load_error"),
        ("INC-002", "ivr_outage"),
        ("INC-003", "claims_backlog"),
    ]
    with open_lake(SystemActor("tests"), max_rows=2_000_000) as lake:
        series = load_panel(lake, AS_OF)
        # grains: one row per key
        zones = zone_rows(dict(Account.objects.values_list("id", "timezone")), FIRST, AS_OF)
        calls = lake.execute(issues_daily_calls(lake.call_record, zones, FIRST, AS_OF))
        assert not calls.duplicated(["account_id", "queue", "day"]).any()
        denials = lake.execute(
            issues_daily_denials(lake.claim_processing, dt.date(2025, 1, 1), AS_OF)
        )
        assert not denials.duplicated(["account_id", "carc", "day"]).any()
    fixed = Thresholds.fixed(len(FAMILY_NAMES), spike=3.5, ewma=3.0, cusum=6.0)
    result = run_detection(series, since=dt.date(2025, 2, 15), until=AS_OF, thresholds=fixed)
    report = evaluate(result, incidents)
    rows = {r["id"]: r for r in report["per_incident"]}
    assert report["incidents"] == 3
    assert report["pod14"] == 0.667  # INC-001 found on day 17: 9 inquiries over 0 expected
    assert report["median_delay_days"] == 1.0
    assert report["top_contributor_accuracy"] == 1.0
    assert report["false_alarms_per_1000_series_days"] <= 1.0
    assert {k: (r["detected"], r["delay_days"]) for k, r in rows.items()} == {
        "INC-001": (True, 17),
        "INC-002": (True, 1),
        "INC-003": (True, 0),
    }

    # The CLI stores the issues and puts new ones on the account timeline (re-running it is
    # idempotent: test_problems.py checks do_record_detection on repeated records).
    first = StringIO()
    call_command(
        "issues",
        "detect",
        "--as-of",
        AS_OF.isoformat(),
        "--since",
        "2025-02-15",
        "--format",
        "json",
        stdout=first,
    )
    summary = json.loads(first.getvalue())
    assert summary["created"] == EmergingIssue.objects.count() > 0
    stored = EmergingIssue.objects.filter(account__isnull=False).count()
    assert ActivityEvent.objects.filter(kind="issue").count() == stored


@pytest.mark.spark
@pytest.mark.django_db(transaction=False)
def test_the_panel_is_the_same_on_duckdb_and_spark(small_book: dict[str, object]) -> None:
    zones = dict(Account.objects.values_list("id", "timezone"))
    panels = {}
    for engine in ("duckdb", "spark"):
        with open_lake(SystemActor("tests"), engine=engine, max_rows=2_000_000) as lake:
            panels[engine] = build_panel(lake, FIRST, AS_OF, zones)
    duck, spark = panels["duckdb"], panels["spark"]
    assert duck.keys == spark.keys
    assert np.array_equal(duck.panel.counts, spark.panel.counts)
    assert np.array_equal(duck.panel.exposure, spark.panel.exposure)
    assert duck.themes == spark.themes
    # not trivial: every feed, local days included
    assert {k.family for k in duck.keys} >= {"inquiries", "calls", "ivr_opt_outs", "denials"}
    assert duck.panel.counts.sum() > 10_000


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inject", "-3"], "not a count"),
        (["--inject", "many"], "not a count"),
        (["--budget", "0"], "not an alarm budget"),
    ],
)
def test_bad_evaluate_options_are_refused(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("issues", "evaluate", "--truth", "ground_truth.json", *args)
