"""What the growth API answers to what a fuzzer sends (bench/fuzz.py found each class).

Schema-valid but unknown or retired products answer 404 (a body naming a record, as a path id
does), not a form's 422 "Select a valid choice"; a date the business calendar cannot hold and a
status the schema does not offer are refused by the schema with the field named; a rule of the
record's state (a closed opportunity, a lead that cannot move so) answers the 422 the schema
declares, a list naming the field, not a bare string.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from django.test import Client

from clientdesk.api import api as clientdesk_api
from clientdesk.growth.api import ReportedLeadStatus
from clientdesk.growth.forms import LeadStatusForm
from clientdesk.growth.models import Opportunity, Product
from clientdesk.growth.tests.cast import acme_lead, acme_opportunity, product, sales_user
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    raw = do_create_api_token(user, "t", acting_user=user)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_an_opportunity_for_a_product_not_in_the_catalogue_is_404(cast: Cast) -> None:
    api = _api(cast.mia)
    path = f"/api/growth/accounts/{cast.acme.pk}/opportunities"
    retired = product("disease_management")
    Product.objects.filter(pk=retired.pk).update(active=False)
    unknown = Product.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    for product_id in (unknown, retired.pk):
        answer = _post(api, path, {"product": product_id, "expected_close": "2026-06-30"})
        assert answer.status_code == 404
        assert answer.json() == {"detail": "product: no such record, or not one you may name here."}
    # Beyond a record id, or a year the business calendar cannot start from: the schema's 422.
    too_big = _post(api, path, {"product": 2**63, "expected_close": "2026-06-30"})
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["body", "product"]
    year_3 = _post(api, path, {"product": product("eap").pk, "expected_close": "0003-01-01"})
    assert year_3.status_code == 422
    assert year_3.json()["detail"][0]["loc"] == ["body", "expected_close"]
    nul = _post(
        api,
        path,
        {"product": product("eap").pk, "expected_close": "2026-06-30", "next_step": "\x00"},
    )
    assert nul.status_code == 422
    assert Opportunity.objects.count() == 0
    made = _post(api, path, {"product": product("eap").pk, "expected_close": "2026-06-30"})
    assert made.status_code == 201 and made.json()["stage"] == "identified"


def test_a_closed_opportunity_and_a_loss_without_reason_name_the_field(cast: Cast) -> None:
    opportunity = acme_opportunity(cast)
    api = _api(cast.mia)
    path = f"/api/growth/opportunities/{opportunity.pk}/stage"
    lost = _post(api, path, {"stage": "lost", "reason": "   "})
    assert lost.status_code == 422
    assert lost.json() == {
        "detail": [
            {"loc": ["body", "reason"], "msg": "Say why it was lost.", "type": "value_error"}
        ]
    }
    assert _post(api, path, {"stage": "won"}).status_code == 200
    closed = _post(api, path, {"stage": "negotiating"})
    assert closed.status_code == 422
    assert closed.json() == {
        "detail": [
            {"loc": ["body", "stage"], "msg": "This opportunity is closed.", "type": "value_error"}
        ]
    }
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == ("won", 2)


def test_a_lead_status_is_one_sales_reports_and_one_the_lead_can_take(cast: Cast) -> None:
    lead = acme_lead(cast)  # passed to sales
    api = _api(sales_user())
    path = f"/api/growth/leads/{lead.pk}/status"
    # The schema offers exactly what the form takes: every status but "passed".
    offered = [value for value, _label in LeadStatusForm.base_fields["status"].choices]  # type: ignore[attr-defined]
    assert sorted(get_args(ReportedLeadStatus)) == sorted(offered)
    assert _post(api, path, {"status": "passed"}).status_code == 422
    assert _post(api, path, {"status": "Accepted"}).status_code == 422
    jump = _post(api, path, {"status": "converted"})
    assert jump.status_code == 422
    assert jump.json()["detail"] == [
        {
            "loc": ["body", "status"],
            "msg": "A lead passed to sales cannot become converted.",
            "type": "value_error",
        }
    ]
    no_reason = _post(api, path, {"status": "rejected", "note": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "note"]
    ok = _post(api, path, {"status": "accepted"})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"


def test_the_schema_states_the_growth_inputs() -> None:
    document = clientdesk_api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    lead_status = schemas["LeadStatusIn"]["properties"]["status"]
    assert sorted(lead_status["enum"]) == ["accepted", "contacted", "converted", "rejected"]
    opportunity = schemas["OpportunityIn"]["properties"]
    assert opportunity["product"]["minimum"] == 1
    assert opportunity["expected_close"]["pattern"].startswith("^(19|2[01])")
    stage = document["paths"]["/api/growth/opportunities/{opportunity_id}/stage"]["post"]
    assert (
        stage["responses"]["422"]["content"]["application/json"]["schema"]["properties"]["detail"][
            "type"
        ]
        == "array"
    )
