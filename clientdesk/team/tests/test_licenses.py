"""Licenses are versioned: a change or renewal saved from an older version than the stored
one is refused on the page (409, both versions side by side) and by the API (409 with the
stored license and its version); nothing is saved. A second license of a state and line
already held is refused: renewing is a change of that license, made knowing its version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.people.tokens import do_create_api_token
from clientdesk.team.actions import do_save_license
from clientdesk.team.models import License
from clientdesk.team.tests.cast import team
from clientdesk.testing import Cast, known

OHIO = {
    "state": "OH",
    "line": "health",
    "number": "OH-1234",
    "issued_on": dt.date(2025, 1, 15),
    "expires_on": dt.date(2027, 1, 15),
    "ce_required": 24,
    "ce_earned": 6,
}


def _form(**changes: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in OHIO.items()} | changes


def test_a_stale_save_is_refused_on_the_page(cast: Cast, client: Client) -> None:
    team(cast)
    license_ = do_save_license(cast.alice, OHIO, acting_user=cast.mia)
    assert license_.version == 1
    url = reverse("team:license_edit", args=[cast.alice.pk, license_.pk])
    client.force_login(cast.mia)
    shown = client.get(url).content.decode()
    assert '<input type="hidden" name="version" value="1">' in shown
    # Alice's manager records 12 CE credits, from version 1: saved, version 2.
    first = client.post(url, _form(ce_earned=12, version=1))
    assert first.status_code == 302
    license_.refresh_from_db()
    assert (license_.ce_earned, license_.version) == (12, 2)
    # An admin who opened version 1 renews it to 2029 and 18 credits: refused, both shown.
    client.force_login(cast.ada)
    stale = client.post(url, _form(ce_earned=18, expires_on="2029-01-15", version=1))
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "you edited version 1, it is now version 2" in page
    assert '<input type="hidden" name="version" value="2">' in page
    assert "2027-01-15" in page and "2029-01-15" in page  # stored expiry beside theirs
    license_.refresh_from_db()
    assert (license_.ce_earned, license_.expires_on, license_.version) == (
        12,
        dt.date(2027, 1, 15),
        2,
    )
    # Saving again over version 2, knowing both: saved, version 3, audited with the before.
    again = client.post(url, _form(ce_earned=18, expires_on="2029-01-15", version=2))
    assert again.status_code == 302
    license_.refresh_from_db()
    assert (license_.ce_earned, license_.expires_on, license_.version) == (
        18,
        dt.date(2029, 1, 15),
        3,
    )
    saves = AuditEvent.objects.filter(action="team.license.save").order_by("id")
    assert [known(e.after)["version"] for e in saves] == [1, 2, 3]
    assert known(known(saves.last()).before)["expires_on"] == "2027-01-15"
    # The same values again change nothing (no new version, no audit row).
    assert (
        client.post(url, _form(ce_earned=18, expires_on="2029-01-15", version=3)).status_code == 302
    )
    license_.refresh_from_db()
    assert license_.version == 3 and saves.count() == 3
    # The person page's "Add a license" cannot overwrite it unseen.
    person = reverse("team:license_save", args=[cast.alice.pk])
    added = client.post(person, _form(number="OH-9999"), follow=True)
    said = [str(m) for m in get_messages(added.wsgi_request)]
    assert any("already hold a OH accident and health license" in m for m in said)
    license_.refresh_from_db()
    assert license_.number == "OH-1234"
    # Only alice's managers edit her licenses; another associate's license is not found.
    client.force_login(cast.bob)
    assert client.get(url).status_code in (403, 404)


def test_a_stale_save_is_refused_by_the_api(cast: Cast, client: Client) -> None:
    team(cast)
    license_ = do_save_license(cast.alice, OHIO, acting_user=cast.mia)
    _, token = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    auth = {"Authorization": f"Bearer {token}"}
    base = f"/api/team/people/{cast.alice.pk}/licenses"
    listed = client.get(base, headers=auth).json()
    assert [(x["id"], x["version"], x["ce_earned"]) for x in listed] == [(license_.pk, 1, 6)]
    url = f"{base}/{license_.pk}"
    ok = client.patch(
        url, {"version": 1, "ce_earned": 12}, content_type="application/json", headers=auth
    )
    assert ok.status_code == 200 and (ok.json()["version"], ok.json()["ce_earned"]) == (2, 12)
    stale = client.patch(
        url, {"version": 1, "ce_earned": 18}, content_type="application/json", headers=auth
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == 2 and body["saved"]["ce_earned"] == 12
    assert "you edited version 1, it is now version 2" in body["detail"]
    license_.refresh_from_db()
    assert (license_.ce_earned, license_.version) == (12, 2)
    # A renewal from the current version: saved.
    renewed = client.patch(
        url,
        {"version": 2, "expires_on": "2029-01-15", "ce_earned": 0},
        content_type="application/json",
        headers=auth,
    )
    assert renewed.status_code == 200 and renewed.json()["version"] == 3
    # A second Ohio health license is a field error; a Kentucky one is made, version 1.
    twice = client.post(base, _form(number="OH-2"), content_type="application/json", headers=auth)
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["loc"] == ["body", "state"]
    made = client.post(
        base, _form(state="KY", number="KY-1"), content_type="application/json", headers=auth
    )
    assert made.status_code == 201 and made.json()["version"] == 1
    # An expiry before the issue date is a field error, nothing saved.
    bad = client.patch(
        url,
        {"version": 3, "expires_on": "2020-01-01"},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "expires_on"]
    assert License.objects.get(pk=license_.pk).version == 3
