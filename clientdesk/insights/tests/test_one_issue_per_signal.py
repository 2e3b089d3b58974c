"""One open issue per signal, with figures from one function.

The signal here: denials with CARC 27 at account 7. The account's CARC series runs at 4 a
day and its one provider x procedure leaf (NPI 1234567893, procedure 72148) at 1 a day, over
140 days from Monday Jan 6, 2025. Twice the CARC series jumps to 16 and the leaf to 4 for
four days: days 100-103 (Apr 16-19) and 120-123 (May 6-9), 17 days apart, farther than the
7 days that join alerts into one episode. It was two issues; it is one, from day 100 to 123:
observed 16 x 8 + 4 x 16 = 192 against 4 x 24 = 96 expected (the baseline's rate at the
start, frozen), and its affected claims are the CARC's, not the leaf's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pytest

from clientdesk.insights import issue_records
from clientdesk.insights.actions import do_dismiss_issue, do_open_problem, do_record_detection
from clientdesk.insights.detection import Panel, Settings, Thresholds, fit_baseline, score
from clientdesk.insights.episodes import find_issues
from clientdesk.insights.figures import issue_figures
from clientdesk.insights.impact import issue_claims
from clientdesk.insights.issue_records import build_records, signal
from clientdesk.insights.models import EmergingIssue
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.insights.series import SeriesKey, SeriesPanel
from clientdesk.insights.tests.cast import START, issue_record
from clientdesk.testing import Cast

MONDAY = dt.date(2025, 1, 6)
DAYS = 140
LEAF = (("carc", "27"), ("billing_npi", "1234567893"), ("hcpcs_code", "72148"))


def detection(account: int = 7) -> DetectionResult:
    counts = np.vstack([np.full(DAYS, 4.0), np.full(DAYS, 1.0)])
    for first in (100, 120):
        counts[0, first : first + 4] = 16.0
        counts[1, first : first + 4] = 4.0
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=np.ones_like(counts),
        group=np.arange(2, dtype=np.int64),
        pool=np.full(2, -1, dtype=np.int64),
        family=np.array([0, 1], dtype=np.int64),
        family_names=("denials", "denial_details"),
    )
    settings = Settings()
    base = fit_baseline(panel, settings, np.array([50.0, 50.0]), np.zeros(DAYS, dtype=bool))
    scores = score(panel, base, Thresholds.fixed(2, 4.0, 3.5, 6.0), settings)
    keys = [
        SeriesKey("denials", account, (("carc", "27"),)),
        SeriesKey("denial_details", account, LEAF),
    ]
    sp = SeriesPanel(
        panel, keys, [account, account], np.ones((2, DAYS)), zones={account: "America/New_York"}
    )
    issues = find_issues(sp, base, scores, 0, DAYS - 1)
    return DetectionResult(
        sp, base, scores, Thresholds.fixed(2, 4.0, 3.5, 6.0), settings, issues, 0, DAYS - 1
    )


def test_the_same_signal_twice_in_a_run_is_one_issue() -> None:
    (issue,) = detection().issues
    assert (issue.first_alert, issue.start, issue.last_alert) == (100, 100, 123)
    assert issue.alert_days == 8 and issue.primary == 0
    assert issue.observed == 16 * 8 + 4 * 16 == 192
    assert issue.expected == pytest.approx(4 * 24, rel=0.01)
    # The leaf is its top contributor: 4 x 8 + 1 x 16 = 48 against 24.
    (leaf,) = issue.contributors
    assert (leaf.family, leaf.observed) == ("denial_details", 48.0)


def test_the_summary_and_the_tiles_read_the_same_figures(
    monkeypatch: pytest.MonkeyPatch, db: Any
) -> None:
    asked: list[dict[str, str]] = []

    def impact(
        lake: Any,
        zones: Any,
        family: str,
        scope: Any,
        dims: dict[str, str],
        first: dt.date,
        last: dt.date,
    ) -> dict[str, Any]:
        asked.append(dims)
        return {"claims": 192, "members": 150, "dollars": "0"}

    monkeypatch.setattr(issue_records, "issue_impact", impact)
    (record,) = build_records(detection(), object(), {7: "Acme"})  # type: ignore[arg-type]
    # Affected claims are counted on the CARC's series (the summary's), not its top leaf.
    assert asked == [{"carc": "27"}]
    figures = issue_figures(record.observed, record.expected)
    assert f"rose to {figures.observed} over 24 days against {figures.expected} expected" in (
        record.summary
    )
    assert figures.observed == "192" and "Affected: 150 members, 192 claims." in record.summary
    stored = EmergingIssue(observed=record.observed, expected=record.expected)
    assert stored.figures == figures
    # 1.25 reads 1.3 in both (half up), where Python's format gave 1.2 in the summary.
    assert issue_figures(5.0, 1.25).expected == "1.3" and f"{1.25:.1f}" == "1.2"


def test_an_open_issue_is_extended_back_to_its_start(db: Any) -> None:
    result = detection()
    day_90 = MONDAY + dt.timedelta(days=90)
    (record,) = build_records(result, None, {}, {signal(7, "denials", "carc=27"): day_90})
    # From day 90: 10 more days at 4 before the first burst.
    assert record.estimated_start == day_90 and record.observed == 192 + 40


def test_an_open_issue_is_extended_not_duplicated(cast: Cast) -> None:
    def store(first: dt.date, carc: str = "197") -> Any:
        record = issue_record(cast.acme.pk, carc=carc, first=first)
        return do_record_detection([record], as_of=first, since=first, stats={}, acting_user=None)

    first = store(START)  # alerts Mar 4-6
    (issue,) = first.created
    later = store(START + dt.timedelta(days=16))  # alerts Mar 20-22: a new episode
    assert (later.created, [i.pk for i in later.updated]) == ([], [issue.pk])
    issue.refresh_from_db()
    assert (issue.first_alert_date, issue.last_alert_date, issue.alert_days) == (
        dt.date(2026, 3, 4),
        dt.date(2026, 3, 22),
        6,
    )
    # With a problem open on it, the signal coming back still extends it: no second "New".
    do_open_problem(issue, acting_user=cast.mia)
    again = store(START + dt.timedelta(days=40))
    assert again.created == [] and EmergingIssue.objects.count() == 1
    issue.refresh_from_db()
    assert issue.status == "problem" and issue.last_alert_date == dt.date(2026, 4, 15)
    # Another cause is another signal.
    assert len(store(START, carc="16").created) == 1
    # Once closed (dismissed), the signal coming back later is a new issue.
    other = EmergingIssue.objects.get(cause_key="carc=16")
    do_dismiss_issue(other, "known", acting_user=cast.mia)
    assert len(store(START + dt.timedelta(days=30), carc="16").created) == 1


def test_affected_claims_by_hand() -> None:
    rows = [
        # six CARC 27 denials at the account: four at the leaf, two elsewhere; one CARC 16
        *[(f"C1{i}", "1234567893", "72148", "27") for i in range(4)],
        *[(f"C2{i}", "1999999999", "99213", "27") for i in range(2)],
        ("C30", "1234567893", "72148", "16"),
    ]
    frame = pd.DataFrame(
        {
            "claim_id": [r[0] for r in rows],
            "member_id": [f"M{r[0]}" for r in rows],
            "billing_npi": [r[1] for r in rows],
            "hcpcs_code": [r[2] for r in rows],
            "carc": [r[3] for r in rows],
            "status": "denied",
            "adjustment_type": "original",
            "finalized_date": dt.date(2025, 4, 16),
            "charge_amount": 100.0,
        }
    )
    table = ibis.memtable(frame)
    day = dt.date(2025, 4, 16)
    carc = issue_claims(table, "denials", {"carc": "27"}, day, day)
    leaf = issue_claims(table, "denials", dict(LEAF), day, day)
    assert (carc.count().execute(), leaf.count().execute()) == (6, 4)
