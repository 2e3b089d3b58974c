"""Emerging issues in a real browser: the manager reads an issue's evidence, turns it into a
problem with a root cause and an action, and service operations find it on their board."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from clientdesk.insights.tests.cast import acme_issue
from clientdesk.testing import Cast
from clientdesk.web.tests.browser.conftest import skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import expect

if TYPE_CHECKING:
    from clientdesk.web.tests.browser.conftest import ConsoleLog

pytestmark = pytest.mark.browser


def test_a_manager_turns_an_issue_into_a_problem_that_service_operations_work(
    sign_in: Any, browser_cast: Cast, console: ConsoleLog, screenshot: Any
) -> None:
    issue = acme_issue(browser_cast)
    sam = str(browser_cast.users()["sam"].pk)
    page = sign_in("mia")
    page.goto("/insights/issues/")
    page.get_by_role("link", name=issue.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(issue.title)
    evidence = page.locator("section[aria-labelledby='evidence-h'] svg")
    expect(evidence).to_be_visible()
    assert evidence.locator("rect[fill='#b42318']").count() == 1  # the alert day, in red
    contributors = page.locator("section[aria-labelledby='contrib-h'] tbody tr")
    expect(contributors.first).to_contain_text("billing NPI 1234567893, procedure 72148")
    screenshot("emerging-issue")

    page.get_by_role("button", name="Open a problem").click()
    expect(page.locator(".messages")).to_contain_text("opened")
    problem_url = page.url
    page.get_by_role("link", name="Edit the record").click()
    page.get_by_label("Service-operations owner").select_option(sam)
    page.get_by_label("Root cause category").select_option(label="System / configuration")
    page.get_by_label("Root cause", exact=True).fill(
        "The prior-authorization rule for lumbar MRI was switched on for this group."
    )
    page.get_by_label("Why 1").fill("Claims for 72148 denied with CARC 197")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("section[aria-labelledby='rca-h']")).to_contain_text(
        "System / configuration"
    )
    expect(page.locator("ol.whys")).to_contain_text("Claims for 72148 denied with CARC 197")

    form = page.locator("form.add-action")
    form.get_by_label("Description").fill("Remove the rule from the group's benefit set")
    form.get_by_label("Owner").select_option(sam)
    form.get_by_label("Due date").fill("2026-03-20")
    form.get_by_role("button", name="Add action").click()
    actions = page.locator("section[aria-labelledby='actions-h'] tbody")
    expect(actions).to_contain_text("Remove the rule from the group's benefit set")
    screenshot("problem")

    # Service operations see the problem assigned to them and nothing to open on the issue.
    page.context.clear_cookies()
    page = sign_in("sam")
    page.goto("/insights/problems/")
    row = page.get_by_role("link", name=issue.title)
    expect(row).to_be_visible()
    row.click()
    assert page.url == problem_url
    expect(actions).to_contain_text("Remove the rule from the group's benefit set")
    assert console.unexpected() == []
