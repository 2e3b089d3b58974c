"""The account page in tabs (lib/panels.py): each app's tab with its real content, every tab
behind the account's access, deep links that work with and without htmx."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts import actions
from clientdesk.guarantees.models import GuaranteeAlert
from clientdesk.guarantees.tests.cast import acme_attested_guarantee, acme_guarantee
from clientdesk.inquiries.tests.cast import acme_escalation, acme_inquiry
from clientdesk.insights.tests.cast import acme_issue
from clientdesk.lib.panels import ACCOUNT_TABS, Panel, Tab
from clientdesk.people.roles import Role, roles_of
from clientdesk.reports.tests.cast import acme_run
from clientdesk.testing import Cast

TAB_KEYS = ["overview", "service", "guarantees", "utilization", "documents", "timeline"]


def tab_url(cast: Cast, key: str) -> str:
    return reverse("accounts:tab", args=[cast.acme.pk, key])


def tab_labels(page: str) -> list[str]:
    strip = re.search(r'<nav class="tabs"[^>]*>(.*?)</nav>', page, re.S)
    assert strip, "no tab strip"
    return re.findall(r">([^<>]+)</a>", strip.group(1))


def current_tab(page: str) -> str:
    found = re.search(r'aria-current="page">([^<]+)</a>', page.split('<nav class="tabs"')[1])
    assert found
    return found.group(1)


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_the_tabs_follow_the_design_order_and_the_overview_comes_first(
    reader: str, cast: Cast, login: Any
) -> None:
    page = login(reader).get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
    assert tab_labels(page) == [
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
    assert current_tab(page) == "Overview"
    assert f'href="/accounts/{cast.acme.pk}/tab/service/"' in page
    assert f'hx-get="/accounts/{cast.acme.pk}/tab/service/"' in page


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_overview_shows_facts_contract_team_and_contacts(
    reader: str, cast: Cast, login: Any
) -> None:
    page = login(reader).get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
    expected = ["Acme Steel Works", "G100001", "2,900", "1,200", "C-G100001-2025"]
    expected += ["Medical, Pharmacy", "$38.50", "Alice Owner", "Lead associate", "Bob Teammate"]
    expected += ["Dana Whitfield", "Director, Total Rewards", "Gallagher", "Jan 1, 2027"]
    for text in expected:
        assert text in page, text
    assert "Log activity" not in page  # the timeline has a tab of its own
    # A manager may add a contract; an associate on the team may not.
    assert ("Add contract" in page) is (reader == "mia")


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_service_tab_shows_inquiries_escalations_and_issues(
    reader: str, cast: Cast, login: Any
) -> None:
    inquiry = acme_inquiry(cast)
    escalation = acme_escalation(cast)
    issue = acme_issue(cast)
    page = login(reader).get(tab_url(cast, "service")).content.decode()
    assert current_tab(page) == "Service"
    assert inquiry.reference in page and "Pending claim for an MRI" in page
    assert "1 open" in page and "0 breached" in page
    assert reverse("inquiries:escalation_detail", args=[escalation.pk]) in page
    assert "Renewal at risk after claim backlog" in page and "High" in page
    assert reverse("insights:issue_detail", args=[issue.pk]) in page
    assert "Denials — CARC 197 up" in page
    assert "Dana Whitfield" not in page  # the overview's cards stay on the overview


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_guarantees_tab_counts_guarantees_and_open_alerts(
    reader: str, cast: Cast, login: Any
) -> None:
    acme_guarantee(cast)
    acme_attested_guarantee(cast)
    GuaranteeAlert.objects.create(
        guarantee=acme_guarantee(cast),
        period_label="2026Q1",
        threshold=Decimal("0.5"),
        p_miss_opened=Decimal("0.55"),
        p_miss_latest=Decimal("0.7311"),
        opened_as_of=dt.date(2026, 2, 1),
        latest_as_of=dt.date(2026, 2, 1),
        opened_at=timezone.now(),
    )
    page = login(reader).get(tab_url(cast, "guarantees")).content.decode()
    assert re.search(r"<dt>Guarantees</dt><dd>2</dd>", page)
    assert re.search(r'<dt>Open alerts</dt><dd><span class="badge bad">1</span>', page)
    assert re.search(r"<dt>Missed, last 12 months</dt><dd>none</dd>", page)
    assert reverse("guarantees:scorecard", args=[cast.acme.pk]) in page


def test_guarantees_tab_of_an_account_without_guarantees(cast: Cast, login: Any) -> None:
    page = login("mia").get(tab_url(cast, "guarantees")).content.decode()
    assert "No guarantees on this account's contracts." in page


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_utilization_tab_opens_the_last_twelve_complete_months(
    reader: str, cast: Cast, login: Any
) -> None:
    client = login(reader)
    # On Jun 15, 2026, March is the last month with three months of run-out behind it.
    with time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False):
        page = client.get(tab_url(cast, "utilization")).content.decode()
    analysis = reverse("utilization:account", args=[cast.acme.pk])
    assert f'href="{analysis}?period=R12-2026-03"' in page
    assert "Open the analysis (12 months to Mar 2026)" in page


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_documents_tab_lists_the_stewardship_reports_made(
    reader: str, cast: Cast, login: Any
) -> None:
    run = acme_run(cast)
    page = login(reader).get(tab_url(cast, "documents")).content.decode()
    assert reverse("reports:account", args=[cast.acme.pk]) in page
    assert reverse("reports:run", args=[run.pk]) in page
    assert "2025Q2" in page and "Alice Owner" in page
    assert reverse("reports:download", args=[run.pk, "xlsx"]) in page


@pytest.mark.parametrize("reader", ["mia", "alice"])
def test_timeline_tab_shows_logged_activity_and_the_form_to_those_who_may_log(
    reader: str, cast: Cast, login: Any
) -> None:
    actions.do_log_activity(
        cast.acme,
        kind="call",
        subject="Renewal pricing call",
        body="CFO asked for two options.",
        occurred_at=dt.datetime(2026, 2, 10, 15, 0, tzinfo=dt.UTC),
        acting_user=cast.bob,
    )
    page = login(reader).get(tab_url(cast, "timeline")).content.decode()
    assert current_tab(page) == "Timeline"
    assert "Renewal pricing call" in page and "CFO asked for two options." in page
    assert "Feb 10, 2026" in page and "Bob Teammate" in page
    assert "Log activity" in page  # both may write on Acme
    eve = login("eve").get(tab_url(cast, "timeline")).content.decode()
    assert "Renewal pricing call" in eve and "Log activity" not in eve


@pytest.mark.parametrize("key", TAB_KEYS)
def test_a_tab_of_another_teams_account_is_not_found(key: str, cast: Cast, login: Any) -> None:
    acme_inquiry(cast)
    response = login("oscar").get(tab_url(cast, key))
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
    assert login("oscar").get(tab_url(cast, key), headers={"HX-Request": "true"}).status_code == 404


def test_an_unknown_tab_is_not_found(cast: Cast, login: Any) -> None:
    assert login("mia").get(tab_url(cast, "forecasts")).status_code == 404  # no app has it
    assert login("mia").get(tab_url(cast, "nonsense")).status_code == 404


def test_htmx_gets_the_tab_alone_and_history_restore_the_whole_page(cast: Cast, login: Any) -> None:
    client = login("alice")
    acme_inquiry(cast)
    swap = client.get(tab_url(cast, "service"), headers={"HX-Request": "true"})
    fragment = swap.content.decode()
    assert swap.status_code == 200
    assert fragment.lstrip().startswith('<div id="account-tab"')
    assert "<html" not in fragment and "<h1>" not in fragment and "Pending claim" in fragment
    assert current_tab(fragment) == "Service"
    assert "HX-Request" in swap["Vary"]
    restore = client.get(
        tab_url(cast, "service"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode() and "<h1>Acme Steel Works</h1>" in (
        restore.content.decode()
    )
    full = client.get(tab_url(cast, "service")).content.decode()
    assert "<html" in full and "Pending claim" in full


class Spy:
    """A panel builder that remembers who asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dt.datetime]] = []

    def __call__(self, user: Any, account: Any, now: dt.datetime) -> Panel:
        self.calls.append((user.username, account.name, now))
        return Panel("accounts/tests/_spy_panel.html", {"spied": f"seen by {user.username}"})


