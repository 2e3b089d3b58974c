"""Two people on one opportunity or one RFP answer: the second save, made on what they read
before the first, is refused with both versions on the page, and 409 on the API."""

from __future__ import annotations

import pytest
from django.test import Client

from clientdesk.growth import actions
from clientdesk.growth.tests.cast import NOW, acme_opportunity, acme_rfp
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def test_a_stale_rfp_answer_is_refused_with_both_versions(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    rfp = acme_rfp(cast)
    question = rfp.questions.get(number="2.1")
    url = f"/growth/rfps/{rfp.pk}/questions/{question.pk}/answer/"
    assert question.version == 1
    page = login("alice").get(f"/growth/rfps/{rfp.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    mia, alice = login("mia"), Client()
    alice.force_login(cast.alice)
    assert mia.post(url, {"answer": "98.1% first pass in 2025.", "version": "1"}).status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.version) == ("98.1% first pass in 2025.", 2)

    stale = alice.post(url, {"answer": "About 97%.", "version": "1"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved first" in html
    assert "98.1% first pass in 2025." in html and "About 97%." in html  # both versions
    assert 'name="version" value="2"' in html  # saving again is a decision
    question.refresh_from_db()
    assert (question.answer, question.version) == ("98.1% first pass in 2025.", 2)

    again = alice.post(url, {"answer": "About 97%.", "version": "2"})
    assert again.status_code == 302
    question.refresh_from_db()
    assert (question.answer, question.version) == ("About 97%.", 3)


def test_filling_from_the_library_moves_the_version(cast: Cast) -> None:
    rfp = acme_rfp(cast)
    question = rfp.questions.get(number="2.1")
    actions.do_answer_question(
        question, answer="x", library_answer=None, now=NOW, acting_user=cast.mia
    )
    question.refresh_from_db()
    assert question.version == 2


def test_a_stale_stage_move_is_refused_on_the_page_and_the_api(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    opportunity = acme_opportunity(cast)
    url = f"/growth/opportunities/{opportunity.pk}/stage/"
    assert (
        'name="version" value="1"'
        in login("alice").get(f"/growth/opportunities/{opportunity.pk}/").content.decode()
    )
    mia = login("mia")
    moved = mia.post(url, {"stage": "proposed", "next_step": "Send the quote", "version": "1"})
    assert moved.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.next_step, opportunity.version) == (
        "proposed",
        "Send the quote",
        2,
    )
    alice = Client()
    alice.force_login(cast.alice)
    stale = alice.post(url, {"stage": "qualified", "next_step": "Call HR", "version": "1"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Send the quote" in html and "Call HR" in html
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.version) == ("proposed", 2)

    raw = do_create_api_token(cast.alice, "t", acting_user=cast.alice)[1]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    path = f"/api/growth/opportunities/{opportunity.pk}/stage"
    conflict = api.post(path, {"stage": "qualified", "version": 1}, content_type="application/json")
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["version"] == 2 and body["saved"]["next_step"] == "Send the quote"
    assert "version 1" in body["detail"]
    ok = api.post(path, {"stage": "qualified", "version": 2}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 3


def test_a_stale_rule_save_is_refused_with_both_versions(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    from clientdesk.growth.models import SuggestionRule

    rule = SuggestionRule.objects.get(product__code="disease_management")
    url = f"/growth/rules/{rule.pk}/"
    first = login("mia")
    form = first.get(url)
    assert 'name="version" value="1"' in form.content.decode()
    fields = {
        "name": rule.name,
        "measure": rule.measure,
        "comparison": rule.comparison,
        "threshold": "120.00",
        "product": rule.product_id,
        "rationale": "Raised after the 2025 review",
        "active": "on",
        "version": "1",
    }
    assert first.post(url, fields).status_code == 302
    rule.refresh_from_db()
    assert (str(rule.threshold), rule.version) == ("120.00", 2)
    other = Client()
    other.force_login(cast.ada)
    stale = other.post(url, {**fields, "threshold": "99.00", "rationale": "Lowered"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Raised after the 2025 review" in html and "Lowered" in html
    assert 'name="version" value="2"' in html
    rule.refresh_from_db()
    assert (str(rule.threshold), rule.version) == ("120.00", 2)


def test_a_stale_lead_status_is_refused_on_the_page_and_the_api(cast: Cast) -> None:
    from clientdesk.growth.tests.cast import acme_lead, sales_user

    lead = acme_lead(cast)
    url = f"/growth/leads/{lead.pk}/"
    sal_user = sales_user()
    sal, mia = Client(), Client()
    sal.force_login(sal_user)
    mia.force_login(cast.mia)
    assert lead.version == 1
    assert 'name="version" value="1"' in sal.get(url).content.decode()
    assert 'name="version" value="1"' in mia.get(url).content.decode()

    assert mia.post(url, {"status": "accepted", "note": "", "version": "1"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("accepted", 2)

    note = "Already insured through their broker"
    stale = sal.post(url, {"status": "rejected", "note": note, "version": "1"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "Someone else saved first" in html
    assert "Accepted" in html and "Rejected" in html and note in html  # both versions
    assert 'name="version" value="2"' in html
    lead.refresh_from_db()
    assert (lead.status, lead.reason, lead.version) == ("accepted", "", 2)

    assert sal.post(url, {"status": "contacted", "note": "", "version": "2"}).status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("contacted", 3)

    raw = do_create_api_token(sal_user, "t", acting_user=sal_user)[1]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    path = f"/api/growth/leads/{lead.pk}/status"
    conflict = api.post(
        path, {"status": "converted", "version": 2}, content_type="application/json"
    )
    assert conflict.status_code == 409
    body = conflict.json()
    assert body["version"] == 3 and body["saved"]["status"] == "contacted"
    lead.refresh_from_db()
    assert (lead.status, lead.version) == ("contacted", 3)
    ok = api.post(path, {"status": "converted", "version": 3}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 4
    assert ok.json()["status"] == "converted"
    # The list shows each lead's version, for the next save.
    assert api.get("/api/growth/leads").json()[0]["version"] == 4


def test_a_stale_holding_is_refused_with_both_versions(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    from clientdesk.growth.models import Holding
    from clientdesk.growth.tests.cast import product

    dm = product("disease_management")
    url = f"/growth/accounts/{cast.acme.pk}/holdings/"
    tab = f"/accounts/{cast.acme.pk}/tab/growth/"
    alice = login("alice")
    bob = Client()
    bob.force_login(cast.bob)
    # The tab's form offers every product, each with the version of its holding (0: none).
    assert f'name="seen_{dm.pk}" value="0"' in bob.get(tab).content.decode()
    held = {"product": dm.pk, "status": "held", "since": "2026-01-01", "note": "signed"}
    assert alice.post(url, {**held, f"seen_{dm.pk}": "0"}).status_code == 302
    stored = Holding.objects.get(account=cast.acme, product=dm)
    assert (stored.status, stored.version) == ("held", 1)
    assert f'name="seen_{dm.pk}" value="1"' in bob.get(tab).content.decode()

    declined = {**held, "status": "declined", "note": "too dear"}
    refused = bob.post(url, {**declined, f"seen_{dm.pk}": "0"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    assert "<td>Held</td><td>Declined</td>" in html and "<td>signed</td><td>too dear</td>" in html
    assert 'name="version" value="1"' in html
    stored.refresh_from_db()
    assert (stored.status, stored.note, stored.version) == ("held", "signed", 1)

    again = bob.post(url, {**declined, "version": "1"})  # from the 409 page
    assert again.status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.note, stored.version) == ("declined", "too dear", 2)


def test_a_stale_rfp_outcome_is_refused_with_both_versions(cast: Cast, login) -> None:  # type: ignore[no-untyped-def]
    from clientdesk.growth.models import Rfp

    rfp = acme_rfp(cast)
    url = f"/growth/rfps/{rfp.pk}/outcome/"
    mia = login("mia")
    ada = Client()
    ada.force_login(cast.ada)
    page = ada.get(f"/growth/rfps/{rfp.pk}/").content.decode()
    assert 'name="version" value="1"' in page[page.index(url) :]

    assert mia.post(url, {"status": "won", "competitor": "", "version": "1"}).status_code == 302
    lost = {"status": "lost", "reason": "Price", "competitor": "Aetna", "version": "1"}
    refused = ada.post(url, lost)
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "<td>Won</td><td>Lost</td>" in html and "<td>—</td><td>Aetna</td>" in html
    assert 'name="version" value="2"' in html
    stored = Rfp.objects.get(pk=rfp.pk)
    assert (stored.status, stored.competitor, stored.version) == ("won", "", 2)

    assert ada.post(url, {**lost, "version": "2"}).status_code == 302
    stored.refresh_from_db()
    assert (stored.status, stored.outcome_reason, stored.competitor, stored.version) == (
        "lost",
        "Price",
        "Aetna",
        3,
    )
