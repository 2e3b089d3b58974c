"""The detection engine on hand-computed fixtures."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from clientdesk.insights.charts import evidence_svg, grid_step
from clientdesk.insights.detection import (
    Panel,
    Settings,
    Thresholds,
    benjamini_hochberg,
    calibrate,
    change_point,
    common_factor,
    cusum_open,
    fit_baseline,
    fit_clean_baseline,
    gather_last,
    incident_days,
    nb2_alpha_mle,
    nb_llr,
    nb_upper_tail,
    robust_nb2_alpha,
    score,
    volume_band,
    weighted_median,
    window_scan,
    window_sums,
)
from clientdesk.insights.effectiveness import judge
from clientdesk.insights.episodes import Contributor, DetectedIssue
from clientdesk.insights.evaluation import (
    CLEAR_AFTER,
    CLEAR_BEFORE,
    TruthIncident,
    book_ranks_first,
    inject_steps,
)
from clientdesk.insights.issue_records import describe, issue_theme
from clientdesk.insights.pipeline import DetectionResult
from clientdesk.insights.series import SeriesKey, SeriesPanel, issues_daily_calls
from clientdesk.lake.local_time import zone_rows
from clientdesk.lake.marts.operations import BOOK

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


def test_gather_last_matches_a_plain_gather() -> None:
    array = np.arange(24, dtype=float).reshape(2, 12)
    for index in (
        np.clip(np.arange(10) - 3, 0, 11),  # a constant run, then consecutive
        np.clip(np.arange(10) + 4, 0, 11),  # consecutive, then a constant run
        np.full(5, 7),
        np.array([0, 2, 3]),  # not a clipped range: np.take
        np.array([], dtype=np.int64),
    ):
        assert np.array_equal(gather_last(array, index), np.take(array, index, axis=-1))


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
    # the EWMA is still over its limit after the step ends, but a day at its usual 4 is no
    # alert day
    assert scores.ewma[0, 110] >= 3.5
    assert np.nonzero(scores.alert[0])[0][-1] == 109
    assert change_point(scores.cusum, 0, 100) == 100


def test_the_window_detector_totals_a_backlog_against_the_rate_before_it() -> None:
    # Two pend series at 1 in 10 claims received: 1 pend of 10 claims a day, and 100 of
    # 1,000. From day 100 the small one pends 6 a day, the large one 150 (x1.5).
    counts = np.ones((2, 140))
    exposure = np.full((2, 140), 10.0)
    counts[1], exposure[1] = 100.0, 1000.0
    counts[0, 100:103] = 6.0
    counts[1, 100:103] = 150.0
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=exposure,
        group=np.arange(2, dtype=np.int64),
        pool=np.full(2, -1, dtype=np.int64),
        family=np.zeros(2, dtype=np.int64),
        family_names=("claim_pends",),
    )
    settings = Settings(scan_days=3)
    base = fit_baseline(
        panel, settings, dispersion=np.array([1000.0]), holidays=np.zeros(140, dtype=bool)
    )
    window = window_scan(panel, base, settings)
    assert window.rows.tolist() == [0, 1]
    # Day 102, window days 100-102: 18 pends; the rate of day 100 is (2 prior events + 56) /
    # (2 / 0.1 + 560 claims) = 0.1 from days 42-97, so 30 claims expect 3; the total is NB with
    # size 1 / (1 / 58 events + 1 / (3 days x k 1000)) = 56.9.
    assert window.observed[0, 102] == 18.0
    assert window.expected[0, 102] == pytest.approx(3.0)
    size = 1.0 / (1.0 / 58.0 + 1.0 / 3000.0)
    chance = stats.nbinom.sf(17, size, size / (size + 3.0))
    assert chance == pytest.approx(1.8565e-8, rel=1e-3)
    assert window.p_value[0, 102] == pytest.approx(chance, rel=1e-9)
    # 1.9e-8 <= 1e-6, 18 >= 3 x 3 and 15 extra >= 5: fired. Day 101 (13 against 3): 3.4e-5.
    assert window.fired[0].tolist()[99:104] == [False, False, False, True, False]
    assert window.p_value[0, 101] == pytest.approx(3.366e-5, rel=1e-3)
    # The large series: 450 against 300 is far beyond chance (6e-14) but only x1.5, no backlog.
    assert window.p_value[1, 102] < 1e-12
    assert not window.fired[1].any()
    # A family the detector does not read has no window.
    other = window_scan(panel, base, Settings(scan_days=3, scan_families=("denials",)))
    assert other.rows.tolist() == [] and other.observed.shape == (0, 140)


def test_a_small_groups_claims_backlog_is_found_by_the_window_detector_alone() -> None:
    # 200 accounts x 9 pend reasons (1,800 series: the false-discovery control weighs each
    # day's p-values against as many as a 200-account book has). Account 0 receives 2 claims a
    # day and pends 1.8 % of them for pricing (0.04 a day); days 200-206 it pends 8 (the
    # book's backlogs of 5-10 days at a 100-member group): one or two a day, no day alone
    # beyond chance among 1,800 series.
    rng = np.random.default_rng(15)
    accounts, reasons, days = 200, 9, 300
    shares = np.array([0.2, 0.15, 0.15, 0.12, 0.1, 0.1, 0.08, 0.1, 0.0]) * 0.15
    claims = rng.poisson(rng.uniform(2.0, 40.0, accounts)[:, None] * np.ones((1, days)))
    claims[0] = 2
    exposure = np.repeat(claims.astype(float), reasons, axis=0)
    counts = rng.poisson(exposure * np.tile(shares, accounts)[:, None]).astype(float)
    row = 3  # account 0, pricing
    counts[row, 190:215] = 0.0
    counts[row, 200:207] = [1, 2, 1, 1, 0, 1, 2]
    reason = np.tile(np.arange(reasons), accounts).astype(np.int64)
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=exposure,
        group=reason,
        pool=reason,
        family=np.zeros(accounts * reasons, dtype=np.int64),
        family_names=("claim_pends",),
    )
    settings = Settings()
    base, _ = fit_clean_baseline(panel, settings)
    thresholds = calibrate(panel, base, settings)
    daily_only = score(panel, base, thresholds, Settings(scan_families=()))
    both = score(panel, base, thresholds, settings)
    assert not daily_only.alert[row].any()
    # Day 206: 8 in the 10 days against 0.44 expected, a chance of 6.7e-7 (<= 1e-6).
    window = both.extra["window"]
    assert window.observed[row, 206] == 8.0
    assert window.expected[row, 206] == pytest.approx(0.44, abs=0.005)
    assert window.p_value[row, 206] == pytest.approx(6.75e-7, rel=0.01)
    assert np.nonzero(both.alert[row])[0].tolist() == [206]
    assert both.fired[row, 206] & 8
    # The 1,799 other series: the window detector fires on none of their 300 days.
    others = np.arange(accounts * reasons) != row
    assert not window.fired[others].any()


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
    issue = DetectedIssue(
        7,
        "inquiries",
        (("category", "id_cards"),),
        [0],
        0,
        100,
        105,
        100,
        6,
        1e-6,
        ["cusum"],
        48.0,
        12.0,
    )
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


def test_weighted_median_per_column() -> None:
    values = np.array([[1.0, 5.0], [2.0, 1.0], [3.0, 2.0]])
    weights = np.array([[1.0, 1.0], [1.0, 1.0], [3.0, 1.0]])
    # column 0: 3.0 carries 3 of 5; column 1: sorted 1, 2, 5, half of 3 reached at 2
    assert weighted_median(values, weights).tolist() == [3.0, 2.0]


def _pool_of_accounts(daily: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ten accounts of one pool, expected = observed unless the caller changes `daily`."""
    plain = np.repeat(daily[:, None], 30, axis=1)
    return plain.copy(), plain, np.zeros(len(daily), dtype=np.int64)


