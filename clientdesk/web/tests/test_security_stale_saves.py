"""Nothing lost to a second editor: accounts, contacts, contracts, problems, guarantees and
corrective actions refuse a stale save.

Two people open the same edit page (version 1); the first saves (version 2); the second's save
is refused with a 409 page that shows both versions and keeps their values in the form; saving
again from that page (it carries version 2) goes through. The API answers 409 the same way.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.forms import AccountForm, ContactForm, ContractForm
from clientdesk.accounts.models import Account, Contact
from clientdesk.audit.models import AuditEvent
from clientdesk.guarantees.forms import GuaranteeForm
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.insights.models import CorrectiveAction, Problem
from clientdesk.insights.tests.cast import acme_action, acme_problem
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


def _as_posted(form: Any) -> dict[str, Any]:
    """What the edit page's form posts back unchanged (its fields' shown values)."""
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.name] = "on"
            continue
        data[bound.name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def _refuses_a_stale_page_save(
    client: Client, url: str, data: dict[str, Any], field: str, first: str, second: str
) -> str:
    """Saves `first` from version 1, then `second` from version 1 again: the second is 409 with
    both values on the page and the new version in the form. Returns the refused page."""
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page, url
    saved = client.post(url, {**data, field: first, "version": "1"})
    assert saved.status_code == 302, (url, saved.content[:2000])
    refused = client.post(url, {**data, field: second, "version": "1"})
    assert refused.status_code == 409, url
    text = refused.content.decode()
    assert first in text and second in text
    assert 'name="version" value="2"' in text
    return text


def test_a_stale_contract_save_is_refused(cast: Cast, client: Client) -> None:
    contract = cast.acme_contract
    url = reverse("accounts:contract_edit", args=[cast.acme.pk, contract.pk])
    client.force_login(cast.mia)
    data = _as_posted(ContractForm(instance=contract, account=cast.acme))
    _refuses_a_stale_page_save(client, url, data, "admin_fee_pepm", "31.50", "29.75")
    contract.refresh_from_db()
    assert (contract.admin_fee_pepm, contract.version) == (Decimal("31.50"), 2)


def test_a_stale_guarantee_save_is_refused(cast: Cast, client: Client) -> None:
    guarantee = acme_guarantee(cast)
    url = reverse("guarantees:edit", args=[cast.acme.pk, guarantee.pk])
    client.force_login(cast.mia)
    data = _as_posted(GuaranteeForm(instance=guarantee, account=cast.acme))
    _refuses_a_stale_page_save(client, url, data, "label", "Calls answered fast", "Calls, 30s")
    guarantee.refresh_from_db()
    assert (guarantee.label, guarantee.version) == ("Calls answered fast", 2)


def test_a_stale_corrective_action_save_is_refused(cast: Cast, client: Client) -> None:
    action = acme_action(cast)
    CorrectiveAction.objects.filter(pk=action.pk).update(notes="Call the vendor")
    url = reverse("insights:action_update", args=[action.problem_id, action.pk])
    client.force_login(cast.mia)
    page = client.get(reverse("insights:problem_detail", args=[action.problem_id]))
    assert f'name="version" value="{action.version}"' in page.content.decode()
    done = client.post(url, {"status": "done", "version": str(action.version)})
    assert done.status_code == 302
    refused = client.post(url, {"status": "in_progress", "version": str(action.version)})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Someone else saved this corrective action" in text
    assert f'name="version" value="{action.version + 1}"' in text
    action.refresh_from_db()
    assert (action.status, action.notes) == ("done", "Call the vendor")  # notes not emptied


def test_the_api_answers_409_to_stale_guarantees_and_actions(cast: Cast, client: Client) -> None:
    headers = _api(client, cast.mia)
    guarantee = acme_guarantee(cast)
    action = acme_action(cast)
    cases = [
        (f"/api/guarantees/{cast.acme.pk}/{guarantee.pk}", {"label": "Fast answers"}),
        (
            f"/api/insights/problems/{action.problem_id}/actions/{action.pk}",
            {"status": "done", "notes": "closed"},
        ),
    ]
    for path, change in cases:
        ok = client.patch(
            path, {**change, "version": 1}, content_type="application/json", headers=headers
        )
        assert ok.status_code == 200, (path, ok.content)
        assert ok.json()["version"] == 2
        stale = client.patch(
            path, {**change, "version": 1}, content_type="application/json", headers=headers
        )
        assert stale.status_code == 409, path
        assert stale.json()["version"] == 2
        assert set(change) <= set(stale.json()["saved"])
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "409" in paths["/api/guarantees/{account_id}/{guarantee_id}"]["patch"]["responses"]
    actions_path = "/api/insights/problems/{problem_id}/actions/{action_id}"
    assert "409" in paths[actions_path]["patch"]["responses"]


def test_a_stale_escalation_save_is_refused_with_both_versions(cast: Cast, client: Client) -> None:
    from clientdesk.inquiries.models import AccountEscalation
    from clientdesk.inquiries.tests.cast import acme_escalation

    escalation = acme_escalation(cast)
    url = reverse("inquiries:escalation_update", args=[escalation.pk])
    page = reverse("inquiries:escalation_detail", args=[escalation.pk])
    other = Client()
    client.force_login(cast.mia)
    other.force_login(cast.alice)
    assert 'name="version" value="1"' in client.get(page).content.decode()
    first = {"severity": "critical", "status": "open", "owner": cast.mia.pk, "version": "1"}
    assert client.post(url, {**first, "resolution": ""}).status_code == 302
    saved = AccountEscalation.objects.get(pk=escalation.pk)
    assert (saved.severity, saved.version) == ("critical", 2)

    mine = {"severity": "medium", "status": "resolved", "owner": cast.mia.pk, "version": "1"}
    refused = other.post(url, {**mine, "resolution": "Backlog cleared by the claims team."})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    assert "Critical" in html and "Medium" in html  # the saved severity and theirs
    assert "Backlog cleared by the claims team." in html  # their values stay in the form
    assert 'name="version" value="2"' in html
    saved.refresh_from_db()
    assert (saved.severity, saved.status, saved.version) == ("critical", "open", 2)
    assert AuditEvent.objects.filter(action="escalation.update").count() == 1

    again = other.post(url, {**mine, "version": "2", "resolution": "Backlog cleared."})
    assert again.status_code == 302
    saved.refresh_from_db()
    assert (saved.severity, saved.status, saved.version) == ("medium", "resolved", 3)


def test_a_stale_guarantee_terms_save_is_refused(cast: Cast, client: Client) -> None:
    from clientdesk.guarantees.models import GuaranteeTerms

    url = reverse("guarantees:terms", args=[cast.acme.pk, cast.acme_contract.pk])
    terms = {
        "pool_pct_of_fees": "10.00",
        "max_share_pct": "20.00",
        "report_lag_days": "60",
        "reconciliation_lag_days": "60",
        "payment_lag_days": "90",
    }
    client.force_login(cast.mia)
    assert client.post(url, terms).status_code == 302  # made: version 1
    assert 'name="version" value="1"' in client.get(url).content.decode()
    assert client.post(url, {**terms, "max_share_pct": "25.00", "version": "1"}).status_code == 302
    saved = GuaranteeTerms.objects.get(contract=cast.acme_contract)
    assert (saved.max_share_pct, saved.version) == (Decimal("25.00"), 2)

    other = Client()
    other.force_login(cast.ada)
    refused = other.post(url, {**terms, "max_share_pct": "15.00", "version": "1"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html and "25.00" in html and "15.00" in html
    assert 'name="version" value="2"' in html
    saved.refresh_from_db()
    assert (saved.max_share_pct, saved.version) == (Decimal("25.00"), 2)


def test_a_stale_sla_policy_save_is_refused_with_both_versions(cast: Cast, client: Client) -> None:
    from clientdesk.inquiries.models import SlaPolicy
    from clientdesk.inquiries.tests.cast import first_policy

    policy = first_policy(cast)  # "Standard": 8 h first response, 40 h resolution
    url = reverse("inquiries:policy_edit", args=[policy.pk])
    standard = {"name": "Standard", "tier": "", "category": "", "priority": ""}
    other = Client()
    client.force_login(cast.mia)
    other.force_login(cast.ada)
    assert 'name="version" value="1"' in client.get(url).content.decode()
    assert 'name="version" value="1"' in other.get(url).content.decode()
    first = {**standard, "first_response_hours": "6", "resolution_hours": "40", "is_active": "on"}
    assert client.post(url, {**first, "version": "1"}).status_code == 302
    saved = SlaPolicy.objects.get(pk=policy.pk)
    assert (saved.first_response_hours, saved.version) == (Decimal("6.00"), 2)

    mine = {**standard, "first_response_hours": "8", "resolution_hours": "32", "is_active": "on"}
    refused = other.post(url, {**mine, "version": "1"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    # First response: saved 6.00, theirs 8 (differs); resolution: saved 40.00, theirs 32.
    assert "<td>6.00</td><td>8</td>" in html and "<td>40.00</td><td>32</td>" in html
    assert 'name="version" value="2"' in html
    saved.refresh_from_db()
    assert (saved.first_response_hours, saved.resolution_hours, saved.version) == (
        Decimal("6.00"),
        Decimal("40.00"),
        2,
    )
    assert AuditEvent.objects.filter(action="sla_policy.update").count() == 1

    # A page sent back for an error keeps the version its editor started from.
    invalid = other.post(url, {**mine, "resolution_hours": "2", "version": "1"})
    assert invalid.status_code == 422 and 'name="version" value="1"' in invalid.content.decode()

    again = other.post(url, {**mine, "version": "2"})
    assert again.status_code == 302
    saved.refresh_from_db()
    assert (saved.first_response_hours, saved.resolution_hours, saved.version) == (
        Decimal("8.00"),
        Decimal("32.00"),
        3,
    )


def test_a_stale_routing_rule_is_refused_with_both_versions(cast: Cast) -> None:
    from clientdesk.inquiries.models import RoutingRule

    page = reverse("inquiries:routing")
    url = reverse("inquiries:routing_rule")
    mia, ada = Client(), Client()
    mia.force_login(cast.mia)
    ada.force_login(cast.ada)
    # Acme has no rule yet (the default): the page posts no version for it, and says so.
    shown = ada.get(page).content.decode()
    assert 'name="versions_shown" value="1"' in shown and f"seen_{cast.acme.pk}" not in shown
    seen = {"account": cast.acme.pk, "versions_shown": "1"}

    assert mia.post(url, {**seen, "method": "round_robin"}).status_code == 302
    refused = ada.post(url, {**seen, "method": "manual", "use_competence": "on"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    assert "<td>Round robin over the account team</td><td>Leave in the queue</td>" in html
    assert "<td>No</td><td>Yes</td>" in html
    assert f'name="seen_{cast.acme.pk}" value="1"' in html  # saving again sees version 1
    rule = RoutingRule.objects.get(account=cast.acme)
    assert (rule.method, rule.use_competence, rule.version) == ("round_robin", False, 1)

    again = {**seen, "method": "manual", "use_competence": "on", f"seen_{cast.acme.pk}": "1"}
    assert ada.post(url, again).status_code == 302
    rule.refresh_from_db()
    assert (rule.method, rule.use_competence, rule.version) == ("manual", True, 2)
    # Mia, still on version 1, sends Acme back to the default: refused, the rule stays.
    stale_reset = {**seen, "method": "", f"seen_{cast.acme.pk}": "1"}
    assert mia.post(url, stale_reset).status_code == 409
    assert RoutingRule.objects.filter(account=cast.acme, version=2).exists()


def test_a_rule_removed_and_set_again_does_not_take_a_stale_save(cast: Cast) -> None:
    """A page showed Acme's rule at version 1; meanwhile it was removed and a new one set. The
    new rule goes on from the removed one's version (2), so the page's version 1 is refused
    instead of matching a restarted counter."""
    from clientdesk.inquiries.actions import do_set_routing_rule
    from clientdesk.inquiries.models import RoutingRule

    url = reverse("inquiries:routing_rule")
    do_set_routing_rule(cast.acme, "round_robin", False, acting_user=cast.mia)
    ada = Client()
    ada.force_login(cast.ada)
    shown = ada.get(reverse("inquiries:routing")).content.decode()
    assert f'name="seen_{cast.acme.pk}" value="1"' in shown

    do_set_routing_rule(cast.acme, None, False, acting_user=cast.mia, expected_version=1)
    do_set_routing_rule(cast.acme, "least_loaded", True, acting_user=cast.mia, expected_version=0)
    assert RoutingRule.objects.get(account=cast.acme).version == 2

    seen = {"account": cast.acme.pk, "versions_shown": "1", f"seen_{cast.acme.pk}": "1"}
    refused = ada.post(url, {**seen, "method": "manual"})
    assert refused.status_code == 409
    assert f'name="seen_{cast.acme.pk}" value="2"' in refused.content.decode()
    rule = RoutingRule.objects.get(account=cast.acme)
    assert (rule.method, rule.use_competence, rule.version) == ("least_loaded", True, 2)


def test_a_stale_competence_set_is_refused_with_both_sets(cast: Cast) -> None:
    from clientdesk.inquiries.models import Competence

    page = reverse("inquiries:routing")
    url = reverse("inquiries:competences")
    mia, ada = Client(), Client()
    mia.force_login(cast.mia)
    ada.force_login(cast.ada)
    assert f'name="competences_{cast.bob.pk}" value=""' in ada.get(page).content.decode()
    seen = {"user": cast.bob.pk, "versions_shown": "1", f"competences_{cast.bob.pk}": ""}

    assert mia.post(url, {**seen, "categories": ["pharmacy", "claims"]}).status_code == 302
    refused = ada.post(url, {**seen, "categories": ["eligibility_enrollment"]})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved Bob" in html
    assert "<td>Claims; Pharmacy</td><td>Eligibility and enrollment</td>" in html
    assert f'name="competences_{cast.bob.pk}" value="claims,pharmacy"' in html
    stored = sorted(Competence.objects.filter(user=cast.bob).values_list("category", flat=True))
    assert stored == ["claims", "pharmacy"]

    again = {**seen, f"competences_{cast.bob.pk}": "claims,pharmacy"}
    assert ada.post(url, {**again, "categories": ["eligibility_enrollment"]}).status_code == 302
    stored = list(Competence.objects.filter(user=cast.bob).values_list("category", flat=True))
    assert stored == ["eligibility_enrollment"]


def test_dismissing_an_issue_from_a_stale_page_is_refused(cast: Cast) -> None:
    """Dismissing is a move of the issue's state on its locked row: once a problem is opened
    for it, or it is dismissed, a dismissal from a page read before is refused."""
    from clientdesk.insights.actions import do_open_problem
    from clientdesk.insights.models import EmergingIssue
    from clientdesk.insights.tests.cast import acme_issue

    issue = acme_issue(cast)
    url = reverse("insights:issue_dismiss", args=[issue.pk])
    mia, ada = Client(), Client()
    mia.force_login(cast.mia)
    ada.force_login(cast.ada)
    assert mia.post(url, {"reason": "Seasonal"}).status_code == 302
    twice = ada.post(url, {"reason": "Known vendor delay"}, follow=True)
    assert "Someone else dismissed this issue already" in twice.content.decode()
    assert AuditEvent.objects.filter(action="issue.dismiss").count() == 1

    EmergingIssue.objects.filter(pk=issue.pk).update(status="new")
    problem = do_open_problem(issue, acting_user=cast.mia)
    hidden = ada.post(url, {"reason": "Known vendor delay"}, follow=True)
    assert "A problem was opened for this issue since you read it" in hidden.content.decode()
    issue.refresh_from_db()
    assert (issue.status, issue.problem_id) == ("problem", problem.pk)
