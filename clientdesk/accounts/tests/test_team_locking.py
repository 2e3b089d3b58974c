"""Nothing lost to a second manager on the account team: the team page posts the team it
showed, and an assignment or a removal made on a team someone changed since is refused (409)
with both teams; the API does the same when the body names the team it read. Assignments to
one account are made one at a time (the account's row locked), so simultaneous ones never
leave two leads nor fail on the one-lead constraint."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.actions import TeamChanged, do_assign, team_of
from clientdesk.accounts.models import Account, Assignment
from clientdesk.audit.models import AuditEvent
from clientdesk.people.roles import Role
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast, make_cast, make_user, run_at_once, simultaneous


def _team(account: Account) -> dict[str, str]:
    return {a.user.username: a.role for a in account.assignments.select_related("user")}


def test_an_assignment_on_a_team_changed_since_is_refused_with_both_teams(cast: Cast) -> None:
    url = reverse("accounts:team", args=[cast.acme.pk])
    mia, ada = Client(), Client()
    mia.force_login(cast.mia)
    ada.force_login(cast.ada)
    shown = f"{cast.alice.pk}:lead,{cast.bob.pk}:backup"
    assert f'name="team_shown" value="{shown}"' in ada.get(url).content.decode()

    made = mia.post(url, {"user": cast.bob.pk, "role": "lead", "team_shown": shown})
    assert made.status_code == 302
    refused = ada.post(url, {"user": cast.oscar.pk, "role": "lead", "team_shown": shown})

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Someone else changed the Acme Steel Works team after you opened it" in page
    saved_now = "Bob Teammate (Lead associate); Alice Owner (Backup associate)"
    yours = "Oscar Outsider (Lead associate); Alice Owner (Backup associate); Bob Teammate"
    assert f"<td>{saved_now}</td><td>{yours} (Backup associate)</td>" in page
    assert _team(cast.acme) == {"alice": "backup", "bob": "lead"}
    assert AuditEvent.objects.filter(action="assignment.create").count() == 3  # the cast's
    fresh = f"{cast.alice.pk}:backup,{cast.bob.pk}:lead"
    assert f'name="team_shown" value="{fresh}"' in page  # saving again sees the stored team

    again = ada.post(url, {"user": cast.oscar.pk, "role": "lead", "team_shown": fresh})
    assert again.status_code == 302
    assert _team(cast.acme) == {"alice": "backup", "bob": "backup", "oscar": "lead"}


def test_a_removal_on_a_team_changed_since_is_refused(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    shown = f"{cast.alice.pk}:lead,{cast.bob.pk}:backup"
    bob = Assignment.objects.get(account=cast.acme, user=cast.bob)
    remove = reverse("accounts:team_remove", args=[cast.acme.pk, bob.pk])
    do_assign(cast.acme, cast.bob, "lead", acting_user=cast.ada)  # Bob became the lead since

    refused = client.post(remove, {"team_shown": shown})
    assert refused.status_code == 409
    page = refused.content.decode()
    saved_now = "Bob Teammate (Lead associate); Alice Owner (Backup associate)"
    assert f"<td>{saved_now}</td><td>Alice Owner (Lead associate)</td>" in page  # yours: Bob off
    assert _team(cast.acme) == {"alice": "backup", "bob": "lead"}

    fresh = f"{cast.alice.pk}:backup,{cast.bob.pk}:lead"
    assert client.post(remove, {"team_shown": fresh}).status_code == 302
    assert _team(cast.acme) == {"alice": "backup"}


def test_the_api_refuses_an_assignment_on_a_team_changed_since(cast: Cast) -> None:
    _, token = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/accounts/{cast.acme.pk}/team"
    team = [{"user_id": m["user_id"], "role": m["role"]} for m in api.get(url).json()]
    do_assign(cast.acme, cast.bob, "lead", acting_user=cast.ada)

    body: dict[str, Any] = {"user_id": cast.oscar.pk, "role": "lead", "team": team}
    refused = api.post(url, body, content_type="application/json")
    assert refused.status_code == 409
    stored = [(cast.alice.pk, "backup"), (cast.bob.pk, "lead")]
    assert refused.json()["team"] == [{"user_id": u, "role": r} for u, r in sorted(stored)]
    assert _team(cast.acme) == {"alice": "backup", "bob": "lead"}

    body["team"] = refused.json()["team"]
    assert api.post(url, body, content_type="application/json").status_code == 201
    body = {"user_id": cast.alice.pk, "role": "lead"}  # no team named: made on the team as is
    assert api.post(url, body, content_type="application/json").status_code == 201
    assert _team(cast.acme) == {"alice": "lead", "bob": "backup", "oscar": "backup"}


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_lead_assignments_leave_one_lead() -> None:
    """20 managers make 20 different associates Acme's lead at the same moment: without the
    account's row locked, two of them read the same lead and one failed on the one-lead
    constraint (PostgreSQL) or both demoted the same one."""
    cast = make_cast()
    people = [make_user(f"assoc{i}", Role.ASSOCIATE, f"Assoc{i}", "Parallel") for i in range(20)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(people))

    def assign(user_id: int) -> None:
        from django.contrib.auth.models import User

        try:
            start.wait()
            account = Account.objects.get(pk=cast.acme.pk)
            do_assign(account, User.objects.get(pk=user_id), "lead", acting_user=cast.mia)
        except BaseException as error:  # every failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    run_at_once([threading.Thread(target=assign, args=(p.pk,)) for p in people])
    assert errors == []
    roles = Assignment.objects.filter(account=cast.acme).values_list("role", flat=True)
    assert sorted(set(roles)) == ["backup", "lead"] and list(roles).count("lead") == 1
    assert Assignment.objects.filter(account=cast.acme).count() == 22


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_assignments_on_the_team_shown_give_one_success() -> None:
    """20 managers opened the same team page and each makes another associate the lead: one
    is saved, 19 are refused with the team as it is now; none fails otherwise."""
    cast = make_cast()
    people = [make_user(f"assoc{i}", Role.ASSOCIATE, f"Assoc{i}", "Parallel") for i in range(20)]
    shown = team_of(cast.acme)
    saved: list[int] = []
    refused: list[TeamChanged] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(people))

    def assign(user_id: int) -> None:
        from django.contrib.auth.models import User

        try:
            start.wait()
            account = Account.objects.get(pk=cast.acme.pk)
            user = User.objects.get(pk=user_id)
            do_assign(account, user, "lead", acting_user=cast.mia, expected_team=shown)
            saved.append(user_id)
        except TeamChanged as changed:
            refused.append(changed)
        except BaseException as error:  # every failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    run_at_once([threading.Thread(target=assign, args=(p.pk,)) for p in people])
    assert errors == []
    assert (len(saved), len(refused)) == (1, 19)
    [winner] = [p.username for p in people if p.pk in saved]
    assert _team(cast.acme) == {"alice": "backup", "bob": "backup", winner: "lead"}
    assert all(r.saved == team_of(cast.acme) for r in refused)