PLAN = Tab("plan", "Plan", 20)


@pytest.fixture
def spy(settings: Any, tmp_path: Any) -> Iterator[Spy]:
    """A new app's Plan tab, registered as an app would in ready(), gone after the test."""
    folder = tmp_path / "templates" / "accounts" / "tests"
    folder.mkdir(parents=True)
    (folder / "_spy_panel.html").write_text(
        '<section class="card"><h2>Plan</h2><p>{{ spied }} on {{ account.name }}</p></section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]},
        *settings.TEMPLATES[1:],
    ]
    spy = Spy()
    ACCOUNT_TABS.register("tests.plan", PLAN, spy)
    yield spy
    ACCOUNT_TABS.unregister("tests.plan")


def test_a_registered_tab_appears_in_its_place_and_renders(
    spy: Spy, cast: Cast, login: Any
) -> None:
    overview = login("alice").get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
    assert tab_labels(overview)[:3] == ["Overview", "Plan", "Service"]
    assert spy.calls == []  # only the tab being shown is built
    page = login("alice").get(tab_url(cast, "plan")).content.decode()
    assert "seen by alice on Acme Steel Works" in page
    assert [(user, account) for user, account, _ in spy.calls] == [("alice", "Acme Steel Works")]


def test_a_registered_tab_is_built_only_after_the_account_access(
    spy: Spy, cast: Cast, login: Any
) -> None:
    assert login("oscar").get(tab_url(cast, "plan")).status_code == 404
    assert login("sam").get(tab_url(cast, "plan")).status_code == 404
    assert spy.calls == []


