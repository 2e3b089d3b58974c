"""The health score's rules, by hand."""

from __future__ import annotations

import pytest

from clientdesk.lib.measures import Value
from clientdesk.strategy.objectives import objective_status
from clientdesk.strategy.runs import expected_auc
from clientdesk.strategy.scoring import (
    DEFAULT_WEIGHTS,
    RULES,
    auc,
    band_of,
    explain_change,
    score_account,
)


def test_bands_cut_at_50_and_75() -> None:
    assert [band_of(s) for s in (0, 50, 51, 75, 76, 100)] == [
        "poor",
        "poor",
        "fair",
        "fair",
        "good",
        "good",
    ]
    assert band_of(None) == ""


def test_weighted_mean_spreads_a_missing_measures_weight() -> None:
    weights = {"sla_attainment": 15, "open_escalations": 10, "nps": 10}
    # SLA 85 % -> (85-75)/20 = 50; one escalation -> 50; NPS missing drops out.
    health = score_account({"sla_attainment": Value(85.0), "open_escalations": Value(1.0)}, weights)
    assert health.measures["sla_attainment"].score == 50.0
    assert health.measures["open_escalations"].score == 50.0
    assert health.score == 50 and health.band == "poor"
    # One miss (100 less 50) weighted 20 and 97 % SLA (100) weighted 15: (1000 + 1500) / 35
    # = 71.4.
    health = score_account(
        {"guarantees_missed": Value(1.0), "sla_attainment": Value(97.0)},
        {"guarantees_missed": 20, "sla_attainment": 15},
    )
    assert health.score == 71 and health.band == "fair"


def test_no_measure_no_score() -> None:
    assert score_account({}, {"nps": 10}).score is None
    assert score_account({"unknown": Value(1.0)}, {"unknown": 10}).score is None


def test_change_is_explained_by_each_measures_points() -> None:
    before: dict[str, dict[str, float]] = {
        "guarantees_missed": {"value": 0, "score": 100, "weight": 20},
        "days_since_decision_maker_touch": {"value": 40, "score": 88.9, "weight": 10},
    }
    after: dict[str, dict[str, float]] = {
        "guarantees_missed": {"value": 2, "score": 50, "weight": 20},
        "days_since_decision_maker_touch": {"value": 74, "score": 51.1, "weight": 10},
    }
    # Points: misses 66.7 -> 33.3 (-33.3); touch 29.6 -> 17.0 (-12.6).
    words = explain_change(before, after, 96, 50)
    assert words == ("down 46: guarantee misses 0 → 2, −33; decision-maker touch 40 → 74, −13")
    assert explain_change(after, after, 50, 50) == "no change"
    # The manager lowers the touch's weight 10 -> 1 and nothing else moves: (2,000 + 88.9) /
    # 21 = 99.5 against (2,000 + 889) / 30 = 96.3, up 3, said as a weight change, not as a
    # change at the customer.
    reweighed = {
        **before,
        "days_since_decision_maker_touch": {"value": 40, "score": 88.9, "weight": 1},
    }
    assert explain_change(before, reweighed, 96, 99) == (
        "up 3: decision-maker touch 40 → 40 (weight 10 → 1), +3"
    )
    assert explain_change({}, after, None, 50) == "first score"


def test_auc_counts_ties_as_half() -> None:
    assert auc([10, 20], [30, 40]) == 1.0
    assert auc([30], [30]) == 0.5
    assert auc([40], [30, 50]) == 0.5
    assert auc([], [1]) is None


@pytest.mark.parametrize(
    ("value", "target", "better", "status"),
    [
        (96, 95, "higher", "on_track"),
        (90, 95, "higher", "at_risk"),  # 5 short, within 9.5
        (80, 95, "higher", "off_track"),
        (0, 0, "lower", "on_track"),
        (1, 0, "lower", "at_risk"),
        (2, 0, "lower", "off_track"),
        (None, 5, "lower", "no_value"),
    ],
)
def test_objective_status(value: float | None, target: float, better: str, status: str) -> None:
    assert objective_status(value, target, better) == status