def test_the_common_factor_passes_a_rise_every_account_shares() -> None:
    y, plain, pool = _pool_of_accounts(np.full(10, 7.0))
    y *= 1.5
    common = common_factor(y, plain, pool, 1, Settings())
    # every ratio is 1.5; weight per account 49 / (1 + 49/70); the 10 pseudo events stand at 1
    w = 49.0 / (1.0 + 49.0 / 70.0)
    assert common[0, 29] == pytest.approx((9 * w * 1.5 + 10.0) / (9 * w + 10.0))
    assert common[0, 29] == pytest.approx(1.4815, abs=1e-4)


def test_one_large_accounts_surge_barely_moves_the_others_factor() -> None:
    y, plain, pool = _pool_of_accounts(np.r_[60.0, np.full(9, 7.0)])
    y[0] *= 3.0  # the large account (46% of the pool's calls) triples
    common = common_factor(y, plain, pool, 1, Settings())
    # a plain ratio of sums would give the others (1260 + 392 + 10) / (420 + 392 + 10) = 2.02
    assert 1.0 < common[1, 29] < 1.06
    assert common[0, 29] == pytest.approx(1.0)  # its own surge is left out of its factor


def test_book_rows_have_no_common_factor() -> None:
    y, plain, _ = _pool_of_accounts(np.full(3, 7.0))
    assert (common_factor(y * 2, plain, np.full(3, -1), 1, Settings()) == 1.0).all()


