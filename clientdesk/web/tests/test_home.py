"""The home page's "your work" lists: each reader sees what of theirs needs them now, within
the same access rules as the pages the items link to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.actions import do_update_account
from clientdesk.guarantees.models import GuaranteeAlert
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.inquiries.models import Inquiry, SlaState
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.insights.actions import do_record_detection
from clientdesk.insights.models import Problem
from clientdesk.insights.tests.cast import START, acme_problem, issue_record
from clientdesk.lib.work import WORK_LISTS, WorkItem, WorkList
from clientdesk.testing import Cast
from clientdesk.web.views import work_lists


def _book(cast: Cast) -> Problem:
    problem = acme_problem(cast)  # sam's action, due Mar 20, 2026: overdue by now
    assert problem.actions.count() == 1
    do_record_detection(
        [issue_record(cast.acme.pk, carc="16", first=START + dt.timedelta(days=20))],
        as_of=START + dt.timedelta(days=25),
        since=START,
        stats={},
        acting_user=None,
    )
    inquiry = acme_inquiry(cast)
    Inquiry.objects.filter(pk=inquiry.pk).update(
        sla_state=SlaState.RUNNING,
        sla_due_at=timezone.now() - dt.timedelta(hours=2),
        sla_at_risk_at=timezone.now() - dt.timedelta(hours=6),
    )
    now = timezone.now()
    GuaranteeAlert.objects.create(
        guarantee=acme_guarantee(cast),
        period_label="2026Q1",
        threshold=Decimal("0.5"),
        p_miss_opened=Decimal("0.55"),
        p_miss_latest=Decimal("0.7311"),
        expected_penalty=Decimal("731.10"),
        opened_as_of=START,
        latest_as_of=START,
        opened_at=now,
    )
    return problem


def test_the_associate_sees_her_late_inquiry_the_alert_and_the_new_issue(
    cast: Cast, client: Client
) -> None:
    _book(cast)
    lists = {w.key: w for w in work_lists(cast.alice, timezone.now())}
    # The service lists in the working day's order (other apps' lists may sit between them).
    service = ["inquiries", "escalations", "guarantees", "issues", "actions"]
    assert [key for key in lists if key in service] == service
    [late] = lists["inquiries"].items
    assert late.title.endswith("Pending claim for an MRI") and late.urgent
    assert late.detail.startswith("SLA breached · Acme Steel Works")
    [alert] = lists["guarantees"].items
    assert alert.detail == "2026Q1: 73\u202f% chance of a miss, $731 expected penalty"
    assert alert.urgent
    assert [i.title for i in lists["issues"].items] == ["Denials — CARC 16 up"]  # not the problem's
    assert lists["actions"].total == 0  # the action is sam's

    client.force_login(cast.alice)
    page = client.get(reverse("home")).content.decode()
    assert "My inquiries past or near their SLA" in page
    assert "Pending claim for an MRI" in page and "Denials — CARC 16 up" in page


def test_someone_outside_the_account_sees_none_of_it(cast: Cast) -> None:
    _book(cast)
    lists = {w.key: w for w in work_lists(cast.oscar, timezone.now())}  # Bayside's associate
    assert all(w.total == 0 and not w.items for w in lists.values())


def test_service_operations_see_their_overdue_action(cast: Cast, client: Client) -> None:
    mine = _book(cast)
    lists = work_lists(cast.sam, timezone.now())
    assert [w.key for w in lists] == ["problems", "actions"]
    [problem] = lists[0].items
    assert problem.title == f"{mine.reference} · Denials — CARC 197 up"
    assert problem.detail.startswith("Corrective actions under way · Acme Steel Works · opened ")
    [action] = lists[1].items
    assert action.title == "Fix the prior-auth rule" and action.urgent
    assert action.detail.endswith("overdue since Mar 20")
    client.force_login(cast.sam)
    page = client.get(reverse("home")).content.decode()
    assert "Fix the prior-auth rule" in page
    assert "Nothing is assigned to you yet" not in page


def test_a_work_list_an_app_registers_shows_on_home_in_its_order(
    cast: Cast, client: Client
) -> None:
    """A new app registers its list in ready() (lib/work.py); the shell is not touched."""

    def overdue_training(user: Any, now: dt.datetime) -> WorkList | None:
        if user.username != "alice":
            return None
        item = WorkItem("HIPAA refresher", "due Mar 31", "/", when=dt.date(2026, 3, 31))
        return WorkList("refresher", "Overdue refresher", 1, "/", "No refresher due.", [item])

    # A key of its own: registering "training" would replace the team app's real list.
    WORK_LISTS.register("refresher", overdue_training, order=25)
    try:
        keys = [w.key for w in work_lists(cast.alice, timezone.now())]
        order = ["inquiries", "escalations", "guarantees", "refresher", "issues", "actions"]
        assert [key for key in keys if key in order] == order
        assert "refresher" not in [w.key for w in work_lists(cast.bob, timezone.now())]
        client.force_login(cast.alice)
        page = client.get(reverse("home")).content.decode()
        assert 'data-work="refresher"' in page and "HIPAA refresher" in page
    finally:
        WORK_LISTS.unregister("refresher")


def test_the_home_page_reads_again_after_a_write_a_minute_or_for_another_reader(
    cast: Cast, client: Client
) -> None:
    """web/memo.py: the work lists are built once per reader, state of the data and minute."""
    built: list[str] = []

    def counted(user: Any, now: dt.datetime) -> WorkList:
        built.append(user.username)
        return WorkList("counted", f"Built {len(built)} times", 0, "/", "Nothing.")

    WORK_LISTS.register("counted", counted, order=99)
    at = dt.datetime(2026, 11, 27, 15, 0, 10, tzinfo=dt.UTC)
    try:
        with time_machine.travel(at, tick=False):
            client.force_login(cast.alice)
            assert "Built 1 times" in client.get(reverse("home")).content.decode()
            assert "Built 1 times" in client.get(reverse("home")).content.decode()
            assert built == ["alice"]
            client.force_login(cast.bob)  # another reader: never alice's answer
            assert "Built 2 times" in client.get(reverse("home")).content.decode()
            # A write anywhere (an audit row): read again.
            do_update_account(cast.acme, {"broker": "Marsh"}, acting_user=cast.mia)
            assert "Built 3 times" in client.get(reverse("home")).content.decode()
            assert "Built 3 times" in client.get(reverse("home")).content.decode()
        with time_machine.travel(at + dt.timedelta(seconds=50), tick=False):  # the next minute
            assert "Built 4 times" in client.get(reverse("home")).content.decode()
        assert built == ["alice", "bob", "bob", "bob"]
    finally:
        WORK_LISTS.unregister("counted")
