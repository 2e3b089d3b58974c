"""An inquiry escalated by hand: to the manager (who takes it) or to service operations (who
are told), always with a reason, audited, from the page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import Inquiry
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast


def test_to_the_manager_the_manager_takes_it(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    inquiry = acme_inquiry(cast)
    before = inquiry.version
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.do_escalate_inquiry(
            inquiry, "manager", "  Third call this week.  ", acting_user=cast.alice
        )
    assert done.owner == cast.mia and done.assigned_by == "escalation"
    assert done.version == before + 1
    event = done.events.latest("at")
    assert event.summary == "Escalated to Mia Manager by Alice Owner: Third call this week."
    audit = AuditEvent.objects.get(action="inquiry.escalate")
    assert audit.actor == cast.alice
    assert audit.detail == {
        "escalated_to": "manager",
        "reason": "Third call this week.",
        "owner": cast.mia.pk,
    }
    assert [m.to for m in mail.outbox] == [["mia@example.org"]]
    assert mail.outbox[0].subject.endswith(f"{inquiry.reference} escalated to you")


def test_to_service_operations_they_are_told_and_the_owner_stays(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    inquiry = acme_inquiry(cast)
    owner = inquiry.owner_id
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.do_escalate_inquiry(
            inquiry, "service_ops", "Claims system rejects the rider.", acting_user=cast.bob
        )
    assert done.owner_id == owner
    assert done.events.latest("at").summary == (
        "Escalated to service operations by Bob Teammate: Claims system rejects the rider."
    )
    assert [m.to for m in mail.outbox] == [["sam@example.org"]]
    body = mail.outbox[0].body
    assert inquiry.reference in body and "Acme Steel Works" in body
    assert "/inquiries/" not in body  # sam cannot open inquiries: no dead link


@pytest.mark.parametrize(("to", "reason"), [("manager", "   "), ("nobody", "Why not")])
def test_a_reason_and_a_target_are_required(cast: Cast, to: str, reason: str) -> None:
    inquiry = acme_inquiry(cast)
    with pytest.raises(actions.InquiryRuleError):
        actions.do_escalate_inquiry(inquiry, to, reason, acting_user=cast.alice)
    assert not AuditEvent.objects.filter(action="inquiry.escalate").exists()


def test_the_page_offers_the_form_to_those_who_may(cast: Cast, client: Client) -> None:
    inquiry = acme_inquiry(cast)
    client.force_login(cast.eve)
    assert "Escalate to" not in client.get(f"/inquiries/{inquiry.pk}/").content.decode()
    client.force_login(cast.alice)
    assert "Escalate to" in client.get(f"/inquiries/{inquiry.pk}/").content.decode()
    url = f"/inquiries/{inquiry.pk}/escalate/"
    empty = client.post(url, {"version": inquiry.version, "to": "manager", "reason": ""})
    assert empty.status_code == 422
    response = client.post(
        url, {"version": inquiry.version, "to": "manager", "reason": "Member complaint."}
    )
    assert response.status_code == 302
    assert Inquiry.objects.get(pk=inquiry.pk).owner == cast.mia


def test_the_api_escalates(cast: Cast, client: Client) -> None:
    inquiry = acme_inquiry(cast)
    token = do_create_api_token(cast.alice, "test", acting_user=cast.alice)[1]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/inquiries/{inquiry.pk}/escalate",
        {"version": inquiry.version, "to": "service_ops", "reason": "Portal outage."},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["version"] == inquiry.version + 1
    stale = client.post(
        f"/api/inquiries/{inquiry.pk}/escalate",
        {"version": inquiry.version, "to": "manager", "reason": "Again."},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "", "reason": "Portal outage."}, "to"),  # the schema offers two targets only
        ({"to": "board", "reason": "Portal outage."}, "to"),
        ({"to": "manager", "reason": " \u001c\t"}, "reason"),  # blank once the form trims it
        ({"to": "manager", "reason": "Portal\u0000outage."}, "reason"),  # no NUL in the database
    ],
)
def test_the_api_refuses_what_its_schema_refuses(
    cast: Cast, client: Client, body: dict[str, str], field: str
) -> None:
    """What bench/fuzz.py found: `to` was any string and `reason` any non-empty one in the
    schema, so a schema-valid "" or " " was refused by the form (positive_data_acceptance)."""
    inquiry = acme_inquiry(cast)
    token = do_create_api_token(cast.alice, "test", acting_user=cast.alice)[1]
    response = client.post(
        f"/api/inquiries/{inquiry.pk}/escalate",
        {"version": inquiry.version, **body},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field
    assert Inquiry.objects.get(pk=inquiry.pk).version == inquiry.version
