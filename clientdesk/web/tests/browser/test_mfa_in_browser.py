"""Two-factor sign-in in a real browser: password, enrolment with the QR code drawn on the
page, the recovery codes, then a later sign-in with a code. The codes are computed here by
hand (RFC 6238, test_security_mfa.totp) from the key the page shows."""

from __future__ import annotations

import datetime as dt
import re
import time
from base64 import b32decode
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientdesk.audit.models import AuditEvent
from clientdesk.testing import PASSWORD, Cast
from clientdesk.web.tests.test_security_mfa import totp

from .conftest import skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _next_code(device: TOTPDevice, key: bytes) -> str:
    """The code the server takes now: the device's own step (its clock drift included, set
    when enrolment's code landed in the next step under load), and after the step it last
    took, since a code is good once (RFC 6238; django-otp's tolerance is one step)."""
    step_now = int((time.time() - device.t0) // device.step) + device.drift
    step = max(device.last_t + 1, step_now)
    return totp(key, dt.datetime.fromtimestamp(device.t0 + step * device.step, dt.UTC))


def _password(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_enrols_then_asks_for_a_code(
    page: Page, browser_cast: Cast, settings: Any, screenshot: Any
) -> None:
    settings.MFA_REQUIRED = True
    _password(page)
    expect(page).to_have_url(re.compile(r"/mfa/enrol/\?next=%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure.qr svg")).to_be_visible()  # drawn on the page, no service
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    screenshot("mfa-enrol")
    shown = page.locator("code.secret").inner_text().strip()
    key = b32decode(shown + "=" * (-len(shown) % 8))

    page.get_by_label("Code from the app").fill(totp(key, _now()))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in is on")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("header.top .who")).to_contain_text("Alice Owner")

    page.locator("header.top .who summary").click()
    page.get_by_role("button", name="Sign out").click()
    _password(page)
    expect(page).to_have_url(re.compile(r"/mfa/verify/\?next=%2F$"))
    page.get_by_label("Code").fill("000000" if totp(key, _now()) != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".errorlist")).to_contain_text("That code did not work")
    device = TOTPDevice.objects.get(user=browser_cast.alice, confirmed=True)
    deadline = time.monotonic() + 10
    while not device.verify_is_allowed()[0] and time.monotonic() < deadline:
        time.sleep(0.2)  # django-otp's delay after a wrong code, as the server counts it
        device.refresh_from_db()
    page.get_by_label("Code").fill(_next_code(device, key))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("region", name="My accounts")).to_contain_text("Acme Steel Works")
    actions = set(
        AuditEvent.objects.filter(object_id=str(browser_cast.alice.pk), kind="security")
        .filter(action__startswith="mfa.")
        .values_list("action", flat=True)
    )
    assert actions == {"mfa.enrol", "mfa.failure"}
