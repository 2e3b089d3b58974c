"""Optimistic locking on a person's record, as on accounts, guarantees and corrective
actions: a save from an older version is refused, the page shows both versions (409) and the
API answers 409 {detail, version, saved}; nothing is saved."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from clientdesk.people.tokens import do_create_api_token
from clientdesk.team.actions import do_save_person
from clientdesk.team.models import Person
from clientdesk.team.tests.cast import team
from clientdesk.testing import Cast


def _form(person: Person, **changes: str) -> dict[str, str]:
    data = {
        "title": person.title,
        "manager": str(person.manager_id),
        "location": person.location,
        "onsite_account": str(person.onsite_account_id or ""),
        "hire_date": person.hire_date.isoformat(),
        "products": person.products,
        "languages": ", ".join(person.languages),
        "segments": person.segments,
        "capacity": str(person.capacity),
        "left_on": "",
        "leaving": "",
        "agent_id": person.agent_id,
        "version": str(person.version),
    }
    return data | changes


def test_a_stale_save_of_a_record_shows_both_versions(cast: Cast, client: Client) -> None:
    alice = team(cast)["alice"]
    assert alice.version == 1
    opened = _form(alice)  # mia opens the edit page at version 1
    client.force_login(cast.mia)
    assert (
        'name="version" value="1"'
        in client.get(reverse("team:person_edit", args=[cast.alice.pk])).content.decode()
    )
    # Meanwhile the record is saved by someone else: version 2.
    do_save_person(cast.alice, {"title": "Senior associate"}, acting_user=cast.ada)
    stale = client.post(
        reverse("team:person_edit", args=[cast.alice.pk]), opened | {"capacity": "5"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else saved first: both versions" in page
    assert "Senior associate" in page and "Client-based associate" in page
    assert 'name="version" value="2"' in page  # saving again is a decision, with both seen
    alice.refresh_from_db()
    assert (alice.version, alice.title, alice.capacity) == (2, "Senior associate", 4)
    again = client.post(
        reverse("team:person_edit", args=[cast.alice.pk]),
        opened | {"capacity": "5", "version": "2"},
    )
    assert again.status_code == 302
    alice.refresh_from_db()
    assert (alice.version, alice.title, alice.capacity) == (3, "Client-based associate", 5)
    # Saving what is already stored changes nothing, not even the version.
    client.post(reverse("team:person_edit", args=[cast.alice.pk]), _form(alice))
    alice.refresh_from_db()
    assert alice.version == 3


def test_the_api_answers_409_with_the_stored_version(cast: Cast, client: Client) -> None:
    team(cast)
    _, token = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    auth = {"Authorization": f"Bearer {token}"}
    url = f"/api/team/people/{cast.alice.pk}"
    read = client.get(url, headers=auth).json()
    assert (read["version"], read["capacity"], read["languages"]) == (1, 4, ["English", "Spanish"])
    saved = client.patch(
        url, {"version": 1, "agent_id": "CM07"}, content_type="application/json", headers=auth
    )
    assert saved.status_code == 200
    assert (saved.json()["version"], saved.json()["agent_id"]) == (2, "CM07")
    assert saved.json()["languages"] == ["English", "Spanish"]  # untouched fields kept
    stale = client.patch(
        url, {"version": 1, "capacity": 9}, content_type="application/json", headers=auth
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["version"] == 2 and body["saved"]["agent_id"] == "CM07"
    assert body["saved"]["capacity"] == 4 and "version 1" in body["detail"]
    clash = client.patch(url, {"agent_id": ""}, content_type="application/json", headers=auth)
    assert clash.status_code == 200 and clash.json()["version"] == 3
    do_save_person(cast.bob, {"agent_id": "CM01"}, acting_user=cast.mia)
    taken = client.patch(url, {"agent_id": "CM01"}, content_type="application/json", headers=auth)
    assert taken.status_code == 422 and taken.json()["detail"][0]["loc"] == ["body", "agent_id"]


def test_a_stale_schedule_is_refused_with_both_weeks(cast: Cast) -> None:
    from clientdesk.team.models import Shift

    team(cast)
    url = reverse("team:schedule_save", args=[cast.alice.pk])
    page = reverse("team:person", args=[cast.alice.pk])
    mia, ada = Client(), Client()
    mia.force_login(cast.mia)
    ada.force_login(cast.ada)
    assert 'name="version" value="1"' in ada.get(page).content.decode()
    week = {"days": ["0", "1", "2", "3", "4"], "starts": "08:30", "ends": "17:00"}

    assert mia.post(url, {**week, "onsite_days": ["1"], "version": "1"}).status_code == 302
    refused = ada.post(url, {**week, "ends": "16:00", "version": "1"})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert "Someone else saved Alice" in html and "schedule after you opened it" in html
    assert "<td>Tuesday</td><td>—</td>" in html  # onsite days: Mia's beside Ada's
    assert "<td>17:00</td><td>16:00</td>" in html
    assert 'name="version" value="2"' in html
    shifts = list(Shift.objects.filter(user=cast.alice))
    assert [(s.weekday, s.ends.hour, s.onsite) for s in shifts] == [
        (0, 17, False),
        (1, 17, True),
        (2, 17, False),
        (3, 17, False),
        (4, 17, False),
    ]
    # The person page now shows the stored week in the form, and its version.
    shown = ada.get(page).content.decode()
    assert 'name="version" value="2"' in shown
    assert re.search(r'name="onsite_days" value="1"[^>]*checked', shown)
    assert not re.search(r'name="onsite_days" value="2"[^>]*checked', shown)

    assert ada.post(url, {**week, "ends": "16:00", "version": "2"}).status_code == 302
    assert {s.ends.hour for s in Shift.objects.filter(user=cast.alice)} == {16}
    assert Person.objects.get(user=cast.alice).schedule_version == 3
