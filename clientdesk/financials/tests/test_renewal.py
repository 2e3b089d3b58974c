"""The renewal projection's plan-design factor, by hand: it applies to the experience and to
the manual rate alike (the manual prices the plan being rated)."""

from __future__ import annotations

import pytest

from clientdesk.financials.renewal import Assumptions, Experience, project

# 1,000 member months, 500,000 completed, no pooling excess, 100 claims with CV 0 (n_full
# 1,082: Z = sqrt(100 / 1,082) = 0.30401), no trend, no loads.
EXPERIENCE = Experience(
    first_month="2025-01",
    last_month="2025-12",
    member_months=1_000,
    completed_claims=500_000,
    excess_by_point={250_000: 0.0},
    claimants_by_point={250_000: 0},
    claims=100,
    severity_cv=0.0,
    months_of_trend=12,
    current_rate_pmpm=500.0,
    current_rate_label="premium",
)


def _step(name: str, factor: float) -> float:
    a = Assumptions(utilization_trend=0, unit_cost_trend=0, plan_factor=factor,
                    manual_pmpm=400.0, target_margin_pct=0)  # fmt: skip
    steps = {s.label: s.value for s in project(EXPERIENCE, a).steps}
    return steps[name]


def test_the_plan_factor_moves_experience_and_manual_alike() -> None:
    z = (100 / 1_082) ** 0.5
    # Factor 1: Z x 500 + (1 - Z) x 400 = 430.40; factor 0.9: both x 0.9 = 387.36.
    assert _step("Credibility-weighted claims PMPM", 1.0) == pytest.approx(z * 500 + (1 - z) * 400)
    assert _step("Manual rate, trended", 0.9) == pytest.approx(360.0)
    assert _step("Credibility-weighted claims PMPM", 0.9) == pytest.approx(
        0.9 * (z * 500 + (1 - z) * 400)
    )


def test_a_self_funded_current_rate_is_what_the_sponsor_funds() -> None:
    from clientdesk.financials.renewal import (
        ASO_BUDGET_LABEL,
        ASO_EXPERIENCE_LABEL,
        aso_current_rate,
    )

    # 12,000 member months, completed claims $7.2 M (600 PMPM), fees $45 PMPM, budget $520.
    assert aso_current_rate(7_200_000, 12_000, 45.0, 520.0) == (565.0, ASO_BUDGET_LABEL)
    # No budget recorded: the experience + fees, and the label says the change is then
    # measured against the account's own experience.
    assert aso_current_rate(7_200_000, 12_000, 45.0, None) == (645.0, ASO_EXPERIENCE_LABEL)
    assert aso_current_rate(7_200_000, 12_000, 45.0, 0.0) == (645.0, ASO_EXPERIENCE_LABEL)
    assert "own experience" in ASO_EXPERIENCE_LABEL
