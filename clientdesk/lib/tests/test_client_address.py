"""The client's address behind reverse proxies, and only trusted ones."""

from __future__ import annotations

import pytest
from axes.models import AccessLog
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from pytest_django.fixtures import Settings

from clientdesk.lib.client_address import client_address, trusted_networks
from clientdesk.web.checks import configuration


def address(remote: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


def test_without_trusted_proxies_the_header_is_never_read(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_behind_a_trusted_proxy_the_client_is_the_right_most_untrusted_hop(
    settings: Settings,
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.1.0.0/16"]
    # The load balancer (10.1.2.3) received it from 198.51.100.9 and passed it to nginx
    # (10.0.0.5); "1.2.3.4" was written by the client itself and is not believed.
    assert address("10.0.0.5", "1.2.3.4, 198.51.100.9, 10.1.2.3") == "198.51.100.9"
    assert address("10.0.0.5", "198.51.100.9") == "198.51.100.9"
    assert address("10.0.0.5") == "10.0.0.5"  # no header: the proxy itself
    # A connection from elsewhere is the client, whatever it claims.
    assert address("203.0.113.7", "10.1.2.3") == "203.0.113.7"
    # A malformed hop ends the walk at the last good one.
    assert address("10.0.0.5", "198.51.100.9, bogus, 10.1.2.3") == "10.1.2.3"
    assert address("10.0.0.5", "2001:db8::1") == "2001:db8::1"


def test_a_request_without_an_address_has_none(settings: Settings) -> None:
    # Django's test client signs in (force_login) through a request without REMOTE_ADDR;
    # django-axes writes the address into an IP address column: text there fails on PostgreSQL.
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None


def test_the_sign_in_lock_out_counts_the_client_behind_the_proxy(
    settings: Settings,
) -> None:
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    request = RequestFactory().post(
        "/accounts/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert get_client_ip_address(request) == "198.51.100.9"


@pytest.mark.django_db
def test_force_login_signs_in_on_every_database(client: Client) -> None:
    # axes writes an access log row on every sign-in: its address must suit the column.
    user = User.objects.create_user("dana", password="x")
    client.force_login(user)
    [row] = AccessLog.objects.filter(username="dana")
    assert row.ip_address is None


def test_a_bad_entry_is_a_configuration_error(settings: Settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(ValueError, match=r"'proxy\.internal' is not an IP address"):
        trusted_networks(tuple(settings.TRUSTED_PROXIES))
    [problem] = [p for p in configuration(None) if p.id == "clientdesk.E002"]
    assert "proxy.internal" in problem.msg
