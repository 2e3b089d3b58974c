"""What a row of the inquiry lists (the list, my work) shows, formatted once in Python.

A list page renders 25-50 rows; with a `{% url %}` tag, two `{% include %}`s and a dozen
filters per row, the template engine cost about half the page's CPU. Here each row's values are
made once, with the same functions the template filters call (so the page reads the same), the
two links come from one reversal each, and the row template only places plain strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.text import Truncator

from clientdesk.inquiries.models import (
    DONE_STATUSES,
    Category,
    Inquiry,
    LiveSlaState,
    Priority,
    RequesterType,
    Status,
)

# The live SLA state's badge: (css class, words); "" for the muted "No SLA".
SLA_BADGES: dict[str, tuple[str, str]] = {
    LiveSlaState.ON_TRACK: ("badge ok", "On track"),
    LiveSlaState.AT_RISK: ("badge warn", "At risk"),
    LiveSlaState.BREACHED: ("badge bad", "Breached"),
    LiveSlaState.PAUSED: ("badge", "Paused"),
    LiveSlaState.MET: ("badge ok", "Met"),
}
NO_SLA = ("muted small", "No SLA")
PRIORITY_BADGES = {"urgent": "badge bad", "high": "badge warn"}
# get_<field>_display() builds the field's choices dict on each call.
STATUS_LABELS: dict[str, str] = dict(Status.choices)
PRIORITY_LABELS: dict[str, str] = dict(Priority.choices)
CATEGORY_LABELS: dict[str, str] = dict(Category.choices)
# The requester column shows the first word of the requester type ("Member …").
REQUESTER_WORDS: dict[str, str] = {
    value: Truncator(label).words(1, truncate=" …") for value, label in RequesterType.choices
}


@dataclass(frozen=True)
class InquiryRow:
    pk: int
    reference: str
    url: str
    subject: str
    account_name: str
    account_url: str
    group_number: str
    requester: str
    member_reference: str  # masked; "" when there is none
    category: str
    subcategory: str
    priority: str
    priority_badge: str  # css class; "" when the priority is shown plainly
    status: str
    status_badge: str
    owner: str
    in_queue: bool  # no owner: the label is muted
    opened_day: str
    opened_time: str
    opened_short: str  # day and time in one, as my work shows it
    sla_class: str
    sla_words: str
    sla_due: str  # the deadline of an open inquiry as the list shows it; "" for none
    sla_due_at: str  # the same on my work, with the weekday


def pk_url(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many primary keys at the cost of one reversal."""
    marker = 987654321
    head, _, tail = reverse(name, args=[marker]).rpartition(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"


def _date(value: dt.datetime | None, fmt: str) -> str:
    """What ``{{ value|date:fmt }}`` shows: the filter formats the local time with
    `formats.date_format`, which, for a format that is not a setting's name, ends in
    `dateformat.format` after a walk of the locale's format modules (not cached)."""
    if value is None:
        return ""
    return dateformat.format(timezone.localtime(value), fmt)


def _time(value: dt.datetime | None, fmt: str) -> str:
    """What ``{{ value|time:fmt }}`` shows."""
    if value is None:
        return ""
    return dateformat.time_format(timezone.localtime(value), fmt)


STATUS_BADGES: dict[str, str] = {
    Status.NEW.value: "badge warn",
    **dict.fromkeys((str(s) for s in DONE_STATUSES), "badge ok"),
}
DONE = frozenset(str(s) for s in DONE_STATUSES)


def inquiry_rows(inquiries: Iterable[Inquiry], *, subject_chars: int = 70) -> list[InquiryRow]:
    """The rows of a list page, from inquiries read with `queries.LIST_FIELDS`, their account
    and owner, and the `live_sla` annotation."""
    detail = pk_url("inquiries:detail")
    account_detail = pk_url("accounts:detail")
    rows = []
    for i in inquiries:
        open_ = i.status not in DONE
        sla_class, sla_words = SLA_BADGES.get(getattr(i, "live_sla", None) or "", NO_SLA)
        rows.append(
            InquiryRow(
                pk=i.pk,
                reference=i.reference,
                url=detail(i.pk),
                subject=Truncator(i.subject).chars(subject_chars),
                account_name=i.account.name,
                account_url=account_detail(i.account.pk),
                group_number=i.account.group_number,
                requester=REQUESTER_WORDS.get(i.requester_type)
                or Truncator(i.requester_type).words(1, truncate=" …"),
                member_reference=i.member_reference_masked if i.member_reference else "",
                category=CATEGORY_LABELS.get(i.category, i.category),
                subcategory=i.subcategory_label() if i.subcategory else "",
                priority=PRIORITY_LABELS.get(i.priority, i.priority),
                priority_badge=PRIORITY_BADGES.get(i.priority, ""),
                status=STATUS_LABELS.get(i.status, i.status),
                status_badge=STATUS_BADGES.get(i.status, "badge"),
                owner=i.owner_label,
                in_queue=i.owner is None,
                opened_day=_date(i.opened_at, "M j, Y"),
                opened_time=_time(i.opened_at, "g:i a"),
                opened_short=_date(i.opened_at, "M j, g:i a"),
                sla_class=sla_class,
                sla_words=sla_words,
                sla_due=_date(i.sla_due_at, "M j, g:i a") if open_ and i.sla_due_at else "",
                sla_due_at=_date(i.sla_due_at, "D M j, g:i a"),
            )
        )
    return rows
