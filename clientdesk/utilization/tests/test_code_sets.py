"""Codes on a claim line read with their meaning (place of service, type of bill)."""

from __future__ import annotations

from clientdesk.utilization.code_sets import place_of_service, type_of_bill


def test_place_of_service_codes_are_named() -> None:
    assert place_of_service("11") == "Office"
    assert place_of_service("2") == "Telehealth, not in the patient's home"  # lost its zero
    assert place_of_service("23") == "Emergency room (hospital)"
    assert place_of_service("98") == "" and place_of_service(None) == ""


def test_types_of_bill_are_named_by_facility_and_care() -> None:
    assert type_of_bill("131") == "Hospital outpatient"
    assert type_of_bill("0111") == "Hospital inpatient"
    assert type_of_bill("9") == "" and type_of_bill("") == ""


def test_tuva_categories_are_written_in_title_case() -> None:
    from clientdesk.utilization.marts.service_categories import category_title

    assert category_title("office-based pt/ot/st") == "Office-Based PT/OT/ST"
    assert category_title("newborn nicu") == "Newborn NICU"
    assert category_title("labor and delivery") == "Labor and Delivery"
    assert category_title("acute inpatient") == "Acute Inpatient"
