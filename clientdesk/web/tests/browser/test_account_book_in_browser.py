"""The account book in a real browser: sign in, search, open an account, edit a contact.

Each test starts from the named cast (clientdesk/testing.py) on a live server and asserts what a
person would read on the screen. Screenshots of the main pages go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import pytest

from clientdesk.accounts import actions
from clientdesk.accounts.models import Contact
from clientdesk.audit.models import AuditEvent
from clientdesk.testing import PASSWORD, Cast

from .conftest import VIEWPORT, skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from .conftest import ConsoleLog

pytestmark = pytest.mark.browser


def add_more_accounts(cast: Cast) -> None:
    """A few more sponsors, so the list has something to narrow."""
    for name, group, segment, funding, state, region, members in [
        ("Acme Packaging", "G100003", "commercial", "fully_insured", "PA", "Northeast", 640),
        (
            "Great Lakes Teamsters Welfare Fund",
            "G100004",
            "labor_fund",
            "aso",
            "MI",
            "Midwest",
            5400,
        ),
        (
            "Northwind Public Schools",
            "G100005",
            "public_sector",
            "fully_insured",
            "TX",
            "South",
            3800,
        ),
    ]:
        actions.do_create_account(
            {
                "name": name,
                "group_number": group,
                "segment": segment,
                "funding": funding,
                "employees": members // 2,
                "members": members,
                "state": state,
                "region": region,
                "effective_date": dt.date(2021, 1, 1),
                "renewal_date": dt.date(2027, 1, 1),
            },
            acting_user=cast.mia,
        )


def account_names(page: Page) -> list[str]:
    return [
        name.strip()
        for name in page.locator("#account-rows tbody td:first-child a").all_inner_texts()
    ]


def test_login_lands_on_home_with_my_accounts(
    page: Page, browser_cast: Cast, screenshot: Any
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="clientdesk")).to_be_visible()

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".messages .error")).to_have_text(
        re.compile(r"Please enter a correct username and password")
    )
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Good (morning|afternoon|evening), Alice$")  # by the clock of the run
    )
    expect(page.locator("header.top .who")).to_contain_text("Alice Owner · Associate")
    mine = page.get_by_role("region", name="My accounts")
    expect(mine.get_by_role("link", name="Acme Steel Works")).to_be_visible()
    expect(mine).to_contain_text("G100001 · Commercial employer")
    expect(mine).not_to_contain_text("Bayside")
    expect(page.locator(".stat").filter(has_text="Covered members")).to_contain_text("2,900")
    screenshot("home")


def test_search_narrows_the_list_live_and_segment_filters(
    page: Page, sign_in: Any, browser_cast: Cast, console: ConsoleLog, screenshot: Any
) -> None:
    add_more_accounts(browser_cast)
    sign_in("mia")
    htmx_script = "/static/vendor/htmx/htmx.min.js"
    with page.expect_response(lambda r: r.url.endswith(htmx_script)) as script:
        page.goto("/accounts/")
    assert script.value.status == 200
    assert page.evaluate("typeof window.htmx") == "object"
    expect(page.locator("#account-rows tbody tr")).to_have_count(5)
    expect(page.locator(".pager")).to_contain_text("5 accounts")
    screenshot("accounts")

    search = page.get_by_role("searchbox", name="Search", exact=True)
    with page.expect_request(lambda r: "q=acme" in r.url and r.headers.get("hx-request") == "true"):
        search.press_sequentially("acme", delay=20)
    expect(page.locator("#account-rows tbody tr")).to_have_count(2)
    assert account_names(page) == ["Acme Packaging", "Acme Steel Works"]
    expect(page.locator(".pager")).to_contain_text("2 accounts")
    expect(page).to_have_url(re.compile(r"[?&]q=acme"))  # hx-push-url keeps the filter linkable
    expect(page.get_by_role("heading", name="Accounts", level=1)).to_have_count(1)  # a swap

    search.press_sequentially(" st", delay=20)
    expect(page.locator("#account-rows tbody tr")).to_have_count(1)
    assert account_names(page) == ["Acme Steel Works"]
    row = page.locator("#account-rows tbody tr")
    expect(row).to_contain_text("ASO (self-funded)")
    expect(row).to_contain_text("2,900")
    expect(row).to_contain_text("Alice Owner")

    search.fill("zzz")
    expect(page.locator("#account-rows")).to_contain_text("No accounts match these filters.")

    search.fill("")
    page.get_by_role("search").get_by_label("Segment").select_option(
        label="Labor (Taft-Hartley) fund"
    )
    expect(page.locator("#account-rows tbody tr")).to_have_count(2)
    assert account_names(page) == [
        "Bayside Carpenters Health Fund",
        "Great Lakes Teamsters Welfare Fund",
    ]
    expect(page).to_have_url(re.compile(r"segment=labor_fund"))
    assert console.unexpected() == []  # htmx ran its swaps without a console error or CSP report


def test_account_page_shows_facts_contract_team_and_contacts(
    page: Page, sign_in: Any, browser_cast: Cast, screenshot: Any
) -> None:
    sign_in("alice")
    page.goto("/accounts/")
    expect(page.locator("#account-rows tbody tr")).to_have_count(1)  # alice sees her account only
    page.get_by_role("link", name="Acme Steel Works").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{browser_cast.acme.pk}/$"))
    expect(page).to_have_title("Acme Steel Works · clientdesk")

    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Steel Works")
    expect(page.locator("p.sub")).to_contain_text(
        "G100001 · Commercial employer · ASO (self-funded) · Key account"
    )
    expect(page.locator("p.sub .badge")).to_have_text("Active")
    stats = page.locator(".stats")
    expect(stats.locator(".stat").filter(has_text="Employees")).to_contain_text("1,200")
    expect(stats.locator(".stat").filter(has_text="Covered members")).to_contain_text("2,900")
    expect(stats.locator(".stat").filter(has_text="Effective")).to_contain_text("Jan 2019")
    expect(stats.locator(".stat").filter(has_text="Renews")).to_contain_text("Jan 1, 2027")
    facts = page.get_by_role("region", name="Facts")
    expect(facts).to_contain_text("OH · Midwest · America/New_York")
    expect(facts).to_contain_text("Gallagher")

    contracts = page.get_by_role("region", name="Contracts and products")
    row = contracts.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("C-G100001-2025")
    expect(row).to_contain_text("Jan 1, 2025 – Dec 31, 2026")
    expect(row).to_contain_text("Medical, Pharmacy")
    expect(row).to_contain_text("$38.50")
    expect(contracts.locator("thead")).to_contain_text("Admin fee PEPM")

    team = page.get_by_role("region", name="Account team")
    expect(team).to_contain_text("Alice Owner")
    expect(team).to_contain_text("Lead associate")
    expect(team).to_contain_text("Bob Teammate")
    expect(team).to_contain_text("Backup associate")

    contacts = page.get_by_role("region", name="Contacts")
    contact = contacts.locator(".contact")
    expect(contact).to_have_count(1)
    expect(contact).to_contain_text("Dana Whitfield")
    expect(contact.locator(".badge")).to_have_text("primary")
    expect(contact).to_contain_text("Director, Total Rewards · Benefits manager")
    expect(contact.get_by_role("link", name="dana.whitfield@acme.example")).to_have_attribute(
        "href", "mailto:dana.whitfield@acme.example"
    )
    expect(contact).to_contain_text("614-555-0100")
    # An associate on the team keeps contacts and the timeline, but not the account's facts.
    expect(contacts.get_by_role("link", name="Edit Dana Whitfield")).to_be_visible()
    expect(page.get_by_role("link", name="Edit account")).to_have_count(0)
    tabs = page.get_by_role("navigation", name="Account sections")
    expect(tabs.get_by_role("link")).to_have_text(
        [
            "Overview",
            "Plan",
            "Service",
            "Guarantees",
            "Utilization",
            "Financials",
            "Growth",
            "Installation",
            "Surveys",
            "Documents",
            "Timeline",
        ]
    )
    expect(tabs.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    screenshot("account")

    # A tab comes in with htmx: the address changes, the page around it stays.
    acme = browser_cast.acme.pk
    with page.expect_request(
        lambda r: (
            r.url.endswith(f"/accounts/{acme}/tab/timeline/")
            and r.headers.get("hx-request") == "true"
        )
    ):
        tabs.get_by_role("link", name="Timeline").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{acme}/tab/timeline/$"))
    expect(tabs.get_by_role("link", name="Timeline")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Nothing logged yet.")
    expect(page.get_by_role("button", name="Log activity")).to_be_visible()
    expect(page.get_by_role("region", name="Contacts")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    screenshot("account-timeline")

    page.get_by_label("Subject").fill("Renewal kickoff call")
    page.get_by_role("button", name="Log activity").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{acme}/tab/timeline/$"))
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Renewal kickoff call")

    tabs.get_by_role("link", name="Service").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{acme}/tab/service/$"))
    expect(page.get_by_role("region", name="Inquiries")).to_contain_text("0 open")
    expect(page.get_by_role("region", name="Emerging issues")).to_contain_text(
        "No emerging issues."
    )
    screenshot("account-service")
    page.go_back()  # history brings the timeline back
    expect(page).to_have_url(re.compile(rf"/accounts/{acme}/tab/timeline/$"))
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Renewal kickoff call")

    # The top bar's groups are plain <details> menus: one opens, the next closes it.
    bar = page.get_by_role("navigation", name="Main")
    expect(bar.get_by_role("link", name="Problems")).to_be_hidden()
    bar.locator("summary", has_text="Service").click()
    expect(bar.get_by_role("link", name="Problems")).to_be_visible()
    expect(bar.locator("details[open] a")).to_have_text(
        [
            "Calls to action",
            "Inquiries",
            "Issues",
            "Problems",
            "Escalations",
            "Surveys",
            "Installation",
            "Directives",
        ]
    )
    screenshot("nav-service-menu")
    bar.locator("summary", has_text="Performance").click()
    expect(bar.get_by_role("link", name="Problems")).to_be_hidden()
    expect(bar.locator("details[open] a")).to_have_text(["Health", "Guarantees"])
    bar.get_by_role("link", name="Guarantees").click()
    expect(page).to_have_url(re.compile(r"/guarantees/$"))


def test_edit_contact_saves_and_rejects_a_bad_email(
    page: Page, sign_in: Any, browser_cast: Cast, screenshot: Any
) -> None:
    contact = browser_cast.acme_contact
    sign_in("alice")
    page.goto(f"/accounts/{browser_cast.acme.pk}/")
    page.get_by_role("link", name="Edit Dana Whitfield").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit contact")
    expect(page.get_by_label("Title")).to_have_value("Director, Total Rewards")

    audit_rows = AuditEvent.objects.count()
    page.get_by_label("Email").fill("dana.whitfield@acme")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages .error")).to_have_text(
        "Please correct the fields marked below; nothing was saved."
    )
    email_field = page.locator(".field.has-error")
    expect(email_field).to_have_count(1)
    expect(email_field.locator("label")).to_contain_text("Email")
    expect(email_field.locator(".errorlist")).to_have_text("Enter a valid email address.")
    expect(page.get_by_label("Email")).to_have_value("dana.whitfield@acme")  # kept for fixing
    screenshot("contact-error")
    contact.refresh_from_db()
    assert contact.email == "dana.whitfield@acme.example"
    assert AuditEvent.objects.count() == audit_rows

    # A long address (the demo's trustees have 47 characters) wraps in its column: it pushed
    # the account page 128 px past a 1366 px window.
    long_email = "dana.whitfield.total-rewards@acmesteelworksofohio.example"
    page.get_by_label("Email").fill(long_email)
    page.get_by_label("Title").fill("Vice President, Total Rewards")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/accounts/{browser_cast.acme.pk}/$"))
    expect(page.locator(".messages li")).to_have_text("Contact saved.")
    contacts = page.get_by_role("region", name="Contacts")
    expect(contacts).to_contain_text("Vice President, Total Rewards · Benefits manager")
    expect(contacts).not_to_contain_text("Director, Total Rewards")
    expect(contacts.get_by_role("link", name=long_email)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == VIEWPORT["width"]
    saved = Contact.objects.get(pk=contact.pk)
    assert (saved.title, saved.email) == ("Vice President, Total Rewards", long_email)
    assert AuditEvent.objects.filter(action="contact.update").count() == 1


def test_executive_reads_without_edit_links_and_outsider_gets_404(
    page: Page, sign_in: Any, browser_cast: Cast, console: ConsoleLog
) -> None:
    acme_url = f"/accounts/{browser_cast.acme.pk}/"
    sign_in("eve")
    page.goto(acme_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Steel Works")
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("Dana Whitfield")
    expect(page.get_by_role("region", name="Contracts and products")).to_contain_text(
        "C-G100001-2025"
    )
    main = page.get_by_role("main")
    for name in ("Edit", "Edit account", "Add contact", "Add contract", "Change", "Audit trail"):
        expect(main.get_by_role("link", name=re.compile(rf"^{name}\b"))).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)  # no activity form either
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Audit trail")

    page.context.clear_cookies()
    sign_in("oscar")
    console.expect("status of 404")  # Chromium logs the 404 document as a console error
    response = page.goto(acme_url)
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_role("main")).to_contain_text(
        "There is nothing here, or it is not one of your accounts."
    )
    expect(page.get_by_role("link", name="Back to home")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Acme")
    expect(page).to_have_title("Not found · clientdesk")


def test_first_tab_reaches_the_skip_link(page: Page, sign_in: Any) -> None:
    sign_in("alice")
    page.goto("/")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()  # out of sight until it has focus
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")  # focus continues inside main, past the header's links
    assert page.evaluate("document.activeElement.closest('main') !== null")
