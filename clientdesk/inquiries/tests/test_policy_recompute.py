"""A policy change recomputes the open inquiries it touches through one action
(`do_apply_sla_policy`), and the policy pages call that action."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import Inquiry, SlaPolicy
from clientdesk.inquiries.tests.conftest import OpenInquiry, at, utc
from clientdesk.testing import Cast

FAST_PHARMACY = {
    "name": "Pharmacy fast lane",
    "tier": "",
    "category": "pharmacy",
    "priority": "",
    "first_response_hours": 1,
    "resolution_hours": 8,
    "is_active": True,
}


def test_the_action_saves_and_recomputes_what_the_policy_touches(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    # Acme (key, New York): both opened Mon Mar 2 09:00 EST under "Key account" (4 h).
    pharmacy = open_inquiry(at=utc(2026, 3, 2, 14), category="pharmacy", subcategory="")
    claims = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 14, 30)):
        policy, count = actions.do_apply_sla_policy(None, FAST_PHARMACY, acting_user=cast.mia)
    assert count == 1  # only the pharmacy inquiry can match
    pharmacy.refresh_from_db()
    claims.refresh_from_db()
    assert pharmacy.sla_policy == policy
    assert pharmacy.first_response_due_at == utc(2026, 3, 2, 15)  # 09:00 EST + 1 business h
    assert claims.sla_policy is not None and claims.sla_policy.name == "Key account"
    assert claims.first_response_due_at == utc(2026, 3, 2, 18)  # 09:00 EST + 4 business h
    assert AuditEvent.objects.filter(action="sla_policy.create").count() == 1

    # Moved to claims: the inquiries it matched before (pharmacy) and after (claims).
    with at(utc(2026, 3, 2, 14, 45)):
        moved, count = actions.do_apply_sla_policy(
            policy, {"category": "claims"}, acting_user=cast.mia
        )
    assert count == 2
    pharmacy.refresh_from_db()
    claims.refresh_from_db()
    assert pharmacy.sla_policy is not None and pharmacy.sla_policy.name == "Key account"
    assert pharmacy.first_response_due_at == utc(2026, 3, 2, 18)
    assert claims.sla_policy == moved and claims.first_response_due_at == utc(2026, 3, 2, 15)


def test_a_refused_policy_recomputes_nothing(cast: Cast, open_inquiry: OpenInquiry) -> None:
    pharmacy = open_inquiry(at=utc(2026, 3, 2, 14), category="pharmacy", subcategory="")
    bad = {**FAST_PHARMACY, "name": ""}  # a policy needs a name
    with at(utc(2026, 3, 2, 14, 30)), pytest.raises(ValidationError, match="name"):
        actions.do_apply_sla_policy(None, bad, acting_user=cast.mia)
    pharmacy.refresh_from_db()
    assert pharmacy.sla_policy is not None and pharmacy.sla_policy.name == "Key account"
    assert not SlaPolicy.objects.filter(category="pharmacy").exists()


def test_the_policy_pages_call_the_action(
    cast: Cast, open_inquiry: OpenInquiry, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharmacy = open_inquiry(at=utc(2026, 3, 2, 14), category="pharmacy", subcategory="")
    calls: list[tuple[SlaPolicy | None, dict[str, Any]]] = []
    real = actions.do_apply_sla_policy

    def spy(policy: SlaPolicy | None, data: dict[str, Any], **kw: Any) -> tuple[SlaPolicy, int]:
        calls.append((policy, data))
        return real(policy, data, **kw)

    monkeypatch.setattr(actions, "do_apply_sla_policy", spy)
    client.force_login(cast.mia)
    form = {**FAST_PHARMACY, "is_active": "on"}
    with at(utc(2026, 3, 2, 14, 30)):
        added = client.post(reverse("inquiries:policies"), form)
    assert added.status_code == 302 and len(calls) == 1 and calls[0][0] is None
    policy = SlaPolicy.objects.get(name="Pharmacy fast lane")
    with at(utc(2026, 3, 2, 14, 45)):
        edited = client.post(
            reverse("inquiries:policy_edit", args=[policy.pk]), {**form, "is_active": ""}
        )
    assert edited.status_code == 302 and len(calls) == 2 and calls[1][0] == policy
    # Switched off: the pharmacy inquiry is back under the key-account policy.
    assert Inquiry.objects.get(pk=pharmacy.pk).sla_policy.name == "Key account"  # type: ignore[union-attr]
