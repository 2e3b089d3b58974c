"""The pages: the list and its filters, exports, My work, the manager's dashboard (every
number links to the list behind it), escalations, SLA policies and routing; query counts."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import time_machine
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import AccountEscalation, Inquiry, SlaPolicy
from clientdesk.inquiries.queries import Cell, IdFirst, attainment, manager_dashboard
from clientdesk.inquiries.runs import run_sla
from clientdesk.inquiries.tests.conftest import OpenInquiry, at, utc
from clientdesk.testing import Cast, streamed

NOW = utc(2026, 3, 11, 15)  # Wednesday 11:00 EDT


def count_on(page: str) -> int:
    match = re.search(r"(\d+) inquir(?:y|ies)", page)
    assert match, "no count on the page"
    return int(match[1])


def make_book(cast: Cast, open_inquiry: OpenInquiry) -> list[Inquiry]:
    """Eight inquiries over two weeks of March 2026. At NOW (Wed Mar 11 11:00 EDT), by hand:
    0 Acme high (4 h / 16 h), resolved after 1 h: met, met.
    1 Acme pharmacy, bob, resolved Thu after 21 business hours: first response breached,
      resolution met (24 h).
    2 Acme, waiting on the sponsor since 1 h after opening: paused.
    3 Acme member inquiry, Mon 09:00 EDT: first response breached at 13:00 Mon.
    4 Bayside, Tue 06:00 PDT: first response (8 h) breached at 16:00 PDT Tue.
    5 and 6 Acme, this morning: on track (6 in the queue).
    7 Acme urgent (0.5 h), 10:35 EDT: due 11:05, at risk from 10:57:30."""
    a, b = cast.alice, cast.bob
    made = [
        open_inquiry(at=utc(2026, 3, 2, 14), category="claims", priority="high", owner=a),
        open_inquiry(at=utc(2026, 3, 3, 14), category="pharmacy", subcategory="", owner=b),
        open_inquiry(at=utc(2026, 3, 4, 14), category="id_cards", subcategory="", owner=a),
        open_inquiry(
            at=utc(2026, 3, 9, 13),
            category="claims",
            requester_type="member",
            member_reference="M11112222",
            owner=a,
        ),
        open_inquiry(at=utc(2026, 3, 10, 13), category="claims", account=cast.bayside),
        open_inquiry(at=utc(2026, 3, 11, 13), category="benefits", subcategory="", owner=a),
        open_inquiry(at=utc(2026, 3, 11, 14), category="billing_fees", subcategory="", owner=a),
        open_inquiry(at=utc(2026, 3, 11, 14, 35), category="claims", priority="urgent", owner=a),
    ]
    with at(utc(2026, 3, 2, 15)):
        actions.do_change_status(
            made[0],
            "resolved",
            expected_version=1,
            acting_user=a,
            resolution_code="answered",
            resolution_summary="Done.",
        )
    with at(utc(2026, 3, 5, 15)):
        actions.do_change_status(
            made[1],
            "resolved",
            expected_version=1,
            acting_user=b,
            resolution_code="answered",
            resolution_summary="Late.",
        )
    with at(utc(2026, 3, 4, 15)):
        actions.do_change_status(made[2], "waiting_on_sponsor", expected_version=1, acting_user=a)
    with at(NOW):
        actions.do_assign_inquiry(made[6], None, acting_user=cast.mia)
    run_sla(now=NOW, escalate=False)
    return made


def test_list_filters(cast: Cast, open_inquiry: OpenInquiry, client: Client) -> None:
    made = make_book(cast, open_inquiry)
    client.force_login(cast.mia)
    url = reverse("inquiries:list")
    with time_machine.travel(NOW, tick=False):
        assert count_on(client.get(url).content.decode()) == 8
        expected = {
            "status=active": 6,
            "status=done": 2,
            "status=waiting_on_sponsor": 1,
            "category=claims": 4,
            "priority=urgent": 1,
            "owner=none": 1,
            f"owner={cast.bob.pk}": 1,
            f"account={cast.bayside.pk}": 1,
            "sla=paused": 1,
            "sla=met": 1,
            "sla=breached": 3,
            "sla=at_risk": 1,
            "sla=on_track": 2,
            "period=2026-03": 8,
            "period=2026Q2": 0,
            "opened_from=2026-03-09&opened_to=2026-03-10": 2,
            f"q={made[3].reference}": 1,
            "q=MRI": 8,
            "outcome=met&metric=resolution": 2,
            "outcome=breached&metric=first_response": 3,
        }
        for query, n in expected.items():
            assert count_on(client.get(f"{url}?{query}").content.decode()) == n, query
        client.force_login(cast.oscar)  # Bayside only
        assert count_on(client.get(url).content.decode()) == 1
        client.force_login(cast.alice)
        mine = client.get(url, {"owner": "me"}).content.decode()
        assert count_on(mine) == 5
        bad = client.get(url, {"period": "March"})
        assert (
            bad.status_code == 200
            and "is not a period; write 2026-03, 2026Q1" in bad.content.decode()
        )
        rows = client.get(url, {"category": "pharmacy"}, headers={"HX-Request": "true"})
        assert "<html" not in rows.content.decode() and made[1].reference in rows.content.decode()


def test_list_query_count_is_pinned(
    cast: Cast, open_inquiry: OpenInquiry, client: Client, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        open_inquiry(at=utc(2026, 3, 2, 14, n), owner=cast.bob if n % 2 else cast.alice)
    client.force_login(cast.mia)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(13):
        page = client.get(reverse("inquiries:list"), {"status": "active", "sort": "due"})
    assert count_on(page.content.decode()) == 30
    client.force_login(cast.alice)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(13):
        client.get(reverse("inquiries:list"))
    # (the seventh: whether the reader may open an inquiry at all, for the "New inquiry" button)
    with time_machine.travel(NOW, tick=False), django_assert_max_num_queries(7):
        client.get(reverse("inquiries:mine"))


def test_the_list_counts_up_to_a_limit(
    cast: Cast, open_inquiry: OpenInquiry, client: Client, monkeypatch: Any
) -> None:
    # Counting a million rows costs more than the page: the list stops counting (and paging)
    # at LIST_COUNT_LIMIT. Five inquiries with a limit of 4: the count stops at 5 and the
    # page says "over 4"; with a limit of 5 the count is exact.
    for n in range(5):
        open_inquiry(at=utc(2026, 3, 2, 14, n), owner=cast.alice)
    rows = IdFirst(Inquiry.objects.all(), count_limit=4)
    assert (rows.count(), rows.capped, rows.count_label) == (5, True, "over 4 inquiries")
    assert IdFirst(Inquiry.objects.all(), count_limit=5).count_label == "5 inquiries"
    client.force_login(cast.mia)
    monkeypatch.setattr("clientdesk.inquiries.views.LIST_COUNT_LIMIT", 4)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inquiries:list")).content.decode()
    assert "over 4 inquiries" in page and "narrow the filters" in page
    monkeypatch.setattr("clientdesk.inquiries.views.LIST_COUNT_LIMIT", 5)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inquiries:list")).content.decode()
    assert "5 inquiries" in page and "narrow the filters" not in page


def test_dashboard_numbers_open_the_list_behind_them(
    cast: Cast, open_inquiry: OpenInquiry, client: Client, django_assert_max_num_queries: Any
) -> None:
    make_book(cast, open_inquiry)
    client.force_login(cast.mia)
    with time_machine.travel(NOW, tick=False):
        # Two of them read the imported inquiries attainment shows apart (owner, first response).
        with django_assert_max_num_queries(19):
            page = client.get(reverse("inquiries:dashboard"), {"period": "2026-03"})
        assert page.status_code == 200
        data = manager_dashboard(
            cast.mia,
            NOW,
            attainment_from=utc(2026, 3, 1).date(),
            attainment_to=utc(2026, 3, 31).date(),
        )
        assert data.open_total.value == 6 and data.queue.value == 1
        cells: list[Cell] = [data.open_total, data.queue, data.breached_count, data.at_risk_count]
        for _, row, total in data.open_rows:
            cells += [*row, total]
        cells += data.week_totals
        for _, row, total in data.category_weeks:
            cells += [*row, total]
        cells += [cell for _, cell in data.top_accounts]
        for group in data.attainment.values():
            for item in group:
                cells += [*item.met.values(), *item.breached.values()]
        assert sum(c.value for c in data.week_totals) == 8
        by_owner = {item.label: item for item in data.attainment["associate"]}
        assert by_owner["Alice Owner"].percent("resolution") == 100.0
        assert by_owner["Alice Owner"].percent("first_response") == 50.0
        assert by_owner["Bob Teammate"].percent("first_response") == 0.0
        assert by_owner["Oscar Outsider"].decided("resolution") == 0
        # The whole book's figures come from the per-day counts, a scoped user's from the
        # events themselves: they agree.
        scoped = attainment(cast.alice, utc(2026, 3, 1).date(), utc(2026, 3, 31).date())
        whole = {a.label: a for a in data.attainment["account"]}
        assert [a.label for a in scoped["account"]] == ["Acme Steel Works"]
        assert scoped["account"][0].columns() == whole["Acme Steel Works"].columns()
        for cell in cells:
            if cell.value:
                listed = count_on(client.get(cell.url).content.decode())
                assert listed == cell.value, cell.url
        html = page.content.decode()
        assert data.open_total.url.replace("&", "&amp;") in html


def test_exports_mask_members_and_are_audited(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    make_book(cast, open_inquiry)
    client.force_login(cast.alice)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("inquiries:export"), {"format": "csv", "category": "claims"})
    body = b"".join(streamed(response)).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 3  # alice sees Acme only: three claims inquiries
    assert "M11112222" not in body and "••••2222" in body
    assert {r["member_id_masked"] for r in rows} == {"", "••••2222"}
    audit = AuditEvent.objects.get(kind="export")
    assert audit.detail["rows"] == 3 and audit.detail["filters"] == {"category": "claims"}
    with time_machine.travel(NOW, tick=False):
        xlsx = client.get(reverse("inquiries:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = list(sheet.values)
    assert values[0][0] == "reference" and len(values) == 1 + 7
    assert all("M11112222" not in str(v) for row in values for v in row)
    assert AuditEvent.objects.filter(kind="export").count() == 2
    # Still at NOW: a request at the real time would find the session (touched at NOW by the
    # idle clock, so expiring eight hours after NOW) gone.
    with time_machine.travel(NOW, tick=False):
        assert client.get(reverse("inquiries:export"), {"format": "pdf"}).status_code == 404


def test_formula_text_is_not_run_by_spreadsheets(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    open_inquiry(at=utc(2026, 3, 2, 14), subject='=HYPERLINK("http://x")')
    client.force_login(cast.mia)
    body = b"".join(streamed(client.get(reverse("inquiries:export"), {"format": "csv"})))
    assert "'=HYPERLINK" in body.decode()


def test_my_work_is_sorted_by_the_next_deadline(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    later = open_inquiry(at=utc(2026, 3, 9, 14), owner=cast.alice)  # first response 13:00 Mon
    sooner = open_inquiry(at=utc(2026, 3, 9, 13), owner=cast.alice, priority="urgent")
    paused = open_inquiry(at=utc(2026, 3, 9, 12), owner=cast.alice)
    with at(utc(2026, 3, 9, 12, 30)):
        actions.do_change_status(
            paused, "waiting_on_sponsor", expected_version=1, acting_user=cast.alice
        )
    client.force_login(cast.alice)
    with time_machine.travel(utc(2026, 3, 9, 14, 5), tick=False):
        page = client.get(reverse("inquiries:mine")).content.decode()
    positions = [page.index(i.reference) for i in (sooner, later, paused)]
    assert positions == sorted(positions)
    assert "At risk" in page or "Breached" in page


def test_account_page_shows_inquiries_and_escalations(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    escalation = actions.do_raise_escalation(
        cast.acme,
        {"title": "Renewal at risk", "reason": "Backlog.", "severity": "critical"},
        acting_user=cast.mia,
    )
    client.force_login(cast.bob)
    page = client.get(reverse("accounts:tab", args=[cast.acme.pk, "service"])).content.decode()
    assert inquiry.reference in page and "Renewal at risk" in page and "1 open" in page
    assert reverse("inquiries:escalation_detail", args=[escalation.pk]) in page
    timeline = client.get(reverse("accounts:tab", args=[cast.acme.pk, "timeline"]))
    assert "Inquiry Q-" in timeline.content.decode()  # the timeline carries the inquiry event


def test_escalation_pages(
    cast: Cast,
    client: Client,
    mailoutbox: list[EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(cast.alice)
    url = reverse("inquiries:escalation_create", args=[cast.acme.pk])
    assert client.post(url, {"title": ""}).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "title": "Sponsor threatens RFP",
                "reason": "Three misses.",
                "severity": "high",
                "owner": cast.mia.pk,
            },
        )
    escalation = AccountEscalation.objects.get()
    assert done.status_code == 302 and escalation.owner == cast.mia
    assert [m.to for m in mailoutbox] == [["mia@example.org"]]
    detail = reverse("inquiries:escalation_detail", args=[escalation.pk])
    client.post(reverse("inquiries:escalation_note", args=[escalation.pk]), {"body": "Met CFO."})
    resolve = reverse("inquiries:escalation_update", args=[escalation.pk])
    refused = client.post(resolve, {"severity": "high", "status": "resolved", "owner": cast.mia.pk})
    assert refused.status_code == 422 and "Say how" in refused.content.decode()
    client.post(
        resolve,
        {
            "severity": "high",
            "status": "resolved",
            "owner": cast.mia.pk,
            "resolution": "Service plan agreed.",
        },
    )
    escalation.refresh_from_db()
    assert escalation.status == "resolved" and escalation.resolved_at is not None
    page = client.get(detail).content.decode()
    assert "Met CFO." in page and "Service plan agreed." in page
    assert (
        "Sponsor threatens RFP" not in client.get(reverse("inquiries:escalations")).content.decode()
    )
    assert (
        "Sponsor threatens RFP"
        in client.get(reverse("inquiries:escalations"), {"status": "all"}).content.decode()
    )
    client.force_login(cast.oscar)
    assert client.get(detail).status_code == 404


def test_policy_page_recomputes_open_inquiries(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14), category="pharmacy", subcategory="")
    client.force_login(cast.mia)
    with time_machine.travel(utc(2026, 3, 2, 15), tick=False):
        response = client.post(
            reverse("inquiries:policies"),
            {
                "name": "Pharmacy fast lane",
                "tier": "",
                "category": "pharmacy",
                "priority": "",
                "first_response_hours": "1",
                "resolution_hours": "8",
                "is_active": "on",
            },
        )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    # Key account (4 h) and pharmacy (1 h) both set one field: category wins over tier.
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Pharmacy fast lane"
    assert inquiry.first_response_due_at == utc(2026, 3, 2, 15)
    with time_machine.travel(utc(2026, 3, 2, 15, 30), tick=False):  # the session lives at NOW
        clash = client.post(
            reverse("inquiries:policies"),
            {
                "name": "Again",
                "category": "pharmacy",
                "first_response_hours": "2",
                "resolution_hours": "1",
                "is_active": "on",
            },
        )
    text = clash.content.decode()
    assert clash.status_code == 422 and "already covers" in text and "before the first" in text
    policy = SlaPolicy.objects.get(name="Pharmacy fast lane")
    with time_machine.travel(utc(2026, 3, 2, 15, 45), tick=False):
        edit = client.post(
            reverse("inquiries:policy_edit", args=[policy.pk]),
            {
                "name": "Pharmacy fast lane",
                "category": "pharmacy",
                "first_response_hours": "1",
                "resolution_hours": "8",
            },
        )
    assert edit.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.sla_policy is not None and inquiry.sla_policy.name == "Key account"


def test_bulk_reassignment_by_a_manager(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    first, second = open_inquiry(at=utc(2026, 3, 2, 14)), open_inquiry(at=utc(2026, 3, 2, 14))
    bayside = open_inquiry(at=utc(2026, 3, 2, 14), account=cast.bayside)
    client.force_login(cast.mia)
    url = reverse("inquiries:bulk_assign")
    client.post(url, {"inquiries": [first.pk, second.pk], "owner": cast.bob.pk})
    assert set(Inquiry.objects.filter(owner=cast.bob).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    refused = client.post(
        url, {"inquiries": [first.pk, bayside.pk], "owner": cast.bob.pk}, follow=True
    )
    assert "is not on the team of Bayside" in refused.content.decode()
    client.post(url, {"inquiries": [first.pk, second.pk, bayside.pk], "auto": "on"})
    owners = dict(Inquiry.objects.values_list("pk", "owner"))
    # Least loaded: alice had none of the two (bob had both), then a tie goes to the lead.
    assert (owners[first.pk], owners[second.pk], owners[bayside.pk]) == (
        cast.alice.pk,
        cast.alice.pk,
        cast.oscar.pk,
    )
    assert AuditEvent.objects.filter(action="inquiry.assign").count() >= 3
    client.force_login(cast.alice)
    assert client.post(url, {"inquiries": [first.pk], "owner": cast.alice.pk}).status_code == 403


def test_routing_page(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    saved = client.post(
        reverse("inquiries:routing_rule"), {"account": cast.acme.pk, "method": "round_robin"}
    )
    assert saved.status_code == 302
    client.post(
        reverse("inquiries:competences"),
        {"user": cast.bob.pk, "categories": ["claims", "pharmacy"]},
    )
    page = client.get(reverse("inquiries:routing")).content.decode()
    assert "Round robin over the account team" in page and "Claims, Pharmacy" in page
