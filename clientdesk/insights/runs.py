"""Detection and the effectiveness check as plain functions: what `clientdesk issues detect` /
`verify` run, and what the demo calls after loading a book.

    from clientdesk.insights.runs import detect_and_store, verify_fixes
    summary = detect_and_store(as_of=dt.date(2026, 10, 31), since=None)  # 27 days before as_of
    summary = detect_and_store(as_of=..., whole_history=True)  # every day with a baseline
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.contrib.auth.models import User

from clientdesk.accounts.models import Account
from clientdesk.insights.actions import (
    do_record_detection,
    do_record_effectiveness,
    open_issue_starts,
)
from clientdesk.insights.detection import Settings
from clientdesk.insights.effectiveness import check_problem_series
from clientdesk.insights.issue_records import build_records
from clientdesk.insights.models import Problem, ProblemStatus
from clientdesk.insights.pipeline import load_panel, run_detection
from clientdesk.lake.backup import refuse_a_mismatched_lake
from clientdesk.lake.gateway import LakeError, SystemActor, open_lake
from clientdesk.lake.marts.operations import BOOK

MAX_ROWS = 5_000_000
DEFAULT_LOOKBACK_DAYS = 27
WATCHED_STATUSES = [
    ProblemStatus.FIXING,
    ProblemStatus.MONITORING,
    ProblemStatus.VERIFIED,
    ProblemStatus.REOPENED,
]


class NothingToScan(LakeError):
    """The lake holds no operational data."""


DETECTION = SystemActor("issue detection")  # scans every account's series
VERIFICATION = SystemActor("fix verification")


def detect_and_store(
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    whole_history: bool = False,
    budget_per_1000: float = 1.0,
    acting_user: User | None = None,
) -> dict[str, Any]:
    """Scan every series of the lake up to `as_of`, store the issues whose alerts fall from
    `since` (default: 27 days before `as_of`; `whole_history`: the first day with a baseline)
    to `as_of`, idempotently, and return a summary (what `issues detect --format json` prints).
    Raises LakeError (NothingToScan when the lake is empty)."""
    refuse_a_mismatched_lake("Issue detection")  # stored issues from partial data mislead
    clock = time.perf_counter()
    settings = Settings(budget_per_1000=budget_per_1000)
    names = dict(Account.objects.values_list("id", "name"))
    with open_lake(DETECTION, max_rows=MAX_ROWS) as lake:
        series = load_panel(lake, as_of)
        if series.panel.n_series == 0:
            raise NothingToScan("the lake has no operational data to scan")
        if whole_history:
            since = series.panel.first_day
        elif since is None:
            since = as_of - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS)
        result = run_detection(series, since=since, until=as_of, settings=settings)
        records = build_records(result, lake, names, open_issue_starts())
    stats: dict[str, Any] = {
        "seconds": time.perf_counter() - clock,
        "series": series.panel.n_series,
        "series_days": result.series_days,
        "alerts": result.alerts,
        "settings": settings.as_dict(),
        "thresholds": result.thresholds.as_dict(series.panel.family_names),
        "dispersion": {
            name: {
                "account": round(float(result.baseline.dispersion[f, 0]), 2),
                "book": round(float(result.baseline.dispersion[f, 1]), 2),
            }
            for f, name in enumerate(series.panel.family_names)
        },
    }
    stored = do_record_detection(
        records, as_of=as_of, since=since, stats=stats, acting_user=acting_user
    )
    return {
        "as_of": as_of.isoformat(),
        "since": since.isoformat(),
        "series": stats["series"],
        "series_days": stats["series_days"],
        "alerts": stats["alerts"],
        "issues": len(records),
        "created": len(stored.created),
        "updated": len(stored.updated),
        "seconds": round(stats["seconds"], 2),
        "items": [
            {
                "id": issue.pk,
                "account": issue.account.group_number if issue.account else None,
                "family": issue.family,
                "dimension": issue.dimension,
                "first_alert_date": issue.first_alert_date.isoformat(),
                "estimated_start": issue.estimated_start.isoformat(),
                "observed": issue.observed,
                "expected": issue.expected,
                "title": issue.title,
            }
            for issue in sorted(stored.created + stored.updated, key=lambda i: i.pk)
        ],
    }


def verify_fixes(as_of: dt.date, *, acting_user: User | None = None) -> list[dict[str, Any]]:
    """The effectiveness check of every fixed problem (a fix date and a watched series):
    verified after `verify_days` days in a row within control limits, reopened otherwise."""
    problems = list(
        Problem.objects.filter(status__in=WATCHED_STATUSES, fix_date__isnull=False)
        .exclude(watch_family="")
        .prefetch_related("issues")
    )
    results: list[dict[str, Any]] = []
    if not problems:
        return results
    with open_lake(VERIFICATION, max_rows=MAX_ROWS) as lake:
        themes = any(p.watch_family == "inquiry_themes" for p in problems)
        series = load_panel(lake, as_of, with_themes=themes)
    # The check needs the baselines only: fixed (infinite) thresholds skip the calibration.
    from clientdesk.insights.detection import Thresholds

    inert = Thresholds.fixed(len(series.panel.family_names), float("inf"), float("inf"), 1e300)
    result = run_detection(series, since=as_of, until=as_of, thresholds=inert)
    for problem in problems:
        starts = [i.estimated_start for i in problem.issues.all()]
        fixed: dt.date = problem.fix_date  # type: ignore[assignment]
        baseline_day = (
            min(starts) - dt.timedelta(days=result.settings.guard_days + 1)
            if starts
            else fixed - dt.timedelta(days=60)
        )
        outcome = check_problem_series(
            result,
            family=problem.watch_family,
            account_id=problem.watch_account_id or BOOK,
            dimension={str(k): str(v) for k, v in problem.watch_dimension.items()},
            baseline_day=baseline_day,
            fix_date=fixed,
            as_of=as_of,
            verify_days=problem.verify_days,
            was_verified=problem.status == ProblemStatus.VERIFIED,
        )
        if outcome["verdict"] != "waiting":
            problem = do_record_effectiveness(
                problem, outcome, as_of=as_of, acting_user=acting_user
            )
        results.append(
            {
                "problem": problem.reference,
                "status": problem.status,
                "verdict": outcome["verdict"],
                "days_in_control": outcome["days_in_control"],
                "explanation": outcome["explanation"],
            }
        )
    return results
