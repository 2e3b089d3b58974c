"""Suggestions: rules as data evaluated on the account's own figures (lake and inquiries),
evidence with numbers, turned into opportunities or dismissed until the evidence changes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from clientdesk.growth import actions
from clientdesk.growth.evidence import lake_figures
from clientdesk.growth.models import Measure, Suggestion, SuggestionRule, SuggestionStatus
from clientdesk.growth.rules import Finding, RuleSpec, evaluate, precision_recall
from clientdesk.growth.runs import run_suggestions, score
from clientdesk.growth.tests.cast import NOW, acme_suggestion, product
from clientdesk.lake.gateway import SystemActor
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.schemas import MEDICAL_CLAIM, PHARMACY_CLAIM
from clientdesk.lake.tests.lakefiles import eligibility_row, medical_row, pharmacy_row, write_csv
from clientdesk.lib.periods import parse_period
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db

DM = RuleSpec(1, "Diabetes", "diabetes_per_1000", "gt", Decimal("114.29"), product_id=7)


def test_a_rule_passes_only_above_its_threshold_and_without_the_product() -> None:
    measures = {10: {"diabetes_per_1000": 131.5}, 11: {"diabetes_per_1000": 100.0}, 12: {}}
    found = evaluate([DM], measures, taken={}, context={10: {"period": "2025"}})
    assert [(f.account_id, f.product_id) for f in found] == [(10, 7)]
    assert found[0].evidence["tests"] == [
        {
            "measure": "diabetes_per_1000",
            "label": "Members with diabetes per 1,000 employees",
            "value": 131.5,
            "comparison": "above",
            "threshold": 114.29,
        }
    ]
    assert found[0].evidence["period"] == "2025"
    assert found[0].evidence_key == "diabetes_per_1000=130"  # two significant digits
    assert evaluate([DM], measures, taken={10: {7}}) == []


def test_a_second_test_must_pass_too() -> None:
    rule = RuleSpec(
        2, "DM", "diabetes_per_1000", "gt", Decimal("100"), 7, "paid_pmpm", Decimal("500")
    )
    measures = {
        1: {"diabetes_per_1000": 150.0, "paid_pmpm": 450.0},
        2: {"diabetes_per_1000": 150.0, "paid_pmpm": 610.0},
    }
    assert [f.account_id for f in evaluate([rule], measures, {})] == [2]


def test_precision_and_recall() -> None:
    result = precision_recall(
        {("A", "eap"), ("B", "eap"), ("C", "dm")}, {("A", "eap"), ("C", "dm"), ("D", "dm")}
    )
    assert result["precision"] == round(2 / 3, 4) and result["recall"] == round(2 / 3, 4)


def test_a_dismissed_suggestion_stays_away_until_its_evidence_changes(cast: Cast) -> None:
    suggestion = acme_suggestion(cast)
    actions.do_dismiss_suggestion(
        suggestion, reason="Sponsor runs its own program", now=NOW, acting_user=cast.alice
    )
    same = Finding(
        cast.acme.pk,
        suggestion.rule_id,
        suggestion.rule.product_id,
        {"tests": []},
        "diabetes_per_1000=130",
    )
    assert actions.do_store_suggestions([same], now=NOW, acting_user=None) == {
        "new": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert not Suggestion.objects.filter(account=cast.acme, status=SuggestionStatus.OPEN).exists()
    changed = Finding(
        cast.acme.pk,
        suggestion.rule_id,
        suggestion.rule.product_id,
        {"tests": []},
        "diabetes_per_1000=160",
    )
    assert actions.do_store_suggestions([changed], now=NOW, acting_user=None)["new"] == 1
    assert (
        Suggestion.objects.get(account=cast.acme, status=SuggestionStatus.OPEN).evidence_key
        == "diabetes_per_1000=160"
    )


def test_converting_a_suggestion_opens_the_opportunity(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    suggestion = acme_suggestion(cast)
    client = login("alice")
    tab = client.get(f"/accounts/{cast.acme.pk}/tab/growth/").content.decode()
    assert "Members with diabetes per 1,000 employees" in tab and "131.50" in tab
    response = client.post(
        f"/growth/suggestions/{suggestion.pk}/convert/", {"expected_close": "2026-09-30"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CONVERTED
    assert suggestion.opportunity is not None
    assert suggestion.opportunity.product.code == "disease_management"
    assert suggestion.opportunity.annual_value == Decimal("43200.00")
    # The open opportunity takes the product: the rule does not suggest it again.
    found = Finding(cast.acme.pk, suggestion.rule_id, suggestion.rule.product_id, {}, "x")
    assert actions.do_store_suggestions([found], now=NOW, acting_user=None)["new"] == 1  # stored...
    rules = [
        RuleSpec(
            suggestion.rule_id,
            "",
            "diabetes_per_1000",
            "gt",
            Decimal("1"),
            suggestion.rule.product_id,
        )
    ]
    from clientdesk.growth.queries import taken_products

    assert (
        evaluate(
            rules, {cast.acme.pk: {"diabetes_per_1000": 500.0}}, taken_products([cast.acme.pk])
        )
        == []
    )


def _small_lake(folder: Path) -> None:
    """Acme in 2025: P1 (employee, diabetes), P2 (P1's dependant, depression, one ED visit),
    P3 (employee, an office visit). Every span is the whole year: 36 member months."""
    elig = [
        eligibility_row(person_id="P1", member_id="M1", subscriber_id="M1"),
        eligibility_row(person_id="P2", member_id="M2", subscriber_id="M1"),
        eligibility_row(person_id="P3", member_id="M3", subscriber_id="M3"),
    ]
    ingest_files("eligibility", [write_csv(folder / "elig.csv", elig)], acting_user=None)
    tuva = [c.name for c in MEDICAL_CLAIM.columns if not c.extension]
    medical = [
        medical_row(
            claim_id="C1",
            person_id="P1",
            member_id="M1",
            diagnosis_code_1="E119",
            paid_amount="100.00",
        ),
        medical_row(
            claim_id="C2",
            person_id="P2",
            member_id="M2",
            diagnosis_code_1="F329",
            place_of_service_code="23",
            hcpcs_code="99283",
            paid_amount="900.00",
        ),
        medical_row(
            claim_id="C3",
            person_id="P3",
            member_id="M3",
            diagnosis_code_1="Z0000",
            paid_amount="80.00",
        ),
    ]
    for row in medical:
        row["group_id"] = ""
    result = ingest_files(
        "medical_claim", [write_csv(folder / "med.csv", medical, tuva)], acting_user=None
    )
    assert result[0].rows_rejected == 0, result[0].rejects_file
    rx_cols = [c.name for c in PHARMACY_CLAIM.columns if not c.extension]
    rx = [pharmacy_row(person_id="P1", member_id="M1", paid_amount="360.00")]
    for row in rx:
        row["group_id"] = ""
    ingest_files("pharmacy_claim", [write_csv(folder / "rx.csv", rx, rx_cols)], acting_user=None)


def test_figures_from_the_lake(cast: Cast, tmp_path: Path) -> None:
    _small_lake(tmp_path)
    figures = lake_figures(SystemActor("growth test"), [cast.acme], parse_period("2025"))
    values = figures.measures[cast.acme.pk]
    # 1 member with diabetes over 2 employees = 500 per 1,000 employees; the same for depression.
    assert values[Measure.DIABETES_PER_1000] == 500.0
    assert values[Measure.BEHAVIORAL_PER_1000] == 500.0
    assert values[Measure.CARDIO_PER_1000] == 0.0
    # One ED visit over 36 member months: 1 x 12,000 / 36.
    assert values[Measure.ED_VISITS_PER_1000] == 333.33
    # (100 + 900 + 80 + 360) / 36.
    assert values[Measure.PAID_PMPM] == 40.0
    assert figures.context[cast.acme.pk] == {
        "period": "2025",
        "members": 3,
        "member_months": 36.0,
        "employees": 2,
    }


def test_the_run_stores_suggestions_with_evidence_and_scores_them(
    cast: Cast, tmp_path: Path
) -> None:
    _small_lake(tmp_path)
    run = run_suggestions(
        SystemActor("growth test"), [cast.acme], parse_period("2025"), now=NOW, acting_user=None
    )
    codes = sorted(s.rule.product.code for s in Suggestion.objects.filter(account=cast.acme))
    # Diabetes 500 > 114.29, depression 500 > 291.67, ED 333 > 200; no cardio, no specialty.
    assert codes == ["disease_management", "eap", "nurse_line"]
    assert run.stored == {"new": 3, "updated": 0, "unchanged": 0}
    truth = [
        {"account": "G100001", "program": "disease_management", "would_pay": True},
        {"account": "G100001", "program": "eap", "would_pay": False},
        {"account": "G100001", "program": "care_management", "would_pay": True},
    ]
    codes_by_id = {
        p.pk: p.code
        for p in [
            product("disease_management"),
            product("eap"),
            product("care_management"),
            product("nurse_line"),
        ]
    }
    result = score(run.findings, truth, {cast.acme.pk: "G100001"}, codes_by_id)
    # nurse_line is not a program of the truth: only the three are scored.
    assert result["precision"] == 0.5 and result["recall"] == 0.5
    assert result["false_positives"] == ["G100001:eap"] and result["missed"] == [
        "G100001:care_management"
    ]


def test_managers_edit_the_rules(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    rule = SuggestionRule.objects.get(product__code="eap")
    response = login("mia").post(
        f"/growth/rules/{rule.pk}/",
        {
            "name": rule.name,
            "measure": rule.measure,
            "comparison": "gt",
            "threshold": "250",
            "product": rule.product_id,
            "rationale": "",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.threshold == Decimal("250.00")
    assert login("alice").post(f"/growth/rules/{rule.pk}/", {}).status_code == 403
