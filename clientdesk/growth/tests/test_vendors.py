"""Vendor deals negotiated for a sponsor: the savings and their method, the negotiation log,
and the call to action a renewal raises (lib/calls.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clientdesk.growth import actions
from clientdesk.growth.panels import vendor_renewals
from clientdesk.growth.savings import fee_savings, months_between
from clientdesk.growth.tests.cast import acme_vendor_contract
from clientdesk.lib.calls import CALL_RULES
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def test_savings_arithmetic() -> None:
    assert months_between(dt.date(2026, 1, 1), dt.date(2027, 12, 31)) == 24
    pepm = fee_savings(
        "pepm", Decimal("2.50"), Decimal("1.90"), 1200, dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    )
    # 0.60 x 1,200 employees x 24 months.
    assert pepm.total == Decimal("17280.00") and pepm.annual == Decimal("8640.00")
    assert "1,200 employees" in pepm.method and "24 months" in pepm.method
    case = fee_savings(
        "per_case", Decimal("900"), Decimal("750"), 40, dt.date(2026, 7, 1), dt.date(2027, 6, 30)
    )
    assert case.total == Decimal("6000.00")  # 150 x 40 cases a year x 1 year
    share = fee_savings(
        "pct_savings", Decimal("25"), Decimal("20"), 0, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    assert share.total == Decimal("0.00") and "no fixed amount" in share.method


def test_the_deal_shows_on_the_account_with_its_log(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    contract = acme_vendor_contract(cast)
    actions.do_log_negotiation(
        contract,
        {
            "on": dt.date(2025, 11, 3),
            "kind": "ask",
            "text": "Asked for $1.75 PEPM",
            "fee": Decimal("1.75"),
        },
        acting_user=cast.mia,
    )
    actions.do_log_negotiation(
        contract,
        {
            "on": dt.date(2025, 11, 20),
            "kind": "concession",
            "text": "Settled at $1.90 with 6 sessions",
            "fee": Decimal("1.90"),
        },
        acting_user=cast.mia,
    )
    tab = login("bob").get(f"/accounts/{cast.acme.pk}/tab/growth/").content.decode()
    assert "MindBridge EAP" in tab and "$17,280.00" in tab
    page = login("eve").get(f"/growth/vendor-contracts/{contract.pk}/").content.decode()
    assert (
        "Settled at $1.90 with 6 sessions" in page and "Enrollment is held at the contract" in page
    )


def test_a_renewal_raises_a_call_to_action(cast: Cast) -> None:
    contract = acme_vendor_contract(cast)  # ends 2027-12-31
    rule = CALL_RULES.get("growth_vendor_renewal")
    assert rule is not None
    assert list(rule.find(dt.datetime(2027, 6, 1, 15, tzinfo=dt.UTC))) == []
    causes = list(vendor_renewals(dt.datetime(2027, 11, 1, 15, tzinfo=dt.UTC)))
    assert [(c.account_id, c.key, c.due) for c in causes] == [
        (cast.acme.pk, f"vendor_contract:{contract.pk}:2027-12-31", dt.date(2027, 12, 1))
    ]
    assert "in 60 days" in causes[0].reason


def test_account_measures(cast: Cast) -> None:
    from clientdesk.growth.tests.cast import acme_opportunity
    from clientdesk.lib.measures import ACCOUNT_MEASURES

    acme_vendor_contract(cast)
    acme_opportunity(cast)
    savings = ACCOUNT_MEASURES.get("growth_vendor_savings")
    pipeline = ACCOUNT_MEASURES.get("growth_weighted_pipeline")
    assert savings is not None and pipeline is not None
    # 17,280 over 24 months = 8,640 a year; 43,200 x 10 %.
    assert (
        savings.compute([cast.acme.pk, cast.bayside.pk], dt.date(2026, 6, 1))[cast.acme.pk].value
        == 8640.0
    )
    assert savings.compute([cast.acme.pk], dt.date(2028, 6, 1)) == {}
    assert pipeline.compute([cast.acme.pk], dt.date(2026, 6, 1))[cast.acme.pk].value == 4320.0


def test_vendor_contracts_api(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    from clientdesk.people.tokens import do_create_api_token

    acme_vendor_contract(cast)
    _, raw = do_create_api_token(cast.bob, "test", acting_user=cast.bob)
    response = client.get(
        f"/api/growth/accounts/{cast.acme.pk}/vendor-contracts",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    [row] = response.json()
    assert row["vendor"] == "MindBridge EAP" and row["savings_total"] == "17280.00"
