"""Inquiry exports: one row per inquiry, CSV (streamed) or XLSX; member references masked.

The description is left out on purpose: it is free text that may name members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from clientdesk.inquiries.models import SUBCATEGORY_LABELS, Inquiry, LiveSlaState
from clientdesk.lib import exports

COLUMNS = [
    "reference",
    "account",
    "group_number",
    "opened_at",
    "channel",
    "requester_type",
    "member_id_masked",
    "category",
    "subcategory",
    "priority",
    "status",
    "owner",
    "subject",
    "claim_ids",
    "call_ids",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "resolution_code",
    "sla_state",
    "first_response_due_at",
    "resolution_due_at",
    "merged_into",
]
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row

EXPORT_FIELDS = [
    "id",
    "opened_at",
    "channel",
    "requester_type",
    "member_reference",
    "category",
    "subcategory",
    "priority",
    "status",
    "subject",
    "claim_ids",
    "call_ids",
    "first_responded_at",
    "resolved_at",
    "closed_at",
    "resolution_code",
    "sla_state",
    "sla_due_at",
    "sla_at_risk_at",
    "first_response_due_at",
    "resolution_due_at",
    "merged_into_id",
    "account__name",
    "account__group_number",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
]


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else ""


def export_row(inquiry: Inquiry) -> list[Any]:
    owner = inquiry.owner
    live = getattr(inquiry, "live_sla", inquiry.sla_state)
    values = [
        inquiry.reference,
        inquiry.account.name,
        inquiry.account.group_number,
        _when(inquiry.opened_at),
        inquiry.channel,
        inquiry.requester_type,
        inquiry.member_reference_masked,
        inquiry.category,
        SUBCATEGORY_LABELS.get(inquiry.subcategory, inquiry.subcategory),
        inquiry.priority,
        inquiry.status,
        (owner.get_full_name() or owner.username) if owner else "",
        inquiry.subject,
        " ".join(inquiry.claim_ids),
        " ".join(inquiry.call_ids),
        _when(inquiry.first_responded_at),
        _when(inquiry.resolved_at),
        _when(inquiry.closed_at),
        inquiry.resolution_code,
        LiveSlaState(live).label if live in LiveSlaState.values else live,
        _when(inquiry.first_response_due_at),
        _when(inquiry.resolution_due_at),
        f"Q-{inquiry.merged_into_id:06d}" if inquiry.merged_into_id else "",
    ]
    return values  # lib.exports neutralises formulas as it writes


def export_queryset(qs: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    return qs.only(*EXPORT_FIELDS)


def rows(qs: QuerySet[Inquiry]) -> Iterator[list[Any]]:
    for inquiry in export_queryset(qs).iterator(chunk_size=2000):
        yield export_row(inquiry)


def csv_lines(data: Iterable[list[Any]]) -> Iterator[str]:
    return exports.csv_lines(COLUMNS, data)


def xlsx_bytes(data: Iterable[list[Any]]) -> bytes:
    return exports.xlsx_bytes([("Inquiries", COLUMNS, data)])
