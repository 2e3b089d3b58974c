"""The detection engine on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from clientdesk.insights.detection import (
    Panel,
    Settings,
    Thresholds,
    benjamini_hochberg,
    change_point,
    fit_baseline,
    nb2_alpha_mle,
    nb_llr,
    nb_upper_tail,
    score,
    window_sums,
)
from clientdesk.insights.effectiveness import judge
from clientdesk.insights.episodes import DetectedIssue
from clientdesk.insights.evaluation import inject_steps
from clientdesk.insights.issue_records import issue_theme
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.insights.series import BOOK, SeriesKey, SeriesPanel

MONDAY = dt.date(2025, 1, 6)


def _panel(counts: np.ndarray, exposure: np.ndarray | None = None) -> Panel:
    s = counts.shape[0]
    return Panel(
        first_day=MONDAY,
        counts=counts.astype(float),
        exposure=np.ones_like(counts, dtype=float) if exposure is None else exposure,
        group=np.arange(s, dtype=np.int64),
        pool=np.full(s, -1, dtype=np.int64),
        family=np.zeros(s, dtype=np.int64),
        family_names=("inquiries",),
    )


def test_window_sums_end_a_guard_band_before_the_day() -> None:
    values = np.arange(10, dtype=float)[None, :]  # 0..9
    lo = np.array([0, 0, 0, 0, 0, 1, 2, 3, 4, 5])
    hi = lo + np.array([0, 0, 1, 2, 3, 3, 3, 3, 3, 3])
    sums = window_sums(values, lo, hi)[0]
    assert sums.tolist() == [0, 0, 0, 1, 3, 6, 9, 12, 15, 18]


def test_nb_upper_tail_matches_the_closed_form() -> None:
    # NB(mean 1, size 5): P(Y >= 1) = 1 - (5/6)^5 = 0.598122...
    p = nb_upper_tail(np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([5.0, 5.0]))
    assert p[0] == 1.0
    assert p[1] == pytest.approx(1 - (5 / 6) ** 5, rel=1e-12)


def test_cusum_llr_for_a_doubling() -> None:
    # size r, mean m: r log((r+m)/(r+2m)) + y log(2(r+m)/(r+2m)); r=2, m=1, y=3
    llr = nb_llr(np.array([3.0]), np.array([1.0]), np.array([2.0]), 2.0)
    assert llr[0] == pytest.approx(2 * np.log(3 / 4) + 3 * np.log(6 / 4))


def test_benjamini_hochberg_per_day_matches_statsmodels() -> None:
    p = np.array([[0.01, 0.001], [0.04, 0.02], [0.03, 0.03], [0.5, 0.04]])
    tested = np.ones_like(p, dtype=bool)
    reject = benjamini_hochberg(p, tested, np.zeros(4, dtype=np.int64), 0.05)
    # day 0: 0.01 <= 0.05/4 only; day 1: 0.04 <= 0.05 * 4/4, so all four
    assert reject[:, 0].tolist() == [True, False, False, False]
    assert reject[:, 1].tolist() == [True, True, True, True]
    for day in range(2):
        assert reject[:, day].tolist() == multipletests(p[:, day], 0.05, "fdr_bh")[0].tolist()


def test_constant_series_expects_its_own_level() -> None:
    panel = _panel(np.full((1, 120), 2.0))
    base = fit_baseline(
        panel, Settings(), dispersion=np.array([50.0]), holidays=np.zeros(120, dtype=bool)
    )
    # posterior (a + n) / (a / (n/X) + X) = n / X = 2 when the prior is the series' own rate
    assert base.expected[0, 100] == pytest.approx(2.0)
    assert base.scored[0, 30] and not base.scored[0, 29]  # 28 days of history from day 31


def test_a_step_is_flagged_on_its_first_day_and_dated_by_the_cusum() -> None:
    counts = np.full((2, 140), 4.0)
    counts[0, 100:110] = 16.0
    panel = _panel(counts)
    settings = Settings()
    base = fit_baseline(
        panel, settings, dispersion=np.array([50.0]), holidays=np.zeros(140, dtype=bool)
    )
    scores = score(panel, base, Thresholds.fixed(1, 4.0, 3.5, 6.0), settings)
    assert np.nonzero(scores.alert[0])[0][0] == 100
    assert not scores.alert[1].any()
    assert change_point(scores.cusum_open, 0, 100) == 100


def test_change_point_is_the_day_after_the_last_zero() -> None:
    cusum = np.array([[0.0, 0.0, 1.0, 2.0, 0.0, 1.0, 3.0]])
    assert change_point(cusum, 0, 6) == 5


def test_dispersion_mle_matches_statsmodels() -> None:
    # statsmodels' NegativeBinomial (intercept, log offset) on this sample gives 1/alpha =
    # 4.738 (k = 5 simulated) and 48.722 (k = 50).
    rng = np.random.default_rng(1)
    found = []
    for k in (2.0, 5.0, 50.0):
        offset = rng.lognormal(0.5, 1.0, 4000)
        mu = offset * 1.3
        y = rng.negative_binomial(k, k / (k + mu)).astype(float)
        found.append(1.0 / nb2_alpha_mle(y, offset))
    assert found[1] == pytest.approx(4.738, abs=0.002)
    assert found[2] == pytest.approx(48.722, rel=1e-3)


def test_effectiveness_verdicts() -> None:
    limit = np.full(20, 5.0)
    calm = np.full(20, 3.0)
    assert (
        judge(calm, limit, days_since_fix=20, verify_days=14, was_verified=False)["verdict"]
        == "verified"
    )
    noisy = calm.copy()
    noisy[15] = 9.0  # out 5 days before the check: the streak is 4
    out = judge(noisy, limit, days_since_fix=20, verify_days=14, was_verified=False)
    assert (out["verdict"], out["days_in_control"], out["days_out"]) == ("reopen", 4, 1)
    early = judge(noisy[:16], limit[:16], days_since_fix=10, verify_days=14, was_verified=False)
    assert early["verdict"] == "watching"


def test_an_inquiry_issue_is_labelled_by_the_theme_that_rose() -> None:
    counts = np.full((3, 140), 2.0)
    counts[0, 100:106] = 8.0  # the category
    counts[2, 100:106] = 7.0  # the second theme carries the rise
    counts[1, 100:106] = 3.0
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=np.ones_like(counts),
        group=np.arange(3, dtype=np.int64),
        pool=np.full(3, -1, dtype=np.int64),
        family=np.array([0, 1, 1], dtype=np.int64),
        family_names=("inquiries", "inquiry_themes"),
    )
    settings = Settings()
    base = fit_baseline(panel, settings, np.array([50.0, 50.0]), np.zeros(140, dtype=bool))
    thresholds = Thresholds.fixed(2, 99.0, 99.0, 1e9)
    scores = score(panel, base, thresholds, settings)
    keys = [
        SeriesKey("inquiries", 7, (("category", "id_cards"),)),
        SeriesKey("inquiry_themes", 7, (("theme", "card · address · wrong"),)),
        SeriesKey("inquiry_themes", 7, (("theme", "card · mail · missing"),)),
    ]
    sp = SeriesPanel(panel, keys, [7], np.ones((1, 140)))
    result = DetectionResult(sp, base, scores, thresholds, settings, [], 0, 139)
    issue = DetectedIssue(7, "inquiries", (("category", "id_cards"),), [0], 0, 100, 105, 100, 6,
                          1e-6, ["cusum"], 48.0, 12.0)  # fmt: skip
    assert issue_theme(result, issue) == "card · mail · missing"


def test_a_small_book_gets_book_wide_steps() -> None:
    rng = np.random.default_rng(0)
    accounts = rng.poisson(3.0, (3, 200)).astype(float)  # three accounts at ~3 a day
    counts = np.vstack([accounts, accounts.sum(axis=0)])
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=np.ones_like(counts),
        group=np.zeros(4, dtype=np.int64),
        pool=np.array([0, 0, 0, -1], dtype=np.int64),
        family=np.zeros(4, dtype=np.int64),
        family_names=("calls",),
    )
    keys = [SeriesKey("calls", a, (("queue", "member_services"),)) for a in (1, 2, 3, BOOK)]
    sp = SeriesPanel(panel, keys, [1, 2, 3], np.ones((3, 200)))
    injected, incidents = inject_steps(sp, 2, seed=1)
    [step] = incidents  # no account series reaches 5 a day; one book series does
    assert (step.account_id, step.feed, step.dimension) == (
        BOOK,
        "call_record",
        {"queue": "member_services"},
    )
    assert step.baseline_per_day >= 5.0
    new = injected.panel.counts
    assert (new[3] == new[:3].sum(axis=0)).all()  # the book row stays the sum
    s, e = panel.index(step.start), panel.index(step.end)
    assert (new[:, :s] == counts[:, :s]).all() and (new[:, e + 1 :] == counts[:, e + 1 :]).all()
    added = new[3, s : e + 1].sum() - counts[3, s : e + 1].sum()
    assert added > 0.5 * (step.multiplier - 1) * counts[3, s : e + 1].sum()


def test_dispersion_is_estimated_per_level() -> None:
    # 20 accounts with a shared-nothing day-level gamma (k = 3) and their book-level sum: the
    # sum's swings partly cancel, so the book row gets a larger k (closer to Poisson).
    rng = np.random.default_rng(5)
    lam = rng.gamma(3.0, 4.0 / 3.0, (20, 400))
    accounts = rng.poisson(lam).astype(float)
    counts = np.vstack([accounts, accounts.sum(axis=0)])
    s = counts.shape[0]
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=np.ones_like(counts),
        group=np.r_[np.zeros(20), 1].astype(np.int64),
        pool=np.r_[np.zeros(20), -1].astype(np.int64),
        family=np.zeros(s, dtype=np.int64),
        family_names=("calls",),
    )
    base = fit_baseline(panel, Settings(), holidays=np.zeros(400, dtype=bool))
    account_k, book_k = base.dispersion[0]
    assert 2.0 < account_k < 4.5  # near the simulated 3
    assert book_k > 5 * account_k
