"""The health score's rules, by hand."""

from __future__ import annotations

import pytest

from clientdesk.strategy.objectives import objective_status
from clientdesk.strategy.scoring import auc, band_of, explain_change, score_account


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
    health = score_account({"sla_attainment": (85.0, ""), "open_escalations": (1.0, "")}, weights)
    assert health.measures["sla_attainment"].score == 50.0
    assert health.measures["open_escalations"].score == 50.0
    assert health.score == 50 and health.band == "poor"
    # One miss (100 less 50) weighted 20 and 97 % SLA (100) weighted 15: (1000 + 1500) / 35
    # = 71.4.
    health = score_account(
        {"guarantees_missed": (1.0, ""), "sla_attainment": (97.0, "")},
        {"guarantees_missed": 20, "sla_attainment": 15},
    )
    assert health.score == 71 and health.band == "fair"


def test_no_measure_no_score() -> None:
    assert score_account({}, {"nps": 10}).score is None
    assert score_account({"unknown": (1.0, "")}, {"unknown": 10}).score is None


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
