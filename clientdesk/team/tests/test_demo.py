"""The demo's team records (clientdesk/demo/team_app.py) on the demo users: a manager's
Done-when path has something to show on every page."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse

from clientdesk.accounts.models import Assignment
from clientdesk.demo.team import assign_demo_team, ensure_demo_users
from clientdesk.demo.team_app import load_team
from clientdesk.team.access import managed_people
from clientdesk.team.models import Candidate, Person, RequestStatus, TimeOffRequest
from clientdesk.team.queries import compliance_matrix, expiring_licenses
from clientdesk.testing import Cast

TODAY = dt.date(2026, 12, 1)


def test_the_demo_team_is_populated(cast: Cast, client: Client) -> None:
    users = ensure_demo_users()
    Assignment.objects.all().delete()  # the demo team serves the cast's two accounts
    assert assign_demo_team(users, today=TODAY) == 4
    said: list[str] = []
    load_team(today=TODAY, say=said.append)
    load_team(today=TODAY, say=said.append)  # a second run changes nothing
    assert len(said) == 1 and said[0].startswith("team: 8 people, 4 courses")
    manager = users["manager"]
    matrix = compliance_matrix(managed_people(manager), TODAY)
    assert len(matrix.rows) == 8 and [c.code for c in matrix.courses] == ["COC", "FWA", "HIPAA"]
    assert matrix.overdue >= 4  # two people behind on HIPAA and FWA
    ids = Person.objects.values_list("user_id", flat=True)
    alerts = sorted(r.alert for r in expiring_licenses(ids, TODAY) if r.alert is not None)
    assert alerts[:2] == [
        0,
        30,
    ]  # one lapsed, one within 30 days (the third serves no account here)
    assert TimeOffRequest.objects.filter(status=RequestStatus.REQUESTED).count() == 2
    assert Candidate.objects.filter(stage="hired").count() == 1
    # The associates answer the synthetic book's sponsor lines as CM01..CM08, in order.
    agents = Person.objects.filter(user__username__startswith="associate").order_by("user_id")
    assert [p.agent_id for p in agents] == [f"CM{n:02d}" for n in range(1, 9)]
    client.force_login(manager)
    for name in (
        "team:roster",
        "team:matrix",
        "team:licenses",
        "team:recruiting",
        "team:retention",
        "team:time_off",
        "team:adherence",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    client.force_login(users["associate"])
    me = client.get(reverse("team:me")).content.decode()
    assert "HIPAA privacy and security" in me
