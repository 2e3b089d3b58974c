"""Security settings that must hold: CSP, cookies, login throttling, no member data in logs."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.testing import PASSWORD, Cast
from clientdesk.web.logging import NoMemberDataFilter


def test_pages_send_a_strict_content_security_policy(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_session_cookie_is_http_only_and_same_site(cast: Cast, client: Client) -> None:
    response = client.post(reverse("login"), {"username": "mia", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_repeated_failures_lock_the_login(cast: Cast, client: Client) -> None:
    for _ in range(5):
        failed = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert failed.status_code in {200, 429}
    locked = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()


def test_wrong_password_says_so_without_saying_which(cast: Cast, client: Client) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert "Please enter a correct username and password" in response.content.decode()


@pytest.mark.parametrize(
    ("message", "leaked"),
    [
        ("lookup member_id=M00012345 failed", "M00012345"),
        ("claim for P1234567 denied", "P1234567"),
        ("ssn 123-45-6789 on file", "123-45-6789"),
        ("eligibility row for W00001234501 rejected", "W00001234501"),
        ("subscriber W000012345 has 3 members", "W000012345"),
    ],
)
def test_member_identifiers_never_reach_a_log_line(message: str, leaked: str) -> None:
    record = logging.LogRecord("clientdesk", logging.INFO, __file__, 1, message, None, None)
    assert NoMemberDataFilter().filter(record)
    assert leaked not in record.getMessage()


def test_error_records_drop_the_request(rf: object) -> None:
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", None, None)
    record.request = object()
    NoMemberDataFilter().filter(record)
    assert getattr(record, "request", "missing") is None


def test_not_found_page_reveals_nothing(cast: Cast, client: Client) -> None:
    client.force_login(cast.oscar)
    response = client.get(reverse("accounts:detail", args=[cast.acme.pk]))
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
