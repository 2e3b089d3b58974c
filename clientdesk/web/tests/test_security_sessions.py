"""No PHI left in caches; idle sessions sign out; HSTS when configured."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _no_store(response: object) -> None:
    cache_control = response["Cache-Control"]  # type: ignore[index]
    assert "no-store" in cache_control and "private" in cache_control
    assert "Authorization" in response["Vary"]  # type: ignore[index]


def test_signed_in_pages_downloads_and_the_api_are_not_stored(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    _no_store(client.get(reverse("home")))
    _no_store(client.get(reverse("accounts:detail", args=[cast.acme.pk])))
    _no_store(client.get(reverse("inquiries:export"), {"format": "csv"}))
    raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)[1]
    _no_store(Client().get("/api/accounts/", headers={"Authorization": f"Bearer {raw}"}))
    _no_store(Client().get("/api/accounts/"))  # a refused token too


@override_settings(IDLE_TIMEOUT_SECONDS=15 * 60)  # the default, which conftest lifts for the rest
def test_an_idle_session_signs_out_and_an_active_one_stays(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.alice)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("home")).status_code == 200  # active: the clock restarts
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=16))
        gone = client.get(reverse("accounts:list"))
        assert gone.status_code == 302
        assert gone["Location"].startswith(reverse("login"))
        assert client.get(reverse("home")).status_code == 302  # signed out for good


@override_settings(IDLE_TIMEOUT_SECONDS=60)
def test_the_idle_timeout_is_configurable(cast: Cast, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(cast.alice)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(seconds=61))
        assert client.get(reverse("home")).status_code == 302


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_is_sent_over_https_when_configured(cast: Cast, client: Client) -> None:
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_by_default(cast: Cast, client: Client) -> None:
    assert "Strict-Transport-Security" not in client.get(reverse("login"), secure=True)