def test_robust_dispersion_ignores_incident_days() -> None:
    rng = np.random.default_rng(3)
    offset = np.full(4000, 8.0)
    y = rng.negative_binomial(15.0, 15.0 / 23.0, 4000).astype(float)
    y[:40] = rng.poisson(8.0 * 4.0, 40)  # 1% of the days inside incidents at x4
    plain, robust = 1.0 / nb2_alpha_mle(y, offset), 1.0 / robust_nb2_alpha(y, offset)
    clean = 1.0 / nb2_alpha_mle(y[40:], offset[40:])
    assert plain < 0.65 * clean  # a few incident days pass for heavy dispersion
    assert robust == pytest.approx(clean, rel=0.1)


def _two_incidents() -> Panel:
    counts = np.full((2, 260), 10.0)
    counts[0, 120:141] = 25.0  # an incident of three weeks ...
    counts[0, 170:180] = 25.0  # ... and the next, 30 days later
    return _panel(counts)


def test_an_earlier_incident_does_not_inflate_the_next_ones_baseline() -> None:
    panel = _two_incidents()
    settings = Settings()
    no_holidays = np.zeros(260, dtype=bool)
    plain = fit_baseline(panel, settings, np.array([50.0]), no_holidays)
    clean, excluded = fit_clean_baseline(panel, settings, np.array([50.0]), no_holidays)
    # the 56-day window ending 3 days before day 170 holds the 21 incident days: about (35 x 10
    # + 21 x 25) / 56 = 15.6 a day with them (the day-of-week factors of those days move it a
    # little), 10 without
    assert plain.expected[0, 170] == pytest.approx(15.6, abs=0.2)
    assert clean.expected[0, 170] == pytest.approx(10.0, abs=0.05)
    assert excluded[0, 120:141].all() and not excluded[0, :120].any()
    assert not excluded[1].any()
    thresholds = Thresholds.fixed(1, 4.0, 3.5, 6.0)
    assert score(panel, clean, thresholds, settings).alert[0, 171:174].all()
    assert not score(panel, plain, thresholds, settings).alert[0, 170:174].any()


def test_a_level_that_stays_becomes_the_new_normal() -> None:
    counts = np.full((1, 260), 10.0)
    counts[0, 120:] = 25.0
    panel = _panel(counts)
    base, excluded = fit_clean_baseline(
        panel, Settings(), np.array([50.0]), np.zeros(260, dtype=bool)
    )
    assert excluded[0, 120]
    assert base.expected[0, 259] == pytest.approx(25.0, abs=0.05)


