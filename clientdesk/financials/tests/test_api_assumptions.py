"""The financial assumptions through the API: an account's terms and each segment's admin
expense, read and changed with the pages' rules (who may, audited, version checked: 409 with
the stored values when someone saved since, 422 with the field named)."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from clientdesk.accounts.tests.test_api import api_as
from clientdesk.audit.models import AuditEvent
from clientdesk.financials.actions import do_update_terms
from clientdesk.financials.models import AccountTerms, SegmentExpense
from clientdesk.testing import Cast


def test_terms_are_read_then_patched_with_their_version(cast: Cast, client: Client) -> None:
    api = api_as(client, cast, "mia")
    url = f"/financials/accounts/{cast.acme.pk}/terms"
    fresh = api.get(url).json()
    assert fresh["version"] is None  # never saved: the defaults
    assert Decimal(fresh["premium_tax_pct"]) == AccountTerms().premium_tax_pct
    first = api.patch(url, {"vendor_pepm": "2.25"})
    assert first.status_code == 200, first.json()
    assert (Decimal(first.json()["vendor_pepm"]), first.json()["version"]) == (Decimal("2.25"), 2)
    # Only what was sent changed; the change is audited with its fields.
    terms = AccountTerms.objects.get(account=cast.acme)
    assert terms.premium_tax_pct == AccountTerms().premium_tax_pct
    event = AuditEvent.objects.filter(action="financials.terms_update").latest("pk")
    assert "vendor_pepm" in {name for name, _, _ in event.changed_fields()}
    # Someone saves in between: the client's version 2 is stale, nothing saved, 409 says why.
    do_update_terms(cast.acme, {"vendor_pepm": Decimal("3.00")}, acting_user=cast.ada)
    stale = api.patch(url, {"version": 2, "budget_pmpm": "650.00"})
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == 3 and Decimal(str(body["saved"]["vendor_pepm"])) == Decimal("3.00")
    terms.refresh_from_db()
    assert terms.budget_pmpm is None
    again = api.patch(url, {"version": 3, "budget_pmpm": "650.00"})
    assert again.status_code == 200 and again.json()["version"] == 4
    assert Decimal(again.json()["budget_pmpm"]) == Decimal("650.00")


def test_bad_terms_name_the_field_and_associates_may_not(cast: Cast, client: Client) -> None:
    url = f"/financials/accounts/{cast.acme.pk}/terms"
    mia = api_as(client, cast, "mia")
    # The schema states each column's bounds (bench/fuzz.py sent "claim_id" as a decimal, and
    # the schema took it): below 0, above 50 %, a third decimal place, text, refused by it.
    for field, value in (
        ("premium_tax_pct", "-1"),
        ("premium_tax_pct", "50.01"),
        ("quality_improvement_pct", 51),
        ("vendor_pepm", "2.255"),
        ("stop_loss_deductible", "claim_id"),
        ("budget_members", -1),
    ):
        bad = mia.patch(url, {field: value})
        assert bad.status_code == 422, (field, value)
        assert {error["loc"][1] for error in bad.json()["detail"]} == {field}
    document = client.get("/api/openapi.json").json()["components"]["schemas"]["TermsPatch"]
    assert document["properties"]["premium_tax_pct"]["anyOf"][0]["maximum"] == 50
    assert "null" not in str(document["properties"]["vendor_pepm"])
    assert mia.patch(url, {"premium_tax_pct": 50, "budget_pmpm": None}).status_code == 200
    required = api_as(client, cast, "mia").patch(url, {"vendor_pepm": None})
    assert required.status_code == 422
    assert required.json()["detail"][0]["loc"] == ["body", "vendor_pepm"]
    assert api_as(client, cast, "alice").patch(url, {"vendor_pepm": "1"}).status_code == 403
    assert api_as(client, cast, "oscar").patch(url, {"vendor_pepm": "1"}).status_code == 404
    saved = AccountTerms.objects.get(account=cast.acme)
    assert (saved.premium_tax_pct, saved.version) == (Decimal("50.00"), 2)  # made, then changed


def test_segment_expense_by_admins_with_its_version(cast: Cast, client: Client) -> None:
    ada = api_as(client, cast, "ada")
    listed = {r["segment"]: r for r in ada.get("/financials/segment-expense").json()}
    assert set(listed) == {"commercial", "public_sector", "labor_fund"}
    assert listed["commercial"]["version"] is None
    saved = ada.patch("/financials/segment-expense/commercial", {"admin_pepm": "27.50"})
    assert saved.status_code == 200, saved.json()
    assert (Decimal(saved.json()["admin_pepm"]), saved.json()["version"]) == (Decimal("27.50"), 2)
    row = SegmentExpense.objects.get(segment="commercial")
    assert (row.admin_pepm, row.admin_pmpm) == (Decimal("27.50"), Decimal("0.00"))
    stale = ada.patch("/financials/segment-expense/commercial", {"version": 1, "admin_pmpm": "1"})
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert ada.patch("/financials/segment-expense/dental", {"admin_pmpm": "1"}).status_code == 404
    mia = api_as(client, cast, "mia")
    assert mia.patch("/financials/segment-expense/commercial", {}).status_code == 403


def test_a_renewal_with_no_pnl_run_is_not_found(cast: Cast, client: Client) -> None:
    """Acme has no stored P&L: the projection does not exist yet (404 saying why), which no
    query parameter could change (it answered 422 on `query`, read as a bad parameter)."""
    response = api_as(client, cast, "mia").get(f"/financials/accounts/{cast.acme.pk}/renewal")
    assert response.status_code == 404
    assert response.json()["detail"] == (
        "Acme Steel Works has no P&L run yet (clientdesk financials pnl)"
    )
