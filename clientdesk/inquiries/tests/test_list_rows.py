"""The list rows are formatted in Python (list_rows.py) and read as the per-row template with
its includes, `{% url %}` tags and filters did: the rows of both lists are compared with that
template, rendered here for each inquiry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries import actions
from clientdesk.inquiries.list_rows import _date, _time, inquiry_rows, pk_url
from clientdesk.inquiries.models import Inquiry
from clientdesk.inquiries.queries import filtered_inquiries, my_work
from clientdesk.inquiries.tests.conftest import OpenInquiry, at, utc
from clientdesk.inquiries.tests.test_pages import NOW, make_book
from clientdesk.testing import Cast

# The rows as the templates wrote them before (the two includes inlined).
SLA = (
    '{% with state=i.live_sla %}{% if state == "on_track" %}<span class="badge ok">On track'
    '</span>{% elif state == "at_risk" %}<span class="badge warn">At risk</span>{% elif state == '
    '"breached" %}<span class="badge bad">Breached</span>{% elif state == "paused" %}<span '
    'class="badge">Paused</span>{% elif state == "met" %}<span class="badge ok">Met</span>'
    '{% else %}<span class="muted small">No SLA</span>{% endif %}{% endwith %}'
)
STATUS = (
    "<span class=\"badge{% if i.status == 'new' %} warn{% elif i.status == 'resolved' or "
    "i.status == 'closed' %} ok{% endif %}\">{{ i.get_status_display }}</span>"
)
LIST_ROW = (
    '<tr>{% if pick %}<td><input type="checkbox" name="inquiries" value="{{ i.pk }}" '
    'form="bulk-assign" aria-label="Select {{ i.reference }}"></td>{% endif %}<td><a href="'
    '{% url \'inquiries:detail\' i.pk %}">{{ i.reference }}</a><div class="small">'
    "{{ i.subject|truncatechars:70 }}</div></td><td><a href=\"{% url 'accounts:detail' "
    'i.account.pk %}">{{ i.account.name }}</a><div class="muted small">{{ i.account.group_number }}'
    "</div></td><td>{{ i.get_requester_type_display|truncatewords:1 }}{% if i.member_reference %}"
    '<div class="muted small">{{ i.member_reference_masked }}</div>{% endif %}</td><td>'
    '{{ i.get_category_display }}{% if i.subcategory %}<div class="muted small">'
    '{{ i.subcategory_label }}</div>{% endif %}</td><td>{% if i.priority == "urgent" %}<span '
    'class="badge bad">Urgent</span>{% elif i.priority == "high" %}<span class="badge warn">High'
    "</span>{% else %}{{ i.get_priority_display }}{% endif %}</td><td>" + STATUS + "</td><td>"
    '{% if i.owner %}{{ i.owner_label }}{% else %}<span class="muted">{{ i.owner_label }}</span>'
    '{% endif %}</td><td>{{ i.opened_at|date:"M j, Y" }}<div class="muted small">'
    '{{ i.opened_at|time:"g:i a" }}</div></td><td>' + SLA + "</td><td>{% if i.sla_due_at and "
    'i.status != "resolved" and i.status != "closed" %}{{ i.sla_due_at|date:"M j, g:i a" }}'
    '{% else %}<span class="muted">—</span>{% endif %}</td></tr>'
)
MY_WORK_ROW = (
    '<tr><td>{% if i.sla_due_at %}{{ i.sla_due_at|date:"D M j, g:i a" }}{% else %}<span '
    'class="muted">—</span>{% endif %}</td><td>' + SLA + '</td><td><a href="{% url '
    '\'inquiries:detail\' i.pk %}">{{ i.reference }}</a><div class="small">'
    "{{ i.subject|truncatechars:80 }}</div></td><td>{{ i.account.name }}</td><td>"
    "{{ i.get_category_display }}</td><td>{{ i.get_priority_display }}</td><td>" + STATUS + "</td>"
    '<td>{{ i.opened_at|date:"M j, g:i a" }}</td></tr>'
)


def tbody(page: str) -> str:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", body.strip())


def as_before(template: str, inquiries: Sequence[Inquiry], *, pick: bool = False) -> str:
    compiled = Template(template)
    return "".join(compiled.render(Context({"i": i, "pick": pick})) for i in inquiries)


def test_list_rows_read_as_the_row_template_did(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    made = make_book(cast, open_inquiry)
    # A long subject (cut at 70 characters), a member's masked id, markup to escape.
    made.append(
        open_inquiry(
            at=utc(2026, 3, 11, 14, 40),
            requester_type="member",
            member_reference="M99990001",
            subject="<b>Tom & Jerry</b> " + "a very long subject that goes on " * 3,
            owner=cast.bob,
        )
    )
    client.force_login(cast.mia)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inquiries:list")).content.decode()
        inquiries = list(filtered_inquiries(cast.mia, {}, NOW))
    assert len(inquiries) == 9
    assert tbody(page) == as_before(LIST_ROW, inquiries, pick=True)  # a manager picks rows
    # The states the book holds, each once at least: the badges are all drawn.
    states = {getattr(i, "live_sla", None) for i in inquiries}
    assert states >= {"met", "paused", "breached", "at_risk", "on_track"}
    assert "Member …" in page and "••••0001" in page and "&lt;b&gt;Tom &amp; Jerry" in page
    assert '<span class="muted">In the queue</span>' in page
    client.force_login(cast.alice)  # an associate: no column to pick rows
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inquiries:list"), {"sort": "priority"}).content.decode()
        inquiries = list(filtered_inquiries(cast.alice, {"sort": "priority"}, NOW))
    assert len(inquiries) == 8
    assert tbody(page) == as_before(LIST_ROW, inquiries)


def test_my_work_rows_read_as_the_row_template_did(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    make_book(cast, open_inquiry)
    client.force_login(cast.alice)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("inquiries:mine")).content.decode()
        inquiries = list(my_work(cast.alice, NOW))
    assert len(inquiries) == 4
    assert tbody(page) == as_before(MY_WORK_ROW, inquiries)


@pytest.mark.parametrize(
    "moment",
    [
        utc(2026, 3, 8, 6, 59),  # the last minute of EST
        utc(2026, 3, 8, 7, 0),  # EDT
        utc(2026, 11, 1, 5, 30),  # 1:30 a.m. EDT, then
        utc(2026, 11, 1, 6, 30),  # 1:30 a.m. EST
        utc(2026, 12, 31, 4, 59, 59),  # 11:59 p.m. New Year's Eve, local
        utc(2027, 1, 1, 17, 0),  # noon
        utc(2027, 7, 4, 4, 0),  # midnight
    ],
)
def test_dates_read_as_the_filters_write_them(moment: dt.datetime) -> None:
    for fmt in ("M j, Y", "M j, g:i a", "D M j, g:i a"):
        expected = Template(f'{{{{ v|date:"{fmt}" }}}}').render(Context({"v": moment}))
        assert _date(moment, fmt) == expected
    assert _time(moment, "g:i a") == Template('{{ v|time:"g:i a" }}').render(Context({"v": moment}))
    assert _date(None, "M j, Y") == "" == _time(None, "g:i a")


def test_one_reversal_makes_every_link(cast: Cast) -> None:
    detail = pk_url("inquiries:detail")
    for pk in (1, 42, 987654321, 10**12):
        assert detail(pk) == reverse("inquiries:detail", args=[pk])
    assert pk_url("accounts:detail")(7) == reverse("accounts:detail", args=[7])


def test_rows_of_an_inquiry_without_a_clock(cast: Cast, open_inquiry: OpenInquiry) -> None:
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)
    with at(NOW):
        actions.do_change_status(
            inquiry,
            "resolved",
            expected_version=1,
            acting_user=cast.alice,
            resolution_code="answered",
            resolution_summary="Done.",
        )
    # Read without the live_sla annotation: the muted "No SLA".
    (row,) = inquiry_rows([type(inquiry).objects.select_related("account", "owner").get()])
    assert (row.sla_class, row.sla_words, row.sla_due) == ("muted small", "No SLA", "")
    assert (row.status, row.status_badge, row.owner, row.in_queue) == (
        "Resolved",
        "badge ok",
        cast.alice.get_full_name(),
        False,
    )
