"""The inquiry_import feed is defined once, by the lake's schema: the import reads its columns
and accepted values from it, accepts every value the lake accepts, and refuses the rest with
the schema's list."""

from __future__ import annotations

from typing import Any

import pytest

from clientdesk.inquiries import importing
from clientdesk.inquiries.models import Category, Channel, Priority, RequesterType, Status
from clientdesk.inquiries.tests.conftest import utc
from clientdesk.lake.schemas import INQUIRY_IMPORT
from clientdesk.testing import Cast

NOW = utc(2026, 3, 20, 15)
DONE = ("resolved", "closed")


def _row(**values: str) -> dict[str, Any]:
    return {
        "external_id": "CRM-1",
        "group_id": "G100001",
        "opened_at": "2026-03-02T14:00:00Z",
        "channel": "phone",
        "requester_type": "member",
        "category": "claims",
        "subcategory": "",
        "priority": "normal",
        "member_id": "M00012345",
        "status": "open",
        "resolved_at": "",
        **values,
    }


def test_the_import_reads_the_feed_from_the_lake_schema() -> None:
    assert INQUIRY_IMPORT.column_names == importing.COLUMNS
    assert (
        importing.REQUIRED
        == INQUIRY_IMPORT.required_columns
        == (
            "external_id",
            "group_id",
            "opened_at",
            "channel",
            "requester_type",
            "category",
            "status",
        )
    )
    # Every status the feed accepts has a clientdesk status, and nothing else is mapped.
    assert tuple(importing.STATUS_MAP) == INQUIRY_IMPORT.accepted_values("status")
    assert set(importing.STATUS_MAP.values()) <= set(Status.values)


@pytest.mark.parametrize(
    ("column", "choices"),
    [
        ("channel", Channel.values),
        ("requester_type", RequesterType.values),
        ("category", Category.values),
        ("priority", Priority.values),
    ],
)
def test_the_feed_accepts_what_an_inquiry_can_hold(column: str, choices: list[str]) -> None:
    assert list(INQUIRY_IMPORT.accepted_values(column)) == choices


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (column, value)
        for column in ("channel", "requester_type", "category", "priority", "status")
        for value in INQUIRY_IMPORT.accepted_values(column)
    ],
)
def test_every_value_the_lake_accepts_is_imported(cast: Cast, column: str, value: str) -> None:
    resolved = (
        {"resolved_at": "2026-03-02T16:00:00Z"} if column == "status" and value in DONE else {}
    )
    valid, reject = importing.validate_row(
        2, _row(**{column: value}, **resolved), {"G100001": cast.acme}, NOW
    )
    assert reject is None and valid is not None
    stored = importing.STATUS_MAP[value] if column == "status" else value
    assert getattr(valid, column) == stored


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("channel", "chat", "channel 'chat' is not one of phone, email, portal, onsite"),
        (
            "requester_type",
            "provider",
            "requester_type 'provider' is not one of member, sponsor, broker",
        ),
        ("priority", "asap", "priority 'asap' is not one of low, normal, high, urgent"),
        (
            "category",
            "dental",
            "category 'dental' is not one of claims, eligibility_enrollment, id_cards, benefits, "
            "pharmacy, provider_network, billing_fees, reports, other",
        ),
        (
            "status",
            "pending",
            "status 'pending' is not one of new, open, in_progress, waiting_on_sponsor, "
            "waiting_on_service_ops, resolved, closed",
        ),
    ],
)
def test_a_value_outside_the_feed_is_refused_with_its_list(
    cast: Cast, column: str, value: str, reason: str
) -> None:
    valid, reject = importing.validate_row(2, _row(**{column: value}), {"G100001": cast.acme}, NOW)
    assert valid is None and reject is not None and reject.reasons == [reason]
