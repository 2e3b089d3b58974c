"""API tokens expire and carry scopes; role grants and token revocations in Django admin are
audited like every other change."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from clientdesk.audit.models import AuditEvent
from clientdesk.people.models import ApiToken
from clientdesk.people.roles import Role
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _get(raw: str, path: str = "/api/accounts/") -> int:
    return Client().get(path, headers={"Authorization": f"Bearer {raw}"}).status_code


def test_a_token_expires_after_90_days_by_default(cast: Cast) -> None:
    with time_machine.travel(START, tick=False) as clock:
        token, raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
        assert token.expires_at == START + dt.timedelta(days=90)
        assert _get(raw) == 200
        clock.shift(dt.timedelta(days=89, hours=23))
        assert _get(raw) == 200
        clock.shift(dt.timedelta(hours=2))
        assert _get(raw) == 401


@override_settings(API_TOKEN_DAYS=7)
def test_the_lifetime_is_configurable(cast: Cast) -> None:
    token, _ = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    assert token.expires_at is not None and token.created_at is not None
    assert (token.expires_at - token.created_at).days in {6, 7}


def test_a_token_without_expiry_does_not_work(cast: Cast) -> None:
    token, raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert _get(raw) == 401


def test_scopes_limit_what_a_token_does(cast: Cast, client: Client) -> None:
    _, reader = do_create_api_token(cast.mia, "r", acting_user=cast.mia, scopes=["read"])
    headers = {"Authorization": f"Bearer {reader}"}
    assert _get(reader) == 200
    change = client.patch(
        f"/api/accounts/{cast.acme.pk}",
        {"broker": "Aon"},
        content_type="application/json",
        headers=headers,
    )
    assert change.status_code == 403
    assert "write" in change.json()["detail"]
    assert _get(reader, "/api/reports/runs") == 403
    _, reports = do_create_api_token(cast.mia, "p", acting_user=cast.mia, scopes=["reports"])
    assert _get(reports, "/api/reports/runs") == 200
    assert _get(reports) == 403
    with pytest.raises(ValueError, match="scopes"):
        do_create_api_token(cast.mia, "x", acting_user=cast.mia, scopes=["admin"])


def test_the_cli_creates_a_scoped_token_and_audits_it(cast: Cast, capsys: object) -> None:
    call_command("token", "create", "mia", "--scopes", "read", "--days", "30")
    token = ApiToken.objects.get(user=cast.mia)
    assert token.scopes == "read"
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.after is not None and event.after["scopes"] == "read"
    with pytest.raises(CommandError):
        call_command("token", "create", "mia", "--scopes", "root")


def test_revoking_in_admin_is_audited(cast: Cast, client: Client) -> None:
    token, raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)
    client.force_login(cast.ada)
    response = client.post(
        "/admin/people/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert _get(raw) == 401
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert event.actor_id == cast.ada.pk


def test_a_role_grant_in_admin_is_audited(cast: Cast, client: Client) -> None:
    client.force_login(cast.ada)
    page = client.get(f"/admin/auth/user/{cast.bob.pk}/change/")
    assert page.status_code == 200
    manager = Group.objects.get(name=Role.MANAGER.value)
    associate = Group.objects.get(name=Role.ASSOCIATE.value)
    data = {
        "username": "bob",
        "first_name": "Bob",
        "last_name": "Teammate",
        "email": "bob@example.org",
        "is_active": "on",
        "groups": [manager.pk, associate.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/auth/user/{cast.bob.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.roles")
    assert event.actor_id == cast.ada.pk
    assert event.before is not None and event.after is not None
    assert event.before["groups"] == [Role.ASSOCIATE.value]
    assert sorted(event.after["groups"]) == sorted([Role.ASSOCIATE.value, Role.MANAGER.value])