def test_a_tab_for_some_roles_is_not_found_for_the_others(cast: Cast, login: Any) -> None:
    ACCOUNT_TABS.register(
        "tests.managers",
        Tab("forecasts", "Forecasts", 65),
        lambda user, account, now: Panel("accounts/_timeline.html", {"timeline": []}),
        shown_to=lambda user: Role.MANAGER in roles_of(user),
    )
    try:
        assert login("mia").get(tab_url(cast, "forecasts")).status_code == 200
        alice = login("alice")
        assert alice.get(tab_url(cast, "forecasts")).status_code == 404
        page = alice.get(reverse("accounts:detail", args=[cast.acme.pk])).content.decode()
        assert "Forecasts" not in tab_labels(page)
    finally:
        ACCOUNT_TABS.unregister("tests.managers")


# Session, user and roles are three of each, and the top bar's and the security middleware's
# reads three more; the rest is the tab's own, whatever the rows. The Overview carries the
# strategy app's health, plan and calls, the next renewal from the contracts' terms and the
# team's coverage, which reads the people, their shifts, their time off and their attendance
# occurrences (one query each, whatever the team: team.queries.coverage_of_accounts): 28 is what
# it costs read afresh, and 4 more for the keys of the two parts kept until the next write
# (strategy's and the team's: the last audit row and batch each, lake/memo.py ReaderMemo); a view
# again within the minute reads neither part. Its cards read the account, its assignments and its
# contacts twice (the facts card and strategy's health card each their own): three to fold.
TAB_QUERIES = {
    "overview": 32,
    "service": 13,
    "guarantees": 12,
    "utilization": 8,
    "documents": 9,
    "timeline": 11,
}


@pytest.mark.parametrize("key", TAB_QUERIES)
def test_each_tab_pins_its_query_count_however_many_rows(
    key: str, cast: Cast, login: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        acme_inquiry(cast)
        acme_escalation(cast)
        acme_run(cast)
    acme_guarantee(cast)
    acme_attested_guarantee(cast)
    client = login("alice")
    with django_assert_max_num_queries(TAB_QUERIES[key]):
        assert client.get(tab_url(cast, key)).status_code == 200
