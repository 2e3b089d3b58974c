"""HR records: a manager sees their team, an associate their own records only, executives
aggregates, service operations nothing; every read of a record is audited."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clientdesk.audit.models import AuditEvent
from clientdesk.team.actions import do_record_one_to_one, do_save_license
from clientdesk.team.models import Occurrence
from clientdesk.team.tests.cast import alice_assignment, team
from clientdesk.testing import Cast


def test_an_associate_sees_only_their_own_records(cast: Cast, client: Client) -> None:
    team(cast)
    alice_assignment(cast)
    do_save_license(
        cast.alice,
        {
            "state": "OH",
            "line": "health",
            "number": "OH-1234",
            "issued_on": dt.date(2024, 1, 2),
            "expires_on": dt.date(2099, 1, 31),
            "ce_required": 24,
            "ce_earned": 12,
        },
        acting_user=cast.mia,
    )
    do_record_one_to_one(
        cast.alice, dt.date(2026, 11, 2), "Wants to lead Acme", acting_user=cast.mia
    )
    client.force_login(cast.mia)
    recorded = client.post(
        reverse("team:occurrence", args=[cast.alice.pk]),
        {"on": timezone.localdate().isoformat(), "kind": "no_call", "note": "missed a visit"},
    )
    assert recorded.status_code == 302
    assert Occurrence.objects.get().kind == "no_call"
    client.force_login(cast.alice)
    me = client.get(reverse("team:me")).content.decode()
    assert "OH-1234" in me and "HIPAA privacy and security" in me and "12 / 24" in me
    assert "Wants to lead Acme" not in me  # the one-to-one notes are the manager's
    assert "3 points in the last 12 months" in me and "No call, no show" in me
    assert client.get(reverse("team:person", args=[cast.bob.pk])).status_code == 404
    assert client.get(reverse("team:roster")).status_code == 403
    assert client.get(reverse("team:matrix")).status_code == 403
    assert client.get(reverse("team:overview")).status_code == 403

    client.force_login(cast.mia)
    page = client.get(reverse("team:person", args=[cast.alice.pk])).content.decode()
    assert "Wants to lead Acme" in page
    roster = client.get(reverse("team:roster")).content.decode()
    assert "Alice Owner" in roster and "Bob Teammate" in roster
    assert "Oscar Outsider" not in roster  # ada manages oscar
    assert client.get(reverse("team:person", args=[cast.oscar.pk])).status_code == 404
    reads = AuditEvent.objects.filter(action="team.person.read", object_label="Alice Owner")
    # alice read her own; mia recorded an occurrence (through the record) and read it
    assert sorted(reads.values_list("actor__username", flat=True)) == ["alice", "mia", "mia"]
    # HR reads are their own kind in the trail, not member data (PHI) views.
    assert set(reads.values_list("kind", flat=True)) == {AuditEvent.Kind.HR_READ}

    client.force_login(cast.eve)
    figures = client.get(reverse("team:overview")).content.decode()
    assert "Headcount" in figures and "Alice" not in figures.split("<main")[-1]
    assert client.get(reverse("team:person", args=[cast.alice.pk])).status_code == 404
    client.force_login(cast.sam)
    assert client.get(reverse("team:me")).status_code == 403
    assert client.get(reverse("team:overview")).status_code == 403
