"""Nothing lost to a second editor in strategy: a call's status, the health weights, a
stakeholder's entry and a visit's outcome refuse a save made on an older version.

Two people open the same page; the first saves; the second's save is refused with a 409 page
showing the stored value beside theirs and the new version in the form; saving again from
that page goes through. The call's status route in the API answers 409 the same way.
"""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientdesk.audit.models import AuditEvent
from clientdesk.lib.calls import Cause
from clientdesk.people.tokens import do_create_api_token
from clientdesk.strategy.actions import do_raise_calls
from clientdesk.strategy.models import CallToAction, HealthWeights, Stakeholder, Visit
from clientdesk.strategy.scoring import RULES
from clientdesk.strategy.tests.cast import TEST_RULE, acme_call, acme_visit
from clientdesk.testing import Cast


def _two(cast: Cast, first_user: Any, second_user: Any) -> tuple[Client, Client]:
    first, second = Client(), Client()
    first.force_login(first_user)
    second.force_login(second_user)
    return first, second


def test_a_stale_call_status_is_refused_with_both_versions(cast: Cast) -> None:
    call = acme_call(cast)
    page = reverse("strategy:call", args=[call.pk])
    url = reverse("strategy:call_close", args=[call.pk])
    alice, bob = _two(cast, cast.alice, cast.bob)
    assert 'name="version" value="1"' in bob.get(page).content.decode()

    done = {"status": "done", "note": "Called the CFO", "version": "1"}
    assert alice.post(url, done).status_code == 302
    refused = bob.post(url, {"status": "dismissed", "note": "Not needed", "version": "1"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    assert "<td>Done</td><td>Dismissed</td>" in html  # the stored status beside Bob's
    assert "Not needed" in html  # his note stays in the form
    assert 'name="version" value="2"' in html
    call.refresh_from_db()
    assert (call.status, call.close_note, call.version) == ("done", "Called the CFO", 2)
    assert AuditEvent.objects.filter(action__startswith="strategy.call_d").count() == 1

    again = bob.post(url, {"status": "dismissed", "note": "Not needed", "version": "2"})
    assert again.status_code == 302
    call.refresh_from_db()
    assert (call.status, call.close_note, call.version) == ("dismissed", "Not needed", 3)


def test_the_call_status_api_answers_409_to_a_stale_version(cast: Cast, client: Client) -> None:
    call = acme_call(cast)
    token = do_create_api_token(cast.alice, "t", acting_user=cast.alice)[1]
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/strategy/calls/{call.pk}/status"
    assert client.get(f"/api/strategy/calls/{call.pk}", headers=headers).json()["version"] == 1

    ok = client.post(
        path,
        {"status": "done", "note": "Called", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.post(
        path,
        {"status": "dismissed", "note": "", "version": 1},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (body["version"], body["saved"]["status"], body["saved"]["close_note"]) == (
        2,
        "done",
        "Called",
    )
    assert CallToAction.objects.get(pk=call.pk).status == "done"
    # Without a version the status is set as before (the CLI's and old clients' way).
    plain = client.post(
        path, {"status": "open", "note": ""}, content_type="application/json", headers=headers
    )
    assert plain.status_code == 200 and plain.json()["version"] == 3
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "409" in paths["/api/strategy/calls/{call_id}/status"]["post"]["responses"]


def test_reopening_while_another_call_for_the_cause_is_open_is_a_409(
    cast: Cast, client: Client
) -> None:
    call = acme_call(cast)
    token = do_create_api_token(cast.alice, "t", acting_user=cast.alice)[1]
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/strategy/calls/{call.pk}/status"
    body = {"status": "done", "note": ""}
    done = client.post(path, body, content_type="application/json", headers=headers)
    assert done.status_code == 200
    # The rule finds the same cause again: a new call opens for it.
    do_raise_calls(
        TEST_RULE,
        [Cause(account_id=cast.acme.pk, key="k1", reason="Still there.")],
        now=timezone.now(),
        acting_user=None,
    )
    assert CallToAction.objects.filter(rule_key="test_rule", status="open").count() == 1
    refused = client.post(
        path, {"status": "open", "note": ""}, content_type="application/json", headers=headers
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["detail"] == "Another call for the same cause is open: work that one."
    assert (body["version"], body["saved"]["status"]) == (2, "done")
    assert CallToAction.objects.get(pk=call.pk).status == "done"


def _weights_post(**changes: int) -> dict[str, str]:
    data = {f"w_{key}": "10" for key in RULES}
    data.update({f"w_{key}": str(value) for key, value in changes.items()})
    return {"segment": "", **data}


def test_stale_health_weights_are_refused_with_both_versions(cast: Cast) -> None:
    url = reverse("strategy:weights")
    mia, ada = _two(cast, cast.mia, cast.ada)
    # No weights of the default segment's own yet: the page shows version 0.
    assert 'name="version" value="0"' in ada.get(url).content.decode()
    key = next(iter(RULES))

    assert mia.post(url, {**_weights_post(**{key: 40}), "version": "0"}).status_code == 302
    stored = HealthWeights.objects.get(segment="")
    assert (stored.weights[key], stored.version) == (40.0, 1)

    refused = ada.post(url, {**_weights_post(**{key: 5}), "version": "0"})
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    label = RULES[key].short.capitalize()
    assert f"{label} <strong>(differs)</strong></th><td>40</td><td>5</td>" in html
    assert 'name="version" value="1"' in html
    stored.refresh_from_db()
    assert (stored.weights[key], stored.version) == (40.0, 1)
    assert AuditEvent.objects.filter(action="strategy.health_weights_set").count() == 1

    assert ada.post(url, {**_weights_post(**{key: 5}), "version": "1"}).status_code == 302
    stored.refresh_from_db()
    assert (stored.weights[key], stored.version) == (5.0, 2)


def test_a_stale_stakeholder_save_is_refused_with_both_versions(cast: Cast) -> None:
    contact = cast.acme_contact
    url = reverse("strategy:stakeholder", args=[cast.acme.pk, contact.pk])
    tab = reverse("accounts:tab", args=[cast.acme.pk, "plan"])
    alice, bob = _two(cast, cast.alice, cast.bob)
    assert 'name="version" value="0"' in bob.get(tab).content.decode()  # not on the map yet
    entry = {"influence": "decision_maker", "cadence_days": "30"}

    assert alice.post(url, {**entry, "sentiment": "positive", "version": "0"}).status_code == 302
    refused = bob.post(url, {**entry, "sentiment": "negative", "version": "0"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved first" in html
    assert "<td>Positive</td><td>Negative</td>" in html
    assert 'name="version" value="1"' in html
    row = Stakeholder.objects.get(contact=contact)
    assert (row.sentiment, row.version) == ("positive", 1)
    assert 'name="version" value="1"' in bob.get(tab).content.decode()

    assert bob.post(url, {**entry, "sentiment": "negative", "version": "1"}).status_code == 302
    row.refresh_from_db()
    assert (row.sentiment, row.version) == ("negative", 2)


def test_a_stale_visit_outcome_is_refused_with_both_versions(cast: Cast) -> None:
    visit = acme_visit(cast)
    page = reverse("strategy:visit", args=[visit.pk])
    url = reverse("strategy:visit_outcome", args=[visit.pk])
    alice, bob = _two(cast, cast.alice, cast.bob)
    assert 'name="version" value="1"' in bob.get(page).content.decode()

    assert alice.post(url, {"outcome": "A pilot in March", "version": "1"}).status_code == 302
    refused = bob.post(url, {"outcome": "No decision yet", "version": "1"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "<td>A pilot in March</td><td>No decision yet</td>" in html
    assert 'name="version" value="2"' in html
    visit.refresh_from_db()
    assert (visit.outcome, visit.version) == ("A pilot in March", 2)

    assert bob.post(url, {"outcome": "No decision yet", "version": "2"}).status_code == 302
    visit = Visit.objects.get(pk=visit.pk)
    assert (visit.outcome, visit.version) == ("No decision yet", 3)


def test_a_step_ticked_twice_keeps_who_ticked_it_first(cast: Cast) -> None:
    call = acme_call(cast)
    task = call.tasks.get(position=1)
    url = reverse("strategy:call_task", args=[call.pk, task.pk])
    alice, bob = _two(cast, cast.alice, cast.bob)
    assert alice.post(url, {"done": "1"}).status_code == 302
    assert bob.post(url, {"done": "1"}).status_code == 302  # his page still showed it open
    task.refresh_from_db()
    assert (task.done, task.done_by_id) == (True, cast.alice.pk)
    assert AuditEvent.objects.filter(action="strategy.call_task_ticked").count() == 1


def test_a_stale_band_override_is_refused_with_both_versions(cast: Cast) -> None:
    from clientdesk.strategy.models import HealthOverride

    page = reverse("strategy:health", args=[cast.acme.pk])
    url = reverse("strategy:health_override", args=[cast.acme.pk])
    mia, ada = _two(cast, cast.mia, cast.ada)
    assert 'name="version" value="0"' in ada.get(page).content.decode()  # no override shown
    good = {"band": "good", "note": "Renewal signed", "expires_on": "2099-01-31", "version": "0"}

    assert mia.post(url, good).status_code == 302
    mine = HealthOverride.objects.get(account=cast.acme, cleared_at__isnull=True)
    poor = {**good, "band": "poor", "note": "CFO unhappy"}
    refused = ada.post(url, poor)

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "health override after you opened it" in html
    assert (
        "<td>Good</td><td>Poor</td>" in html
        and "<td>Renewal signed</td><td>CFO unhappy</td>" in html
    )
    assert f'name="version" value="{mine.pk}"' in html
    assert list(HealthOverride.objects.filter(account=cast.acme, cleared_at__isnull=True)) == [mine]
    # Clearing from the page read before Mia's override is refused too.
    cleared = ada.post(url, {"clear": "1", "version": "0"}, follow=True)
    assert "health override after you opened it" in cleared.content.decode()
    assert HealthOverride.objects.filter(pk=mine.pk, cleared_at__isnull=True).exists()

    assert ada.post(url, {**poor, "version": str(mine.pk)}).status_code == 302
    active = HealthOverride.objects.get(account=cast.acme, cleared_at__isnull=True)
    assert (active.band, active.note) == ("poor", "CFO unhappy")
