"""SLA clocks on real inquiries, with deadlines computed by hand.

Team calendar: 8:00-18:00 in the account's time zone, weekdays, US federal holidays off.
Acme is a key account in New York (key policy: first response 4 h, resolution 24 h; key and
urgent: 0.5 h and 4 h). Bayside is a standard account in Los Angeles (standard: 8 h and 40 h;
high priority: 4 h and 16 h). 2026: DST starts March 8 and ends November 1; Thanksgiving is
November 26; July 4 is a Saturday, observed Friday July 3.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientdesk.inquiries import actions, clocks
from clientdesk.inquiries.models import (
    Inquiry,
    SlaEvent,
    SlaEventKind,
    SlaMetric,
    SlaPolicy,
    SlaState,
)
from clientdesk.inquiries.queries import attainment
from clientdesk.inquiries.runs import run_sla
from clientdesk.inquiries.sla import fetch_rows
from clientdesk.inquiries.tests.conftest import Committed, OpenInquiry, at, utc
from clientdesk.testing import Cast, known


def test_weekend_and_march_dst(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Fri Mar 6 16:00 EST (21:00Z). First response 4 h: 2 h Friday, weekend (DST starts),
    # Mon 8:00-10:00 EDT → 14:00Z. Resolution 24 h: Fri 2 + Mon 10 + Tue 10 + Wed 2
    # → Wed Mar 11 10:00 EDT = 14:00Z.
    inquiry = open_inquiry(at=utc(2026, 3, 6, 21))
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Key account"
    assert inquiry.first_response_due_at == utc(2026, 3, 9, 14)
    assert inquiry.resolution_due_at == utc(2026, 3, 11, 14)
    assert inquiry.sla_due_at == utc(2026, 3, 9, 14)
    assert inquiry.sla_state == SlaState.RUNNING


def test_thanksgiving_in_los_angeles(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Wed Nov 25 14:00 PST (22:00Z) + 8 h: 4 h Wednesday, Thanksgiving closed,
    # Fri Nov 27 8:00-12:00 PST → 20:00Z.
    inquiry = open_inquiry(at=utc(2026, 11, 25, 22), account=cast.bayside)
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Standard"
    assert inquiry.first_response_due_at == utc(2026, 11, 27, 20)


def test_july_fourth_observed(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Key + urgent. Thu Jul 2 17:00 EDT (21:00Z): first response 0.5 h → 17:30 EDT = 21:30Z;
    # resolution 4 h: 1 h Thursday, Friday Jul 3 observed holiday, weekend,
    # Mon Jul 6 8:00-11:00 EDT → 15:00Z.
    inquiry = open_inquiry(at=utc(2026, 7, 2, 21), priority="urgent")
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Key account, urgent"
    assert inquiry.first_response_due_at == utc(2026, 7, 2, 21, 30)
    assert inquiry.resolution_due_at == utc(2026, 7, 6, 15)


def test_november_dst_in_los_angeles(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # High priority at Bayside. Fri Oct 30 16:00 PDT (23:00Z). First response 4 h: 2 h Friday,
    # DST ends Sunday, Mon Nov 2 8:00-10:00 PST → 18:00Z. Resolution 16 h: Fri 2 + Mon 10 +
    # Tue 4 → Tue Nov 3 12:00 PST = 20:00Z.
    inquiry = open_inquiry(at=utc(2026, 10, 30, 23), account=cast.bayside, priority="high")
    assert inquiry.first_response_due_at == utc(2026, 11, 2, 18)
    assert inquiry.resolution_due_at == utc(2026, 11, 3, 20)


def test_march_dst_in_los_angeles(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # High priority at Bayside. Fri Mar 6 17:00 PST (Sat 01:00Z). First response 4 h: 1 h
    # Friday, Mon Mar 9 8:00-11:00 PDT → 18:00Z.
    inquiry = open_inquiry(at=utc(2026, 3, 7, 1), account=cast.bayside, priority="high")
    assert inquiry.first_response_due_at == utc(2026, 3, 9, 18)


def test_clock_pauses_while_waiting_on_the_sponsor(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Mon Mar 2 09:00 EST (14:00Z). A note to the customer at 10:00 is the first response
    # (1 h of 4: met). Waiting on the sponsor from 11:00 (2 h elapsed) to Tue 10:00 EST;
    # resolution 24 h - 2 h = 22 h from Tue 10:00: Tue 8 + Wed 10 + Thu 4 → Thu Mar 5 12:00
    # EST = 17:00Z.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 15)):
        actions.do_add_note(
            inquiry, body="We are on it.", visibility="customer", acting_user=cast.alice
        )
    inquiry.refresh_from_db()
    with at(utc(2026, 3, 2, 16)):
        inquiry = actions.do_change_status(
            inquiry, "waiting_on_sponsor", expected_version=inquiry.version, acting_user=cast.alice
        )
    assert inquiry.sla_state == SlaState.PAUSED and inquiry.sla_due_at is None
    met = SlaEvent.objects.get(inquiry=inquiry, metric=SlaMetric.FIRST_RESPONSE)
    assert met.kind == SlaEventKind.MET and met.occurred_at == utc(2026, 3, 2, 15)
    # Overnight, paused: nothing runs, nothing breaches.
    run_sla(now=utc(2026, 3, 3, 14))
    inquiry.refresh_from_db()
    assert inquiry.sla_state == SlaState.PAUSED
    with at(utc(2026, 3, 3, 15)):
        inquiry = actions.do_change_status(
            inquiry, "open", expected_version=inquiry.version, acting_user=cast.alice
        )
    assert inquiry.sla_state == SlaState.RUNNING
    assert inquiry.resolution_due_at == utc(2026, 3, 5, 17)
    assert inquiry.sla_due_at == utc(2026, 3, 5, 17)


def test_policy_change_recomputes_an_old_inquiry(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Opened Mon Mar 2 09:00 EST, resolved Tue Mar 3 12:00 EST without an earlier response:
    # 13 business hours (Mon 9 + Tue 4). Key policy (4 h / 24 h): first response breached
    # (due Mon 13:00 EST = 18:00Z), resolution met.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 3, 17)):
        inquiry = actions.do_change_status(
            inquiry,
            "resolved",
            expected_version=inquiry.version,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Explained the pending claim.",
        )
    assert inquiry.sla_state == SlaState.BREACHED
    outcomes = {(e.metric, e.kind): e for e in SlaEvent.objects.filter(inquiry=inquiry)}
    assert outcomes[("first_response", "breached")].due_at == utc(2026, 3, 2, 18)
    assert outcomes[("resolution", "met")].occurred_at == utc(2026, 3, 3, 17)
    before = attainment(cast.mia, inquiry.opened_at.date(), utc(2026, 3, 4).date())
    assert before["account"][0].percent(SlaMetric.RESOLUTION) == 100.0

    # A stricter policy for key accounts' claims (12 h / 12 h), most specific, is added later.
    actions.do_save_sla_policy(
        None,
        {
            "name": "Key claims",
            "tier": "key",
            "category": "claims",
            "first_response_hours": Decimal("12"),
            "resolution_hours": Decimal("12"),
            "is_active": True,
        },
        acting_user=cast.mia,
    )
    result = run_sla(now=utc(2026, 6, 1, 12), include_done=True)
    assert result.superseded == 2
    inquiry.refresh_from_db()
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Key claims"
    # 12 h from Mon 09:00 EST: Mon 9 h + Tue 3 h → Tue 11:00 EST = 16:00Z; both breached.
    current = SlaEvent.objects.filter(inquiry=inquiry, superseded_at__isnull=True)
    assert {(e.metric, e.kind, e.due_at) for e in current} == {
        ("first_response", "breached", utc(2026, 3, 3, 16)),
        ("resolution", "breached", utc(2026, 3, 3, 16)),
    }
    assert SlaEvent.objects.filter(inquiry=inquiry, superseded_at__isnull=False).count() == 2
    after = attainment(cast.mia, inquiry.opened_at.date(), utc(2026, 3, 4).date())
    assert after["account"][0].percent(SlaMetric.RESOLUTION) == 0.0
    # Recomputing again changes nothing and writes nothing.
    again = run_sla(now=utc(2026, 6, 2, 12), include_done=True)
    assert (again.changed, again.superseded, again.breached) == (0, 0, 0)
    assert SlaEvent.objects.filter(inquiry=inquiry).count() == 4


def test_breach_events_are_written_once(
    cast: Cast, open_inquiry: OpenInquiry, mailoutbox: list[EmailMessage], committed: Committed
) -> None:
    # Mon Mar 2 09:00 EST: first response due 13:00 EST (4 h); at risk from 12:00 (75 %).
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    assert inquiry.owner == cast.alice
    mailoutbox.clear()
    run_sla(now=utc(2026, 3, 2, 16, 59))
    assert not SlaEvent.objects.filter(inquiry=inquiry).exists()
    with committed():
        first = run_sla(now=utc(2026, 3, 2, 17, 5))
        second = run_sla(now=utc(2026, 3, 2, 17, 30))
    assert (first.at_risk, second.at_risk) == (1, 0)
    at_risk = SlaEvent.objects.get(inquiry=inquiry, kind=SlaEventKind.AT_RISK)
    assert at_risk.occurred_at == utc(2026, 3, 2, 17) and at_risk.owner == cast.alice
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]
    assert "at risk" in mailoutbox[0].subject
    mailoutbox.clear()
    with committed():
        for minute in (1, 10, 50):
            run_sla(now=utc(2026, 3, 2, 18, minute))
    breached = SlaEvent.objects.filter(inquiry=inquiry, kind=SlaEventKind.BREACHED)
    assert breached.count() == 1 and breached[0].due_at == utc(2026, 3, 2, 18)
    assert [m.to for m in mailoutbox] == [["mia@example.org"]]
    assert "breached" in mailoutbox[0].subject
    assert "MRI" in mailoutbox[0].body and inquiry.reference in mailoutbox[0].body
    inquiry.refresh_from_db()
    assert inquiry.sla_state == SlaState.BREACHED


def test_reopening_restarts_the_clock_where_it_stopped(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    # Opened Mon Mar 2 09:00 EST, resolved 11:00 (2 h: both clocks met), reopened Wed
    # 09:00 EST: resolution has 22 h left → Wed 9 h, Thu 10 h, Fri 3 h → Fri Mar 6 11:00 EST.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 16)):
        inquiry = actions.do_change_status(
            inquiry,
            "resolved",
            expected_version=inquiry.version,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Told them.",
        )
    assert inquiry.sla_state == SlaState.MET
    with at(utc(2026, 3, 4, 14)):
        inquiry = actions.do_change_status(
            inquiry, "open", expected_version=inquiry.version, acting_user=cast.alice
        )
    assert inquiry.resolved_at is None and inquiry.sla_state == SlaState.RUNNING
    assert inquiry.resolution_due_at == utc(2026, 3, 6, 16)
    resolution = SlaEvent.objects.filter(inquiry=inquiry, metric="resolution")
    assert [(e.kind, e.superseded_at is not None) for e in resolution] == [("met", True)]
    # The first response stays met: it happened.
    assert SlaEvent.objects.get(inquiry=inquiry, metric="first_response").superseded_at is None


def test_merged_duplicate_has_no_sla(cast: Cast, open_inquiry: OpenInquiry) -> None:
    keep = open_inquiry(at=utc(2026, 3, 2, 14))
    dup = open_inquiry(at=utc(2026, 3, 2, 15))
    with at(utc(2026, 3, 2, 16)):
        actions.do_merge_inquiries(dup, keep, expected_version=dup.version, acting_user=cast.bob)
    dup.refresh_from_db()
    assert dup.sla_state == SlaState.NONE and dup.sla_due_at is None
    assert Inquiry.objects.get(pk=keep.pk).sla_state == SlaState.RUNNING


def test_no_policy_means_no_sla(cast: Cast, open_inquiry: OpenInquiry) -> None:
    SlaPolicy.objects.update(is_active=False)
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    assert inquiry.sla_state == SlaState.NONE and inquiry.sla_policy is None


def test_a_second_full_recompute_writes_nothing(
    cast: Cast, open_inquiry: OpenInquiry, django_capture_on_commit_callbacks: Any
) -> None:
    # A book with every kind of clock: met, breached while open (and reassigned), paused,
    # reopened (a superseded outcome), merged (no SLA).
    met = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 16)):
        met = actions.do_change_status(
            met,
            "resolved",
            expected_version=met.version,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Told them.",
        )
    open_inquiry(at=utc(2026, 3, 2, 15))  # breached and past the reassignment threshold
    paused = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 15)):
        actions.do_change_status(
            paused, "waiting_on_sponsor", expected_version=paused.version, acting_user=cast.alice
        )
    with at(utc(2026, 3, 4, 14)):
        actions.do_change_status(met, "open", expected_version=met.version, acting_user=cast.alice)
    keep = open_inquiry(at=utc(2026, 3, 5, 14))
    dup = open_inquiry(at=utc(2026, 3, 5, 15))
    with at(utc(2026, 3, 5, 16)):
        actions.do_merge_inquiries(dup, keep, expected_version=dup.version, acting_user=cast.bob)
    now = utc(2026, 3, 10, 15)
    with django_capture_on_commit_callbacks(execute=True):
        first = run_sla(now=now, include_done=True)
    assert (first.inquiries, first.breached, first.reassigned) == (5, 5, 3)
    events = SlaEvent.objects.count()

    with CaptureQueriesContext(connection) as queries:
        again = run_sla(now=now, include_done=True)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert (again.inquiries, again.changed, again.superseded) == (5, 0, 0)
    assert (again.at_risk, again.breached, again.met, again.reassigned) == (0, 0, 0, 0)
    assert SlaEvent.objects.count() == events


def test_cutting_the_runs_equals_building_them_with_the_stop() -> None:
    # evaluate builds the runs once and cuts them at the first response (clocks._cut); that
    # must give what status_runs gives with `until`, for any history (seeded, 20,000 cases).
    rng = random.Random(5)  # noqa: S311  (test data, not secrets)
    statuses = [value for value, _ in known(Inquiry._meta.get_field("status").choices)]
    for _ in range(20_000):
        opened = rng.randint(0, 20)
        history = [(when, rng.choice(statuses)) for when in sorted(rng.sample(range(40), 5))]
        history = history[: rng.randint(0, 5)]
        until = rng.randint(-2, 45)
        assert clocks._cut(clocks._runs(opened, history, None), until) == clocks._runs(
            opened, history, until
        )


def test_raw_reads_give_the_orms_datetimes(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # read as text and parsed a column at a time, on SQLite and on PostgreSQL alike
    opened = [utc(2026, 3, 6, 21), utc(2026, 7, 1, 3, 30), utc(2026, 11, 2, 6, 0, 0, 123456)]
    for moment in opened:
        open_inquiry(at=moment)
    fields = ("pk", "opened_at", "first_responded_at", "sla_due_at")
    qs = Inquiry.objects.order_by("pk")
    rows = fetch_rows(qs, fields, datetimes=(1, 2, 3))
    assert rows == list(qs.values_list(*fields))
    assert [r[1] for r in rows] == opened
    assert all(r[1].tzinfo is not None and r[1].utcoffset() == dt.timedelta(0) for r in rows)
    assert rows[0][2] is None  # a datetime column without a value stays None


def test_the_page_shows_business_hours_used_and_left_while_paused(
    cast: Cast, open_inquiry: OpenInquiry, client: Any
) -> None:
    # As above: opened Mon Mar 2 09:00 EST, answered at 10:00 (1 h of 4), waiting on the
    # sponsor from 11:00 (2 h of the 24 h resolution used). Tuesday 08:00 EST, still paused.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 15)):
        actions.do_add_note(
            inquiry, body="We are on it.", visibility="customer", acting_user=cast.alice
        )
    inquiry.refresh_from_db()
    with at(utc(2026, 3, 2, 16)):
        actions.do_change_status(
            inquiry, "waiting_on_sponsor", expected_version=inquiry.version, acting_user=cast.alice
        )
    client.force_login(cast.alice)
    with at(utc(2026, 3, 3, 13)):
        page = client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert "1.0 business h used · 3.0 h left" in page  # first response, met at 1 h
    assert "2.0 business h used · 22.0 h left (paused: the clock is not running)" in page
    assert ">SLA</span> <strong>SLA: First response met" in page and ">Sla<" not in page
