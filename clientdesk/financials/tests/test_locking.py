"""Optimistic locking of the financial assumptions: a save from a page opened before someone
else's save is refused with 409, both versions shown, nothing saved; saving again from the
conflict page (which carries the new version) goes through."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from clientdesk.financials.actions import do_update_segment_expense, do_update_terms
from clientdesk.financials.models import AccountTerms, SegmentExpense
from clientdesk.testing import Cast

Login = Callable[[str], Client]

TERMS = {
    "stop_loss_premium_pepm": "0",
    "stop_loss_deductible": "100000",
    "vendor_pepm": "2.00",
    "premium_tax_pct": "2.5",
    "quality_improvement_pct": "0.8",
    "budget_pmpm": "",
    "budget_members": "",
    "average_deductible": "0",
}


def test_a_stale_terms_save_is_refused_with_both_versions(cast: Cast, login: Login) -> None:
    # The first save creates the row (version 1) and changes it: version 2.
    do_update_terms(cast.acme, {"vendor_pepm": Decimal("1.00")}, acting_user=cast.mia)
    url = reverse("financials:terms", kwargs={"account_id": cast.acme.pk})
    mia = login("mia")
    page = mia.get(url).content.decode()
    assert '<input type="hidden" name="version" value="2">' in page
    # Ada (admin) saves first: version 3, vendor 1.50.
    do_update_terms(
        cast.acme, {"vendor_pepm": Decimal("1.50")}, acting_user=cast.ada, expected_version=2
    )
    stale = mia.post(url, {**TERMS, "version": "2"})
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "Someone else saved first" in body and "(differs)" in body
    assert "1.50" in body and "2.00" in body  # saved now and yours, side by side
    assert '<input type="hidden" name="version" value="3">' in body
    terms = AccountTerms.objects.get(account=cast.acme)
    assert (terms.vendor_pepm, terms.version) == (Decimal("1.50"), 3)
    # Saving again from the conflict page, with the version it shows, keeps Mia's values.
    again = mia.post(url, {**TERMS, "version": "3"})
    assert again.status_code == 302
    terms.refresh_from_db()
    assert (terms.vendor_pepm, terms.version) == (Decimal("2.00"), 4)


def test_a_stale_segment_expense_save_is_refused(cast: Cast, login: Login) -> None:
    do_update_segment_expense("commercial", {"admin_pepm": Decimal("30")}, acting_user=cast.ada)
    url = reverse("financials:expense")
    ada = login("ada")
    page = ada.get(url).content.decode()
    assert '<input type="hidden" name="version_commercial" value="2">' in page
    do_update_segment_expense(
        "commercial", {"admin_pepm": Decimal("31")}, acting_user=cast.ada, expected_version=2
    )
    data = {"segment": "commercial", "admin_pmpm": "0", "admin_pepm": "32"}
    stale = ada.post(url, {**data, "version_commercial": "2"})
    assert stale.status_code == 409
    assert "Someone else saved first" in stale.content.decode()
    row = SegmentExpense.objects.get(segment="commercial")
    assert (row.admin_pepm, row.version) == (Decimal("31.00"), 3)
    assert ada.post(url, {**data, "version_commercial": "3"}).status_code == 302
    row.refresh_from_db()
    assert (row.admin_pepm, row.version) == (Decimal("32.00"), 4)
    # A segment never saved has no version to be stale against.
    assert (
        ada.post(url, {"segment": "labor_fund", "admin_pmpm": "1", "admin_pepm": "20"}).status_code
        == 302
    )
