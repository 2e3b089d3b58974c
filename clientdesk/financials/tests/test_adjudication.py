"""Pharmacy tiers in the plan options' re-adjudication, computed by hand."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clientdesk.financials.adjudication import Claims, PlanDesign, adjudicate, rx_tier
from clientdesk.financials.analysis import pharmacy_tiers
from clientdesk.financials.contributions import contributions, tier_of
from clientdesk.financials.forms import OptionFormSet
from clientdesk.utilization.models import DrugProduct

# One person, in date order: a generic fill (allowed 50), a brand fill (200), a specialty
# fill (3,000), then a hospital claim (1,000).
CLAIMS = Claims.build(
    ["P1"] * 4,
    [1, 2, 3, 4],
    ["pharmacy", "pharmacy brand", "pharmacy specialty", "other medical"],
    [50, 200, 3_000, 1_000],
)


def test_each_tier_has_its_copay() -> None:
    # Copays 10 / 40 / 100 (not toward the deductible), then the hospital claim: deductible
    # 500 + 20 % of 500 = 600; running 10, 50, 150, 750 stops at the OOP max 700: 550.
    tiers = PlanDesign("Tiers", 500, 20, 700, copay_pharmacy=10, copay_brand=40,
                       copay_specialty=100)  # fmt: skip
    member, plan = adjudicate(CLAIMS, tiers)
    assert member.tolist() == [10, 40, 100, 550]
    assert plan.tolist() == [40, 160, 2_900, 450]


def test_one_rx_copay_when_the_tiers_are_blank() -> None:
    # Every fill 10: running 10, 20, 30, then 600 → 630 (under 700).
    one = PlanDesign("One copay", 500, 20, 700, copay_pharmacy=10)
    member, _ = adjudicate(CLAIMS, one)
    assert member.tolist() == [10, 10, 10, 600]
    assert (one.brand, one.specialty) == (10, 10)


def test_a_zero_specialty_copay_goes_through_the_deductible() -> None:
    # Specialty 3,000: deductible 500 + 20 % of 2,500 = 1,000; running 10, 50, 1,050 stops at
    # 700 (650); the hospital claim then costs the member nothing.
    design = PlanDesign("Specialty coinsurance", 500, 20, 700, copay_pharmacy=10,
                        copay_brand=40, copay_specialty=0)  # fmt: skip
    member, _ = adjudicate(CLAIMS, design)
    assert member.tolist() == [10, 40, 650, 0]


def test_tier_of_each_fill_from_the_drug_reference(db: None) -> None:
    now = timezone.now()
    DrugProduct.objects.bulk_create(
        [
            DrugProduct(ndc_code="00000000001", generic=True, loaded_at=now),
            DrugProduct(ndc_code="00000000002", generic=False, loaded_at=now),
            DrugProduct(ndc_code="00000000003", generic=False, specialty=True, loaded_at=now),
        ]
    )
    ndc_of = {"R1": "00000000001", "R2": "00000000002", "R3": "00000000003", "R4": "99"}
    got = pharmacy_tiers(
        ["R1", "R2", "R3", "R4", "M1"],
        ["pharmacy", "pharmacy", "pharmacy", "pharmacy", "office"],
        ndc_of,
    )
    # R4's drug is not in the reference: brand (stated on the page).
    assert got == ["pharmacy", "pharmacy brand", "pharmacy specialty", "pharmacy brand", "office"]
    assert rx_tier(True, True) == "pharmacy specialty"


def test_the_form_takes_blank_tiers_and_refuses_negative_ones() -> None:
    base = {
        "option-TOTAL_FORMS": "2",
        "option-INITIAL_FORMS": "0",
        "option-MIN_NUM_FORMS": "2",
        "option-MAX_NUM_FORMS": "5",
        "option-0-name": "Current",
        "option-0-deductible": "1000",
        "option-0-coinsurance_pct": "20",
        "option-0-oop_max": "4000",
        "option-0-copay_pharmacy": "15",
        "option-0-copay_specialty": "150",
        "option-1-name": "HDHP",
        "option-1-deductible": "3300",
        "option-1-coinsurance_pct": "20",
        "option-1-oop_max": "6600",
    }
    formset = OptionFormSet(base, prefix="option")
    assert formset.is_valid(), formset.errors
    current = formset.forms[0].design
    assert (current.copay_pharmacy, current.brand, current.specialty) == (15, 15, 150)
    bad = OptionFormSet({**base, "option-1-copay_brand": "-5"}, prefix="option")
    assert not bad.is_valid()
    assert "copay_brand" in bad.forms[1].errors


@pytest.mark.parametrize("value", ["abc", "-1"])
def test_a_design_with_a_bad_tier_copay_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        PlanDesign.from_dict({"name": "X", "oop_max": 100, "copay_brand": value})


def test_what_employees_pay_by_tier() -> None:
    # Plan paid 10,000 a month over 4 employee-only (1.0), 2 with a spouse (2.0), 1 with
    # children (1.8), 1 family (2.9): weight 4 + 4 + 1.8 + 2.9 = 12.7; base 787.40.
    lines = contributions(
        10_000,
        {"employee": 4, "employee_spouse": 2, "employee_children": 1, "family": 1},
        {"employee": 20, "employee_spouse": 30, "employee_children": 30, "family": 50},
    )
    got = {x.tier: (round(x.rate, 2), round(x.employee, 2), round(x.employer, 2)) for x in lines}
    assert got["employee"] == (787.40, 157.48, 629.92)
    assert got["family"] == (2283.46, 1141.73, 1141.73)
    assert round(sum(x.rate * x.subscribers for x in lines), 2) == 10_000
    # A year of the employees' contributions: 12 x 4 x 157.48 = 7,559.06 for employee-only.
    assert round(lines[0].employee_year, 2) == 7_559.06
    assert tier_of(spouse=True, children=True) == "family"
    with pytest.raises(ValueError):
        contributions(10_000, {"employee": 1}, {"employee": 120})
    with pytest.raises(ValueError):
        contributions(10_000, {}, {})
