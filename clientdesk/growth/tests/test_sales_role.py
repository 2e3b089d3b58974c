"""The Sales role: leads and opportunities passed to it, never an account's data or members."""

from __future__ import annotations

import pytest

from clientdesk.accounts.access import accounts_visible_to, visible_account_ids
from clientdesk.growth import actions
from clientdesk.growth.models import Stage
from clientdesk.growth.tests.cast import NOW, acme_opportunity, sales_user
from clientdesk.lake.gateway import scope_of
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def test_sales_sees_no_account_and_no_lake(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    sal = sales_user()
    assert list(accounts_visible_to(sal)) == []
    assert visible_account_ids(sal) == []
    scope = scope_of(sal).account_ids
    assert scope is not None and len(scope) == 0
    client.force_login(sal)
    for url in (
        f"/accounts/{cast.acme.pk}/",
        f"/accounts/{cast.acme.pk}/tab/growth/",
        f"/accounts/{cast.acme.pk}/tab/utilization/",
        f"/utilization/accounts/{cast.acme.pk}/",
    ):
        assert client.get(url).status_code in (403, 404), url
    for url in ("/growth/rfps/", "/growth/library/", "/growth/vendors/", "/utilization/"):
        assert client.get(url).status_code in (403, 404), url


def test_sales_works_the_opportunities_passed_to_it(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    sal = sales_user()
    mine = actions.do_create_opportunity(
        cast.acme,
        acme_opportunity(cast).product,
        owner=sal,
        expected_close=acme_opportunity(cast).expected_close,
        now=NOW,
        acting_user=cast.mia,
    )
    client.force_login(sal)
    page = client.get("/growth/").content.decode()
    assert f"/growth/opportunities/{mine.pk}/" in page
    assert f"/growth/opportunities/{acme_opportunity(cast).pk}/" not in page  # alice's
    detail = client.get(f"/growth/opportunities/{mine.pk}/").content.decode()
    assert "Acme Steel Works" in detail and f"/accounts/{cast.acme.pk}/" not in detail
    assert client.get(f"/growth/opportunities/{acme_opportunity(cast).pk}/").status_code == 404
    assert (
        client.post(
            f"/growth/opportunities/{mine.pk}/stage/", {"stage": Stage.QUALIFIED}
        ).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.stage == Stage.QUALIFIED and mine.probability == 25


def test_sales_top_bar(cast: Cast, client) -> None:  # type: ignore[no-untyped-def]
    from clientdesk.web.context import navigation_groups

    groups = [
        (g.label, [link.label for link in g.links])
        for g in navigation_groups(sales_user(), ("", "home"))
    ]
    assert ("Accounts", ["Accounts"]) not in groups
    assert ("Growth", ["Pipeline", "Leads"]) in groups
    client.force_login(sales_user())
    assert client.get("/").status_code == 200
