"""The top bar groups pages by the reader's work (DESIGN.md): Home · Accounts · Service ·
Performance · Reports, each group only with what the reader's roles open, admin items under the
user menu."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from clientdesk.testing import Cast
from clientdesk.web.context import navigation_groups, user_menu

SERVICE_ALL = ["Inquiries", "Issues", "Problems", "Escalations"]
MANAGING = ["Inquiry dashboard", "SLA policies", "Routing"]
GROWTH = ["Pipeline", "Leads", "RFPs", "Answer library", "Vendors"]

EXPECTED: dict[str, tuple[list[tuple[str, list[str]]], list[str]]] = {
    "ada": (
        [
            ("Home", ["Home"]),
            ("Accounts", ["Accounts"]),
            (
                "Service",
                [
                    "Calls to action",
                    "Inquiries",
                    "Issues",
                    "Problems",
                    "Escalations",
                    "Surveys",
                    "Installation",
                    "Inquiry dashboard",
                    "SLA policies",
                    "Routing",
                    "Directives",
                ],
            ),
            ("Performance", ["Health", "Guarantees", "Utilization", "Financials"]),
            ("Growth", ["Pipeline", "Leads", "RFPs", "Answer library", "Vendors"]),
            ("Team", ["Roster", "Training", "Licenses", "Time off", "Recruiting", "Team figures"]),
            ("Reports", ["Reports"]),
        ],
        ["Audit trail", "Data loads", "Two-factor sign-in", "Admin"],
    ),
    "mia": (
        [
            ("Home", ["Home"]),
            ("Accounts", ["Accounts"]),
            (
                "Service",
                [
                    "Calls to action",
                    "Inquiries",
                    "Issues",
                    "Problems",
                    "Escalations",
                    "Surveys",
                    "Installation",
                    "Inquiry dashboard",
                    "SLA policies",
                    "Routing",
                    "Directives",
                ],
            ),
            ("Performance", ["Health", "Guarantees", "Utilization", "Financials"]),
            ("Growth", ["Pipeline", "Leads", "RFPs", "Answer library", "Vendors"]),
            ("Team", ["Roster", "Training", "Licenses", "Time off", "Recruiting", "Team figures"]),
            ("Reports", ["Reports"]),
        ],
        ["Audit trail", "Data loads"],
    ),
    "alice": (
        [
            ("Home", ["Home"]),
            ("Accounts", ["Accounts"]),
            (
                "Service",
                [
                    "Calls to action",
                    "Inquiries",
                    "Issues",
                    "Problems",
                    "Escalations",
                    "Surveys",
                    "Installation",
                    "Directives",
                ],
            ),
            ("Performance", ["Health", "Guarantees"]),
            ("Growth", ["Pipeline", "Leads", "RFPs", "Answer library", "Vendors"]),
            ("Team", ["My records", "Time off"]),
        ],
        [],
    ),
    "eve": (
        [
            ("Home", ["Home"]),
            ("Accounts", ["Accounts"]),
            (
                "Service",
                [
                    "Calls to action",
                    "Inquiries",
                    "Issues",
                    "Problems",
                    "Escalations",
                    "Surveys",
                    "Installation",
                    "Inquiry dashboard",
                    "Directives",
                ],
            ),
            ("Performance", ["Health", "Guarantees", "Utilization", "Financials"]),
            ("Growth", ["Pipeline", "Leads", "RFPs", "Answer library", "Vendors"]),
            ("Team", ["Team figures"]),
            ("Reports", ["Reports"]),
        ],
        [],
    ),
    "sam": (
        [("Home", ["Home"]), ("Service", ["Problems", "Installation tasks", "Directives"])],
        [],
    ),
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_role_gets_the_groups_that_have_something_for_it(name: str, cast: Cast) -> None:
    user = cast.users()[name]
    groups = navigation_groups(user, ("", "home"))
    shown = [(g.label, [link.label for link in g.links]) for g in groups]
    expected_groups, expected_menu = EXPECTED[name]
    assert shown == expected_groups
    assert [link.label for link in user_menu(user, ("", "home"))] == expected_menu


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_link_in_the_bar_opens_for_its_reader(name: str, cast: Cast, login: Any) -> None:
    client = login(name)
    user = cast.users()[name]
    links = [link for g in navigation_groups(user, ("", "home")) for link in g.links]
    for link in [*links, *user_menu(user, ("", "home"))]:
        assert client.get(link.url).status_code == 200, link


def test_the_page_being_read_marks_its_group_and_link(cast: Cast, login: Any) -> None:
    client = login("mia")
    page = client.get(reverse("inquiries:policies")).content.decode()
    assert re.search(r'<summary class="current">Service</summary>', page)
    assert f'<a href="{reverse("inquiries:policies")}" aria-current="page">SLA policies</a>' in page
    account = client.get(reverse("accounts:tab", args=[cast.acme.pk, "service"])).content.decode()
    assert f'<a href="{reverse("accounts:list")}" aria-current="page">Accounts</a>' in account
    assert '<summary class="current">' not in account  # an account's Service tab is not Service
    scorecard = client.get(reverse("guarantees:scorecard", args=[cast.acme.pk])).content.decode()
    assert re.search(r'<summary class="current">Performance</summary>', scorecard)


def test_menus_are_plain_details_with_admin_items_under_the_user(cast: Cast, login: Any) -> None:
    page = login("ada").get(reverse("home")).content.decode()
    bar = page.split('<header class="top">')[1].split("</header>")[0]
    assert "<script" not in bar
    assert (
        bar.count('<details class="menu" name="main-menu">') == 4
    )  # Service, Performance, Growth, Team
    nav, who = bar.split("</nav>")
    assert "Audit trail" not in nav and "Admin" not in nav
    assert 'class="menu who"' in who and "Ada Admin · Admin" in who
    assert reverse("audit:list") in who and reverse("admin:index") in who
    assert "Sign out" in who


def _bar(client: Any) -> str:
    page = client.get(reverse("home")).content.decode()
    bar = page.split('<header class="top">')[1].split("</header>")[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", bar)  # new on every page


def test_the_bar_kept_per_process_follows_each_readers_roles(cast: Cast, login: Any) -> None:
    """The top bar is built once per set of roles and page (web/context.py): a reader given a
    role sees its links on their next page, one whose role is taken loses them, and readers of
    other roles never get each other's bar."""
    from django.contrib.auth.models import Group

    manager_bar = _bar(login("mia"))
    associate_bar = _bar(login("alice"))
    assert "Inquiry dashboard" in manager_bar and "Inquiry dashboard" not in associate_bar
    assert "Audit trail" in manager_bar and "Audit trail" not in associate_bar
    assert _bar(login("bob")) == associate_bar.replace("Alice Owner", "Bob Teammate")
    cast.alice.groups.add(Group.objects.get(name="Manager"))
    promoted = _bar(login("alice"))
    assert "Inquiry dashboard" in promoted and "Audit trail" in promoted
    cast.alice.groups.remove(Group.objects.get(name="Manager"))
    assert _bar(login("alice")) == associate_bar
    cast.mia.is_staff = True  # a staff flag alone opens no admin link: that needs the Admin role
    cast.mia.save()
    assert _bar(login("mia")) == manager_bar
    admin_bar = _bar(login("ada"))
    assert reverse("admin:index") in admin_bar
    cast.ada.is_staff = False
    cast.ada.save()
    assert reverse("admin:index") not in _bar(login("ada"))


@pytest.mark.parametrize("name", ["ada", "alice", "sam"])
def test_the_bar_shows_exactly_the_readers_links_in_order(
    name: str, cast: Cast, login: Any
) -> None:
    """The bar's HTML is rendered once per set of roles and page (web/context.py) and shown on
    every page: its links are the reader's groups and user menu, in order, whichever page of
    theirs renders it first."""
    client = login(name)
    user = cast.users()[name]
    for url_name in ("search", "home"):
        page = client.get(reverse(url_name)).content.decode()
        nav, who = page.split('<header class="top">')[1].split("</header>")[0].split("</nav>")
        here = ("", url_name)
        expected = [
            (link.url, link.label) for g in navigation_groups(user, here) for link in g.links
        ]
        shown = re.findall(r'<a href="([^"]+)"(?: aria-current="page")?>([^<]+)</a>', nav)
        assert shown == expected
        menu = re.findall(r'<li><a href="([^"]+)"(?: aria-current="page")?>([^<]+)</a>', who)
        assert menu == [(link.url, link.label) for link in user_menu(user, here)]