def test_a_sampled_figure_counts_by_its_credibility() -> None:
    nps = RULES["nps"]
    # n / (n + 10): no answer 0, 3 answers 0.2308, 30 answers 0.75; not a sample: all of it.
    assert [round(nps.credible_share(n), 4) for n in (0, 3, 30)] == [0.0, 0.2308, 0.75]
    assert nps.credible_share(None) == 1.0
    assert RULES["open_escalations"].credible_share(3) == 1.0  # no credibility rule
    weights = {"open_escalations": 10, "nps": 10}
    # NPS -100 from one answer: score 0 weighed 10 x 1/11 = 0.91: (1,000 + 0) / 10.91 = 91.7.
    one = score_account(
        {"open_escalations": Value(0), "nps": Value(-100.0, "NPS -100 from 1 answers", 1)},
        weights,
    )
    assert one.measures["nps"].weight == 0.91 and one.score == 92
    assert one.measures["nps"].detail == ("NPS -100 from 1 answers (credibility 9% of its weight)")
    # The same NPS from 30 answers weighs 7.5: 1,000 / 17.5 = 57.1.
    many = score_account({"open_escalations": Value(0), "nps": Value(-100.0, "", 30)}, weights)
    assert many.score == 57
    # No answer at all: NPS drops out.
    assert "nps" not in score_account({"nps": Value(0.0, "", 0)}, weights).measures


def test_default_weights_let_one_detractor_move_the_score() -> None:
    # An engaged account (touch rate 9: 100), no issue, no miss, 2 answers: NPS +100 and CSAT
    # 100 % (each weighed 100 x 2 / 12 = 16.67): 100.
    values = {
        "decision_maker_touch_rate": Value(9.0),
        "emerging_issues_12m": Value(0),
        "guarantees_missed": Value(0),
        "nps": Value(100.0, "", 2),
        "csat": Value(100.0, "", 2),
    }
    assert score_account(values, DEFAULT_WEIGHTS).score == 100
    # A detractor: NPS +33.3 scores 76.1, CSAT 66.7 % 22.3, each weighed 100 x 3 / 13 = 23.08:
    # (80,000 + 23.08 x 76.1 + 23.08 x 22.3) / 846.16 = 82,271.1 / 846.16 = 97.2.
    values |= {"nps": Value(33.3, "", 3), "csat": Value(66.7, "", 3)}
    assert score_account(values, DEFAULT_WEIGHTS).score == 97
    # Against a quiet sponsor (touch rate 3: 0): 30,000 of the points gone, 52,271.1 / 846.16 =
    # 61.8; an issue too (66: 400 x 34 = 13,600 more): 38,671.1 / 846.16 = 45.7, poor.
    values["decision_maker_touch_rate"] = Value(3.0)
    assert score_account(values, DEFAULT_WEIGHTS).score == 62
    values["emerging_issues_12m"] = Value(1)
    assert score_account(values, DEFAULT_WEIGHTS).score == 46


def test_expected_auc_weighs_each_pair_by_its_chance() -> None:
    # Scores 10, 20, 30 with chances of a loss 0.5, 0.2, 0.1. Ordered pairs (i lost, j kept):
    # weight p_i (1 - p_j), won when i scored lower:
    # (10,20) 0.5 x 0.8 = 0.40 won; (10,30) 0.5 x 0.9 = 0.45 won; (20,30) 0.2 x 0.9 = 0.18 won;
    # (20,10) 0.2 x 0.5 = 0.10 lost; (30,10) 0.1 x 0.5 = 0.05 lost; (30,20) 0.1 x 0.8 = 0.08
    # lost. 1.03 / 1.26 = 0.8175.
    assert round(expected_auc([10, 20, 30], [0.5, 0.2, 0.1]) or 0, 4) == 0.8175
    assert expected_auc([10, 20], [0.5, None]) is None