def test_a_sparse_series_rare_events_stay_in_its_baseline() -> None:
    counts = np.zeros((1, 200))
    counts[0, [60, 130, 150]] = 1.0
    panel = _panel(counts)
    settings = Settings()
    base = fit_baseline(panel, settings, np.array([50.0]), np.zeros(200, dtype=bool))
    assert not incident_days(panel.counts, base, settings).any()
    # the group was quiet for a whole window: half an event, not a zero rate, is its prior
    assert base.expected[0, 120] > 0.003


def test_injected_steps_keep_clear_of_the_books_own_incidents() -> None:
    rng = np.random.default_rng(2)
    counts = rng.poisson(8.0, (2, 400)).astype(float)  # two accounts' dense series
    counts = np.vstack([counts, counts.sum(axis=0)])
    panel = Panel(
        first_day=MONDAY,
        counts=counts,
        exposure=np.ones_like(counts),
        group=np.zeros(3, dtype=np.int64),
        pool=np.array([0, 0, -1], dtype=np.int64),
        family=np.zeros(3, dtype=np.int64),
        family_names=("calls",),
    )
    keys = [SeriesKey("calls", a, (("queue", "member_services"),)) for a in (1, 2, BOOK)]
    sp = SeriesPanel(panel, keys, [1, 2], np.ones((2, 400)))
    real = [
        TruthIncident(
            "INC-1",
            account,
            "member_call_surge",
            panel.day(start),
            panel.day(start + 59),
            "call_record",
            {"queue": "member_services"},
            8.0,
            2.5,
            {},
        )
        for account, start in ((1, 140), (2, 250))
    ]
    placed = 0
    for seed in range(10):
        _, steps = inject_steps(sp, 3, seed=seed, avoid=real)
        placed += len(steps)
        for step in steps:
            for inc in real:
                if step.account_id in (BOOK, inc.account_id):
                    assert step.end < inc.start - dt.timedelta(
                        days=CLEAR_BEFORE
                    ) or step.start > inc.end + dt.timedelta(days=CLEAR_AFTER)
        spans = sorted((s.start, s.end) for s in steps if s.account_id == BOOK)
        assert all(b[0] > a[1] for a, b in itertools.pairwise(spans))
    assert placed >= 20  # the clear stretches leave room: most steps still find a place


def test_the_summary_counts_in_plain_words() -> None:
    counts = np.full((1, 140), 2.0)
    counts[0, 100:106] = 8.0
    panel = _panel(counts)
    settings = Settings()
    base = fit_baseline(panel, settings, np.array([50.0]), np.zeros(140, dtype=bool))
    thresholds = Thresholds.fixed(1, 99.0, 99.0, 1e9)
    scores = score(panel, base, thresholds, settings)
    sp = SeriesPanel(
        panel, [SeriesKey("inquiries", 7, (("category", "id_cards"),))], [7], np.ones((1, 140))
    )
    result = DetectionResult(sp, base, scores, thresholds, settings, [], 0, 139)
    issue = DetectedIssue(
        7,
        "inquiries",
        (("category", "id_cards"),),
        [0],
        0,
        100,
        105,
        100,
        6,
        1e-6,
        ["cusum"],
        48.0,
        12.0,
    )
    _, summary = describe(issue, result, "Acme", [], {"members": 1, "claims": 2}, [])
    assert "rose to 48 over 6 days against 12 expected" in summary
    issue.observed = 4.0
    assert "rose to 4 over 6 days" in describe(issue, result, "Acme", [], {}, [])[1]
    assert summary.endswith("Affected: 1 member, 2 claims.")


