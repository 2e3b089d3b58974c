"""Nothing lost to a second editor: accounts, contacts and problems refuse a stale save.

Two people open the same edit page (version 1); the first saves (version 2); the second's save
is refused with a 409 page that shows both versions and keeps their values in the form; saving
again from that page (it carries version 2) goes through. The API answers 409 the same way.
"""

from __future__ import annotations

from typing import Any

from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.forms import AccountForm, ContactForm
from clientdesk.accounts.models import Account, Contact
from clientdesk.audit.models import AuditEvent
from clientdesk.insights.models import Problem
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast


def _form_data(instance: Any, fields: list[str]) -> dict[str, Any]:
    data = model_to_dict(instance, fields=fields)
    return {k: ("" if v is None else v) for k, v in data.items()}


def _account_post(cast: Cast, **changes: Any) -> dict[str, Any]:
    data = _form_data(cast.acme, list(AccountForm.Meta.fields))
    data["effective_date"] = cast.acme.effective_date.isoformat()
    data["renewal_date"] = cast.acme.renewal_date.isoformat()
    return {**data, **changes}


def test_a_stale_account_save_is_refused_with_both_versions(cast: Cast) -> None:
    url = reverse("accounts:edit", args=[cast.acme.pk])
    first, second = Client(), Client()
    first.force_login(cast.mia)
    second.force_login(cast.ada)
    assert 'name="version" value="1"' in second.get(url).content.decode()

    assert first.post(url, _account_post(cast, broker="Mercer", version="1")).status_code == 302
    refused = second.post(url, _account_post(cast, broker="Aon", version="1"))

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else saved first" in page
    assert "Mercer" in page and "Aon" in page  # the saved value beside the editor's
    assert 'name="version" value="2"' in page  # saving again is a decision, with both seen
    assert Account.objects.get(pk=cast.acme.pk).broker == "Mercer"
    assert AuditEvent.objects.filter(action="account.update").count() == 1

    again = second.post(url, _account_post(cast, broker="Aon", version="2"))
    assert again.status_code == 302
    account = Account.objects.get(pk=cast.acme.pk)
    assert (account.broker, account.version) == ("Aon", 3)


def test_a_stale_contact_save_is_refused(cast: Cast, client: Client) -> None:
    contact = cast.acme_contact
    url = reverse("accounts:contact_edit", args=[cast.acme.pk, contact.pk])
    client.force_login(cast.alice)
    data = _form_data(contact, list(ContactForm.Meta.fields))
    assert client.post(url, {**data, "title": "VP Benefits", "version": "1"}).status_code == 302
    refused = client.post(url, {**data, "title": "Director", "version": "1"})
    assert refused.status_code == 409
    assert "VP Benefits" in refused.content.decode()
    assert Contact.objects.get(pk=contact.pk).title == "VP Benefits"


def test_a_stale_problem_save_is_refused(cast: Cast, client: Client) -> None:
    problem = acme_problem(cast)
    version = problem.version
    url = reverse("insights:problem_edit", args=[problem.pk])
    client.force_login(cast.mia)
    page = client.get(url).content.decode()
    assert f'name="version" value="{version}"' in page
    data = {
        "title": problem.title,
        "status": problem.status,
        "owner": cast.sam.pk,
        "root_cause_category": "",
        "description": problem.description,
        "root_cause": "The prior-auth rule misfired",
        "sponsor_summary": "",
        "fix_date": "",
        "verify_days": "14",
        "training_topic": "",
        "version": str(version),
    }
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {**data, "root_cause": "A provider file was late"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "The prior-auth rule misfired" in page and "A provider file was late" in page
    assert Problem.objects.get(pk=problem.pk).root_cause == "The prior-auth rule misfired"


def _api(client: Client, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {do_create_api_token(user, 't', acting_user=user)[1]}"}


def test_the_api_answers_409_to_a_stale_version(cast: Cast, client: Client) -> None:
    headers = _api(client, cast.mia)
    problem = acme_problem(cast)
    cases = [
        (f"/api/accounts/{cast.acme.pk}", {"broker": "Aon"}, cast.acme.version),
        (
            f"/api/accounts/{cast.acme.pk}/contacts/{cast.acme_contact.pk}",
            {"title": "CFO"},
            cast.acme_contact.version,
        ),
        (f"/api/insights/problems/{problem.pk}", {"root_cause": "late file"}, problem.version),
    ]
    for path, change, version in cases:
        ok = client.patch(
            path, {**change, "version": version}, content_type="application/json", headers=headers
        )
        assert ok.status_code == 200, (path, ok.content)
        assert ok.json()["version"] == version + 1
        stale = client.patch(
            path, {**change, "version": version}, content_type="application/json", headers=headers
        )
        assert stale.status_code == 409, path
        body = stale.json()
        assert body["version"] == version + 1
        assert set(change) <= set(body["saved"])


def test_the_api_schema_declares_the_409s(cast: Cast, client: Client) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "409" in paths["/api/accounts/{account_id}"]["patch"]["responses"]
    assert "409" in paths["/api/accounts/{account_id}/contacts/{contact_id}"]["patch"]["responses"]
    assert "409" in paths["/api/insights/problems/{problem_id}"]["patch"]["responses"]
