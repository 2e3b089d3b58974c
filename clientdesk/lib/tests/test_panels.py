"""The account-tab and work-list registries: order, audience, replacement, and what a builder's
None means. Pure: fresh registries, plain values for users and accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clientdesk.lib.panels import (
    DOCUMENTS,
    GUARANTEES,
    OVERVIEW,
    SERVICE,
    TIMELINE,
    AccountTabs,
    Panel,
    Tab,
)
from clientdesk.lib.work import WorkList, WorkLists

NOW = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)


def fixed(template: str) -> Any:
    """A builder answering the same panel for anyone."""

    def build(user: Any, account: Any, now: dt.datetime) -> Panel:
        return Panel(template, {"user": user, "account": account, "now": now})

    return build


def managers_only(user: Any) -> bool:
    return bool(user == "manager")


def test_tabs_come_in_design_order_whatever_the_registration_order() -> None:
    tabs = AccountTabs()
    tabs.register("a.timeline", TIMELINE, fixed("timeline.html"))
    tabs.register("b.guarantees", GUARANTEES, fixed("guarantees.html"))
    tabs.register("c.service", SERVICE, fixed("service.html"))
    tabs.register("d.overview", OVERVIEW, fixed("overview.html"))
    assert [t.label for t in tabs.tabs_for("manager")] == [
        "Overview",
        "Service",
        "Guarantees",
        "Timeline",
    ]


def test_a_tab_is_shown_once_with_its_panels_in_their_order() -> None:
    tabs = AccountTabs()
    tabs.register("insights.issues", SERVICE, fixed("issues.html"), order=20)
    tabs.register("inquiries.summary", SERVICE, fixed("inquiries.html"), order=10)
    tabs.register("accounts.overview", OVERVIEW, fixed("overview.html"))
    assert tabs.tabs_for("associate") == [OVERVIEW, SERVICE]
    panels = tabs.panels("associate", "acme", NOW, SERVICE)
    assert [p.template for p in panels] == ["inquiries.html", "issues.html"]
    assert panels[0].context == {"user": "associate", "account": "acme", "now": NOW}


def test_a_panel_for_some_readers_only() -> None:
    tabs = AccountTabs()
    tabs.register("accounts.overview", OVERVIEW, fixed("overview.html"))
    tabs.register("financials.pl", DOCUMENTS, fixed("pl.html"), shown_to=managers_only)
    assert tabs.tabs_for("manager") == [OVERVIEW, DOCUMENTS]
    assert tabs.tabs_for("associate") == [OVERVIEW]
    assert tabs.tab_for("associate", "documents") is None
    assert tabs.tab_for("manager", "documents") == DOCUMENTS
    assert tabs.panels("associate", "acme", NOW, DOCUMENTS) == []


def test_a_builder_with_nothing_for_this_account_is_left_out() -> None:
    tabs = AccountTabs()
    tabs.register("a.nothing", SERVICE, lambda user, account, now: None, order=1)
    tabs.register("b.something", SERVICE, fixed("something.html"), order=2)
    assert [p.template for p in tabs.panels("manager", "acme", NOW, SERVICE)] == ["something.html"]


def test_registering_a_key_again_replaces_it_and_a_tab_key_means_one_tab() -> None:
    tabs = AccountTabs()
    tabs.register("guarantees.summary", GUARANTEES, fixed("old.html"))
    tabs.register("guarantees.summary", GUARANTEES, fixed("new.html"))
    assert [p.template for p in tabs.panels("manager", "acme", NOW, GUARANTEES)] == ["new.html"]
    with pytest.raises(ValueError, match="'guarantees' is already registered"):
        tabs.register("other.pg", Tab("guarantees", "PGs", 45), fixed("pg.html"))
    tabs.unregister("guarantees.summary")
    assert tabs.tabs_for("manager") == []


def test_a_new_app_adds_a_tab_of_its_own_where_its_order_puts_it() -> None:
    tabs = AccountTabs()
    tabs.register("accounts.overview", OVERVIEW, fixed("overview.html"))
    tabs.register("accounts.timeline", TIMELINE, fixed("timeline.html"))
    surveys = Tab("surveys", "Surveys", 90)
    tabs.register("surveys.results", surveys, fixed("surveys.html"))
    assert [t.key for t in tabs.tabs_for("manager")] == ["overview", "surveys", "timeline"]


def work(key: str) -> WorkList:
    return WorkList(key=key, heading=key.title(), total=0, url="/", empty="Nothing.")


def test_work_lists_in_their_order_and_only_for_their_readers() -> None:
    lists = WorkLists()
    lists.register("actions", lambda user, now: work("actions"), order=50)
    lists.register(
        "problems",
        lambda user, now: work("problems") if user == "service_ops" else None,
        order=40,
    )
    lists.register("inquiries", lambda user, now: work("inquiries"), order=10)
    assert [w.key for w in lists.for_reader("associate", NOW)] == ["inquiries", "actions"]
    assert [w.key for w in lists.for_reader("service_ops", NOW)] == [
        "inquiries",
        "problems",
        "actions",
    ]
    lists.register("inquiries", lambda user, now: work("inquiries"), order=60)
    assert [w.key for w in lists.for_reader("associate", NOW)] == ["actions", "inquiries"]