def test_calls_count_on_the_accounts_local_day() -> None:
    utc = [
        "2025-03-04 03:30",  # 22:30 on Mar 3 in New York, 19:30 in Los Angeles
        "2025-03-04 06:00",  # 01:00 on Mar 4 in New York, 22:00 on Mar 3 in Los Angeles
        "2025-07-01 03:30",  # 23:30 on Jun 30 in New York (daylight time), 20:30 in LA
    ]
    calls = pd.DataFrame(
        {
            "account_id": [1, 1, 1, 2, 2, 2],
            "queue": "member_services",
            "offered_at": pd.to_datetime(utc * 2, utc=True),
            "abandoned": False,
        }
    )
    zones = zone_rows(
        {1: "America/New_York", 2: "America/Los_Angeles"}, MONDAY, dt.date(2025, 12, 31)
    )
    con = ibis.duckdb.connect()
    daily = con.execute(
        issues_daily_calls(ibis.memtable(calls), zones, MONDAY, dt.date(2025, 12, 31))
    )
    got = {
        (int(r.account_id), dt.date(1970, 1, 1) + dt.timedelta(days=int(r.day))): int(r.offered)
        for r in daily.itertuples()
    }
    assert got == {
        (1, dt.date(2025, 3, 3)): 1,
        (1, dt.date(2025, 3, 4)): 1,
        (1, dt.date(2025, 6, 30)): 1,
        (2, dt.date(2025, 3, 3)): 2,
        (2, dt.date(2025, 6, 30)): 1,
    }


def test_a_book_issue_may_rank_a_concurrent_incident_first() -> None:
    def surge(account: int, start: int, end: int) -> TruthIncident:
        return TruthIncident(
            f"INC-{account}",
            account,
            "member_call_surge",
            MONDAY + dt.timedelta(days=start),
            MONDAY + dt.timedelta(days=end),
            "call_record",
            {"queue": "member_services"},
            7.0,
            2.5,
            {},
        )

    def book_issue(*accounts: int) -> DetectedIssue:
        issue = DetectedIssue(
            BOOK,
            "calls",
            (("queue", "member_services"),),
            [0],
            0,
            10,
            12,
            9,
            3,
            1e-6,
            ["cusum"],
            300.0,
            120.0,
        )
        issue.contributors = [
            Contributor(i, a, "calls", {"queue": "member_services"}, 100.0 - i, 40.0)
            for i, a in enumerate(accounts)
        ]
        return issue

    mine, other, later = surge(9, 8, 20), surge(20, 0, 14), surge(20, 30, 40)
    # the other large account surged at the same time: either order is right
    assert book_ranks_first(book_issue(20, 9, 5), mine, [mine, other])
    # ... but an account with no incident then may not come first
    assert not book_ranks_first(book_issue(20, 9, 5), mine, [mine, later])
    assert not book_ranks_first(book_issue(5, 9), mine, [mine, other])
    assert book_ranks_first(book_issue(9, 20), mine, [mine, other])
    assert not book_ranks_first(book_issue(20), mine, [mine, other])


def test_a_large_rise_lends_no_evidence_to_days_after_it() -> None:
    counts = np.full((1, 200), 4.0)
    counts[0, 100:121] = 16.0  # three weeks at four times the usual
    counts[0, 150] = 14.0  # a single busy day a month later
    panel = _panel(counts)
    settings = Settings()
    base, _ = fit_clean_baseline(panel, settings, np.array([50.0]), np.zeros(200, dtype=bool))
    scores = score(panel, base, Thresholds.fixed(1, 4.0, 3.5, 6.0), settings)
    # with the rise out of the baseline, the CUSUM without reset is still far above 0 a
    # month on ...
    ratio = np.asarray(settings.cusum_ratios)[volume_band(base.expected)]
    free = cusum_open(nb_llr(panel.counts, base.expected, base.size, ratio))
    assert free[0, 149] > 20.0
    # ... but a usual day's p-value is a usual day's, and the busy day dates itself
    assert scores.p_value[0, 145] > 0.05
    assert change_point(scores.cusum, 0, 150) == 150


def test_the_evidence_axis_counts_in_round_steps() -> None:
    assert [grid_step(p) for p in (1.0, 2.6, 7.0, 30.0, 47.0, 460.0)] == [
        1.0,
        1.0,
        2.0,
        10.0,
        20.0,
        200.0,
    ]
    day = MONDAY.isoformat()
    svg = evidence_svg(
        {
            "dates": [day],
            "observed": [2],
            "expected": [0.2],
            "upper": [2.6],
            "start": day,
            "alerts": [day],
        },
        "ID cards",
    )
    labels = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert labels == ["0", "1", "2", "3"]  # not 0, 1, 1, 2, 2
