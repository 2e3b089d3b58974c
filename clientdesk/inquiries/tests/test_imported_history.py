"""Imported history in SLA figures: first response and owner come from the feed, never from a
guess. An imported inquiry without a recorded first response is left out of first-response
attainment (and the figures say so); its owner is the user the feed names, or "Imported"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientdesk.inquiries.importing import import_inquiries
from clientdesk.inquiries.models import Inquiry, SlaEvent
from clientdesk.inquiries.queries import (
    IMPORTED,
    attainment,
    filtered_inquiries,
    manager_dashboard,
)
from clientdesk.inquiries.tests.conftest import utc
from clientdesk.testing import Cast

NOW = utc(2026, 3, 20, 15)
START, END = dt.date(2026, 3, 1), dt.date(2026, 3, 20)


def row(external_id: str, **values: Any) -> dict[str, Any]:
    # Acme is a key account in New York: first response 4, resolution 24 business hours
    # (08:00-18:00 local). Mon Mar 2, 2026 14:00Z is 09:00 there (EST).
    base = {
        "external_id": external_id,
        "group_id": "G100001",
        "opened_at": "2026-03-02T14:00:00Z",
        "channel": "phone",
        "requester_type": "sponsor",
        "category": "benefits",
        "priority": "normal",
        "description": "Question.",
        "status": "resolved",
    }
    return base | values


FEED = [
    # Answered after 2.5 h (met); resolved Wed 15:00 local: 9 + 10 + 7 = 26 h (late).
    row(
        "CRM-1",
        first_responded_at="2026-03-02T16:30:00Z",
        resolved_at="2026-03-04T20:00:00Z",
        owner="alice",
    ),
    # No first response recorded; resolved after 5.5 h (met). Owner named by e-mail.
    row("CRM-2", resolved_at="2026-03-02T19:30:00Z", owner="Bob@Example.org"),
    # Answered after 6 h (late); resolved after 8 h (met); the owner is not a user.
    row(
        "CRM-3",
        first_responded_at="2026-03-02T20:00:00Z",
        resolved_at="2026-03-02T22:00:00Z",
        owner="dana.hill@crm.example",
    ),
    # No first response, no owner; resolved Tue 10:00 local: 9 + 2 = 11 h (met).
    row("CRM-4", resolved_at="2026-03-03T15:00:00Z"),
]


def outcomes(external_id: str) -> set[tuple[str, str]]:
    return set(
        SlaEvent.objects.filter(
            inquiry__external_id=external_id,
            kind__in=("met", "breached"),
            superseded_at__isnull=True,
        ).values_list("metric", "kind")
    )


def test_first_response_and_owner_come_from_the_feed(cast: Cast) -> None:
    result = import_inquiries(FEED, acting_user=None, source="crm.csv", now=NOW)
    assert (result.created, result.rejected) == (4, 0)
    one, two, three, four = (Inquiry.objects.get(external_id=f"CRM-{n}") for n in range(1, 5))
    assert one.first_responded_at == utc(2026, 3, 2, 16, 30) and one.owner == cast.alice
    assert two.first_responded_at is None and two.owner == cast.bob
    assert three.owner is None and three.owner_label == "Imported"
    assert four.first_responded_at is None and four.owner_label == "Imported"
    assert one.owner_label == cast.alice.get_full_name()
    # Real clocks only: no first-response outcome where the feed recorded no first response.
    assert outcomes("CRM-1") == {("first_response", "met"), ("resolution", "breached")}
    assert outcomes("CRM-2") == {("resolution", "met")}
    assert outcomes("CRM-3") == {("first_response", "breached"), ("resolution", "met")}
    assert outcomes("CRM-4") == {("resolution", "met")}


def test_attainment_leaves_unrecorded_first_responses_out_and_says_so(cast: Cast) -> None:
    import_inquiries(FEED, acting_user=None, source="crm.csv", now=NOW)
    groups = attainment(cast.mia, START, END)
    (acme,) = groups["account"]
    # Before: first response = resolution for CRM-2 (5.5 h) and CRM-4 (11 h), two invented
    # breaches: 1 met of 4, 25.0 %. Now 1 met, 1 breached of the 2 recorded: 50.0 %.
    assert (acme.met["first_response"].value, acme.breached["first_response"].value) == (1, 1)
    assert acme.percent("first_response") == 50.0 and acme.unrecorded == 2
    assert acme.first_response_note == (
        "first response: 2 of 4 inquiries have a recorded first response "
        "(imported inquiries without one are left out)"
    )
    by_owner = {a.label: a for a in groups["associate"]}
    imported = by_owner["Imported (owner not a user)"]
    assert imported.breached["first_response"].value == 1 and "first_response" not in imported.met
    assert imported.met["resolution"].value == 2 and imported.unrecorded == 1
    bob = by_owner[cast.bob.get_full_name()]
    assert bob.met["resolution"].value == 1 and bob.decided("first_response") == 0
    assert bob.unrecorded == 1
    assert "Nobody" not in by_owner
    # The imported group's count lists the inquiries behind it.
    params = imported.breached["first_response"].params
    assert params["accountable"] == IMPORTED
    listed = filtered_inquiries(cast.mia, params, NOW)
    assert [i.external_id for i in listed] == ["CRM-3"]
    dashboard = manager_dashboard(cast.mia, NOW, attainment_from=START, attainment_to=END)
    assert dashboard.first_response_note == acme.first_response_note


def test_a_first_response_before_the_opening_is_rejected(cast: Cast) -> None:
    bad = row("CRM-9", first_responded_at="2026-03-02T13:00:00Z", resolved_at="2026-03-02T16:00Z")
    result = import_inquiries([bad], acting_user=None, now=NOW)
    assert result.rejected == 1
    assert result.rejects[0].reasons == ["first_responded_at is before opened_at"]


def test_a_feed_without_the_new_columns_still_loads(cast: Cast) -> None:
    old = {k: v for k, v in FEED[0].items() if k not in ("first_responded_at", "owner")}
    result = import_inquiries([old], acting_user=None, now=NOW)
    assert result.created == 1
    assert outcomes("CRM-1") == {("resolution", "breached")}
