"""The effectiveness check on hand-built series: verified only after `verify_days` days in a
row within the control limit after the fix, otherwise the problem reopens itself."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from clientdesk.insights.actions import do_record_effectiveness, do_update_problem
from clientdesk.insights.detection import Panel, Settings, Thresholds, fit_baseline, score
from clientdesk.insights.effectiveness import check_problem_series
from clientdesk.insights.models import ProblemStatus
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.insights.series import SeriesKey, SeriesPanel
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.testing import Cast

FIRST = dt.date(2025, 1, 6)
ISSUE_START, FIX = 100, 119  # day indexes: 16 a day from day 100, fixed on day 119
QUEUE = {"queue": "member_services"}


def _result(after_fix: list[float]) -> DetectionResult:
    """One call-volume series: 4 a day, 16 a day during the issue, then `after_fix`."""
    counts = np.full(FIX + 1 + len(after_fix), 4.0)
    counts[ISSUE_START : FIX + 1] = 16.0
    counts[FIX + 1 :] = after_fix
    n = len(counts)
    panel = Panel(
        first_day=FIRST,
        counts=counts[None, :],
        exposure=np.ones((1, n)),
        group=np.zeros(1, dtype=np.int64),
        pool=np.full(1, -1, dtype=np.int64),
        family=np.zeros(1, dtype=np.int64),
        family_names=("calls",),
    )
    settings = Settings()
    base = fit_baseline(panel, settings, dispersion=np.array([50.0]), holidays=np.zeros(n, bool))
    scores = score(panel, base, Thresholds.fixed(1, 99.0, 99.0, 1e9), settings)
    series = SeriesPanel(panel, [SeriesKey("calls", 7, tuple(QUEUE.items()))], [7], np.ones((1, n)))
    return DetectionResult(
        series, base, scores, Thresholds.fixed(1, 99, 99, 1e9), settings, [], 0, n - 1
    )


def _check(
    result: DetectionResult, days_after: int, *, verified: bool = False
) -> dict[str, object]:
    return check_problem_series(
        result,
        family="calls",
        account_id=7,
        dimension=QUEUE,
        baseline_day=FIRST + dt.timedelta(days=ISSUE_START - 4),
        fix_date=FIRST + dt.timedelta(days=FIX),
        as_of=FIRST + dt.timedelta(days=FIX + days_after),
        verify_days=14,
        was_verified=verified,
    )


def test_the_limit_is_the_pre_issue_rate_not_the_issue() -> None:
    out = _check(_result([4.0] * 14), 14)
    # expected stays at the pre-issue 4 a day; NB(mean 4, size ~44): P(Y > 11) = 0.0016,
    # P(Y > 12) = 0.00057, so the 99.9 % limit is 12
    assert out["limit"] == [12.0] * 14


def test_back_to_normal_for_verify_days_in_a_row_verifies() -> None:
    result = _result([4.0] * 14)
    early = _check(result, 8)
    assert (early["verdict"], early["days_in_control"], early["days_out"]) == ("watching", 8, 0)
    done = _check(result, 14)
    assert (done["verdict"], done["days_in_control"], done["days_out"]) == ("verified", 14, 0)


def test_still_high_or_out_again_reopens() -> None:
    still = _check(_result([16.0] * 14), 14)
    assert (still["verdict"], still["days_in_control"], still["days_out"]) == ("reopen", 0, 14)
    blip = [4.0] * 14
    blip[5] = 30.0  # out on the 6th day after the fix: 8 days in control by day 14
    out = _check(_result(blip), 14)
    assert (out["verdict"], out["days_in_control"], out["days_out"]) == ("reopen", 8, 1)
    # a verified problem whose series goes out again reopens at once
    relapse = _check(_result([4.0] * 15 + [30.0]), 16, verified=True)
    assert (relapse["verdict"], relapse["days_in_control"]) == ("reopen", 0)
    # a fix date that has not passed yet: waiting
    assert _check(_result([4.0]), 0)["verdict"] == "waiting"


@pytest.mark.django_db
def test_the_problem_record_follows_the_verdicts(cast: Cast) -> None:
    problem = acme_problem(cast)
    problem = do_update_problem(
        problem,
        {"status": ProblemStatus.MONITORING, "fix_date": dt.date(2026, 3, 20)},
        acting_user=cast.mia,
    )
    blip = [4.0] * 14
    blip[5] = 30.0
    steps = [
        (_check(_result([4.0] * 14), 8), ProblemStatus.MONITORING, 0, None),
        (_check(_result(blip), 14), ProblemStatus.REOPENED, 1, None),
        (_check(_result(blip + [4.0] * 6), 20), ProblemStatus.VERIFIED, 1, dt.date(2026, 4, 9)),
        (
            _check(_result(blip + [4.0] * 6 + [30.0]), 21, verified=True),
            ProblemStatus.REOPENED,
            2,
            None,
        ),
    ]
    for day, (outcome, status, reopened, verified_on) in enumerate(steps):
        as_of = (
            dt.date(2026, 4, 9) if status == ProblemStatus.VERIFIED else dt.date(2026, 4, day + 1)
        )
        problem = do_record_effectiveness(problem, outcome, as_of=as_of, acting_user=None)
        assert (problem.status, problem.reopened_count, problem.verified_on) == (
            status,
            reopened,
            verified_on,
        )
        assert problem.days_in_control == outcome["days_in_control"]
