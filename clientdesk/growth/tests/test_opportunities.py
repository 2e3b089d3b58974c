"""Opportunities: value from enrollment x price, stages and probability, history, pipeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientdesk.audit.models import AuditEvent
from clientdesk.growth import actions
from clientdesk.growth.charts import forecast_spec
from clientdesk.growth.models import Holding, OpportunityKind, Stage
from clientdesk.growth.pipeline import Deal, forecast, win_rate
from clientdesk.growth.queries import Cell, whitespace
from clientdesk.growth.tests.cast import NOW, acme_opportunity, product
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def test_value_is_enrollment_times_price_times_twelve(cast: Cast) -> None:
    opportunity = acme_opportunity(cast)
    # disease management lists at $3.00 PEPM; Acme has 1,200 employees: 3 x 1,200 x 12.
    assert opportunity.annual_value == Decimal("43200.00")
    assert opportunity.value_basis == "$3.00 PEPM × 1,200 × 12"
    assert opportunity.probability == 10
    behavioral = actions.do_create_opportunity(
        cast.acme,
        product("behavioral"),
        owner=cast.alice,
        expected_close=dt.date(2026, 9, 30),
        now=NOW,
        acting_user=cast.alice,
    )
    # behavioral lists at $2.50 PMPM on 2,900 members.
    assert behavioral.annual_value == Decimal("87000.00")
    assert AuditEvent.objects.filter(action="growth.opportunity.create").count() == 2


def test_stages_move_probability_and_keep_history(cast: Cast) -> None:
    opportunity = acme_opportunity(cast)
    moved = actions.do_move_opportunity(
        opportunity, Stage.PROPOSED, now=NOW, acting_user=cast.alice
    )
    assert moved.probability == 50
    assert moved.weighted_value == Decimal("21600.00")
    with pytest.raises(ValidationError):
        actions.do_move_opportunity(moved, Stage.LOST, now=NOW, acting_user=cast.alice)
    won = actions.do_move_opportunity(
        moved, Stage.WON, reason="Sponsor signed", now=NOW, acting_user=cast.alice
    )
    assert won.probability == 100 and won.closed_at == NOW
    assert [c.stage for c in won.changes.all()] == ["identified", "proposed", "won"]
    assert (
        Holding.objects.get(account=cast.acme, product__code="disease_management").status == "held"
    )
    with pytest.raises(ValidationError):
        actions.do_move_opportunity(won, Stage.NEGOTIATING, now=NOW, acting_user=cast.alice)


def test_whitespace_cells(cast: Cast) -> None:
    acme_opportunity(cast)
    actions.do_set_holding(
        cast.acme, product("dental"), "declined", since=dt.date(2025, 1, 1), acting_user=cast.mia
    )
    products, cells = whitespace([cast.acme], dt.date(2026, 3, 2))
    by_code = {p.code: cells[cast.acme.pk][p.pk] for p in products}
    assert by_code["medical"] == Cell.HELD  # the current contract lists medical and pharmacy
    assert by_code["pharmacy"] == Cell.HELD
    assert by_code["disease_management"] == Cell.PIPELINE
    assert by_code["dental"] == Cell.DECLINED
    assert by_code["eap"] == Cell.NOT_OFFERED


def test_forecast_by_month_and_product() -> None:
    deals = [
        Deal("EAP", "qualified", Decimal("1000"), 25, dt.date(2026, 4, 10)),
        Deal("EAP", "negotiating", Decimal("2000"), 75, dt.date(2026, 4, 20)),
        Deal("Dental", "proposed", Decimal("4000"), 50, dt.date(2026, 5, 1)),
        Deal("Dental", "won", Decimal("500"), 100, dt.date(2026, 3, 1)),
        Deal("Dental", "lost", Decimal("700"), 0, dt.date(2026, 3, 1)),
    ]
    result = forecast(deals)
    assert [(r.key, r.open_count, r.open_value, r.weighted) for r in result.by_month] == [
        ("2026-03", 0, Decimal("0"), Decimal("0")),
        ("2026-04", 2, Decimal("3000"), Decimal("1750.00")),
        ("2026-05", 1, Decimal("4000"), Decimal("2000.00")),
    ]
    assert result.weighted == Decimal("3750.00") and result.won_value == Decimal("500")
    assert [r.key for r in result.by_product] == ["Dental", "EAP"]
    assert win_rate(3, 1) == Decimal("75.0") and win_rate(0, 0) is None


def test_renewals_are_opportunities_of_their_own_kind(cast: Cast) -> None:
    made = actions.do_open_renewals(
        [cast.acme, cast.bayside],
        product("medical"),
        owner_of={cast.acme.pk: cast.alice},
        within_days=365,
        today=dt.date(2026, 3, 2),
        now=NOW,
        acting_user=cast.mia,
    )
    assert made == 1  # Bayside renews in 2027-07, Acme on 2027-01-01; only Acme has an owner here
    renewal = acme_opportunity(cast)
    assert renewal.kind == OpportunityKind.RENEWAL
    # $38.50 PEPM admin fee x 1,200 employees x 12.
    assert renewal.annual_value == Decimal("554400.00")
    again = actions.do_open_renewals(
        [cast.acme],
        product("medical"),
        owner_of={cast.acme.pk: cast.alice},
        within_days=365,
        today=dt.date(2026, 3, 2),
        now=NOW,
        acting_user=cast.mia,
    )
    assert again == 0


def test_growth_tab_and_pipeline_pages(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    acme_opportunity(cast)
    client: Client = login("alice")
    tab = client.get(f"/accounts/{cast.acme.pk}/tab/growth/")
    assert tab.status_code == 200
    body = tab.content.decode()
    assert "Whitespace" in body and "Disease management (diabetes)" in body and "$43,200.00" in body
    page = login("eve").get("/growth/")
    assert page.status_code == 200 and "$43,200.00" in page.content.decode()
    response = login("alice").post(
        f"/growth/accounts/{cast.acme.pk}/opportunities/new/",
        {"product": product("eap").pk, "kind": "cross_sell", "expected_close": "2026-08-31"},
    )
    assert response.status_code == 302
    assert "/growth/opportunities/" in response["Location"]


def test_forecast_chart_spec() -> None:
    deals = [
        Deal("EAP", Stage.PROPOSED, Decimal("25200"), 50, dt.date(2026, 3, 31)),
        Deal("EAP", Stage.IDENTIFIED, Decimal("10000"), 10, dt.date(2026, 3, 5)),
        Deal("Dental", Stage.WON, Decimal("50400"), 100, dt.date(2026, 4, 30)),
        Deal("Vision", Stage.NEGOTIATING, Decimal("18000"), 75, dt.date(2026, 5, 15)),
    ]
    spec = forecast_spec(forecast(deals))
    assert spec is not None
    # March: 25,200 + 10,000 open, 12,600 + 1,000 weighted; April only won (no bar); May:
    # 18,000 open, 13,500 weighted.
    assert [(r["month"], r["measure"], r["value"]) for r in spec["data"]["values"]] == [
        ("Mar 2026", "Open value", 35200.0),
        ("Mar 2026", "Weighted", 13600.0),
        ("May 2026", "Open value", 18000.0),
        ("May 2026", "Weighted", 13500.0),
    ]
    assert spec["encoding"]["x"]["sort"] == ["Mar 2026", "May 2026"]
    assert forecast_spec(forecast(deals[2:3])) is None


def test_pipeline_page_draws_the_forecast(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    acme_opportunity(cast)  # $43,200 closing June 2026, identified (10 %)
    body = login("mia").get("/growth/").content.decode()
    assert 'data-spec="chart-forecast"' in body and '"month": "Jun 2026"' in body
    assert "<td>Jun 2026</td>" in body
