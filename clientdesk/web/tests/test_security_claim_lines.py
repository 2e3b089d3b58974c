"""Claim lines through the API are a PHI read: audited like the member-id reveal, limited to
the roles that need them (the access matrix), and paged with a cap of 200 lines."""

from __future__ import annotations

from django.test import Client

from clientdesk.audit.models import AuditEvent
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast


def test_an_api_read_of_claim_lines_is_audited_and_capped(cast: Cast) -> None:
    raw = do_create_api_token(cast.mia, "t", acting_user=cast.mia)[1]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    path = f"/api/utilization/accounts/{cast.acme.pk}/lines"
    too_many = api.get(f"{path}?leaf=ed&limit=201")
    assert too_many.status_code == 422
    assert "limit" in too_many.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).exists()

    page = api.get(f"{path}?leaf=ed&limit=200&offset=0")
    assert page.status_code == 200, page.content.decode()[:500]
    assert page.json()["limit"] == 200
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PHI_READ)
    assert event.actor_id == cast.mia.pk and event.account_id == cast.acme.pk
    assert event.detail is not None
    assert event.detail["via"] == "api" and event.detail["category"] == "ed"
    assert event.detail["lines"] == 0  # the cast's lake is empty; the read is audited all the same

    eve = do_create_api_token(cast.eve, "t", acting_user=cast.eve)[1]
    refused = Client(headers={"Authorization": f"Bearer {eve}"}).get(path, {"leaf": "ed"})
    assert refused.status_code == 403  # executives read figures, not lines
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).count() == 1
