"""A survey answered on a phone: the contact opens the link from the mail, gives a low score,
is asked why, finishes; axe-core (npm, installed by `make assets`) finds no serious or
critical WCAG 2.1 A/AA violation on the form, the follow-up question or the thank-you page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from clientdesk.conf import BASE_DIR
from clientdesk.surveys.models import FollowUp
from clientdesk.surveys.tests.cast import sent_to_acme
from clientdesk.testing import Cast
from clientdesk.web.tests.browser.conftest import CHROMIUM_ARGS, skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

pytestmark = pytest.mark.browser

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 667}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
assert CHROMIUM_ARGS  # the same browser as every browser test (conftest's session fixture)


@pytest.fixture
def phone(browser: Browser, live_server: Any, _url_map_loaded: None) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,  # type: ignore[arg-type]
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    context.set_default_timeout(5_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            errors.append(f"{message.text} ({url})")

    page.on("console", on_console)
    yield page
    context.close()
    # The used link answers 410 on purpose (its page is checked); nothing else may fail.
    unexpected = [e for e in errors if "status of 410" not in e]
    assert not unexpected, unexpected


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run make assets (npm ci installs axe-core)")
    # Evaluated through the DevTools protocol, not as a page script: the CSP stays as it is.
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => [v.impact, v.id, v.nodes.length])",
        WCAG,
    )
    return [
        f"{impact} {rule} ({nodes})"
        for impact, rule, nodes in found
        if impact in ("serious", "critical")
    ]


def test_a_contact_answers_on_a_phone_and_axe_finds_nothing_serious(
    phone: Page, browser_cast: Cast
) -> None:
    _, path = sent_to_acme(browser_cast)
    page = phone
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert serious_violations(page) == []

    recommend = page.get_by_role("group", name="How likely are you to recommend")
    recommend.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    why = page.get_by_label("What is the main reason for your score?")
    expect(why).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("One more question")
    assert serious_violations(page) == []

    why.fill("Reports arrive late.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert serious_violations(page) == []
    follow_up = FollowUp.objects.get()
    assert (follow_up.response.nps, follow_up.owner_id) == (3, browser_cast.alice.pk)

    page.goto(path)  # the link is single-use
    expect(page.get_by_role("heading", level=1)).to_have_text("Already answered")
