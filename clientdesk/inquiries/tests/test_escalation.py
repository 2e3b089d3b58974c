"""Escalation rules run by `clientdesk inquiries sla`: at risk → the owner; breached → the
managers; breached + 4 business hours → the least-loaded teammate (else a manager)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import InquiryEvent, SlaEvent, SlaEventKind
from clientdesk.inquiries.runs import run_sla
from clientdesk.inquiries.tests.conftest import Committed, OpenInquiry, at, utc
from clientdesk.testing import Cast


def test_breach_plus_four_hours_goes_to_the_least_loaded_teammate(
    cast: Cast, open_inquiry: OpenInquiry, mailoutbox: list[EmailMessage], committed: Committed
) -> None:
    # Acme: alice (lead) and bob (backup). Opened Mon Mar 2 09:00 EST for alice: first response
    # due 13:00 EST, breached then; 4 business hours later (17:00 EST = 22:00Z) it moves.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)
    open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)  # alice has more work than bob
    with committed():
        early = run_sla(now=utc(2026, 3, 2, 21, 59))
    assert early.reassigned == 0
    mailoutbox.clear()
    with committed():
        result = run_sla(now=utc(2026, 3, 2, 22, 1))
    assert result.reassigned == 2  # both of alice's inquiries breached at the same time
    inquiry.refresh_from_db()
    assert inquiry.owner == cast.bob and inquiry.assigned_by == "escalation"
    assert inquiry.version == 2
    escalated = SlaEvent.objects.get(inquiry=inquiry, kind=SlaEventKind.ESCALATED)
    assert escalated.owner == cast.alice and escalated.due_at == utc(2026, 3, 2, 18)
    audit = AuditEvent.objects.get(action="inquiry.assign", object_id=str(inquiry.pk))
    assert audit.actor is None and audit.actor_label == "system"
    assert audit.before == {"owner": cast.alice.pk, "assigned_by": "manual", "version": 1}
    assert audit.after == {"owner": cast.bob.pk, "assigned_by": "escalation", "version": 2}
    assert audit.detail == {"rule": "sla_breach", "metric": "first_response"}
    assert InquiryEvent.objects.filter(inquiry=inquiry, kind="escalated").count() == 1
    assert any(m.to == ["bob@example.org"] and "reassigned" in m.subject for m in mailoutbox)
    # Once per breach: a later run leaves it with bob.
    with committed():
        assert run_sla(now=utc(2026, 3, 3, 20)).reassigned == 0
    inquiry.refresh_from_db()
    assert inquiry.owner == cast.bob


def test_without_a_teammate_a_manager_takes_it(cast: Cast, open_inquiry: OpenInquiry) -> None:
    # Bayside (standard: first response 8 h) has only oscar. Opened Mon Mar 2 08:00 PST
    # (16:00Z): breached at 16:00 PST, reassigned from Tue 10:00 PST (4 more hours) = 18:00Z.
    inquiry = open_inquiry(at=utc(2026, 3, 2, 16), account=cast.bayside)
    assert inquiry.owner == cast.oscar
    assert run_sla(now=utc(2026, 3, 3, 17, 59)).reassigned == 0
    assert run_sla(now=utc(2026, 3, 3, 18, 1)).reassigned == 1
    inquiry.refresh_from_db()
    assert inquiry.owner == cast.mia


def test_waiting_on_the_sponsor_is_never_at_risk(cast: Cast, open_inquiry: OpenInquiry) -> None:
    inquiry = open_inquiry(at=utc(2026, 3, 2, 14))
    with at(utc(2026, 3, 2, 14, 30)):
        actions.do_change_status(
            inquiry, "waiting_on_sponsor", expected_version=1, acting_user=cast.alice
        )
    result = run_sla(now=utc(2026, 3, 20, 12))
    assert (result.at_risk, result.breached, result.reassigned) == (0, 0, 0)
    assert not SlaEvent.objects.filter(inquiry=inquiry).exists()


def test_the_command_takes_the_clock_and_answers_json(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    open_inquiry(at=utc(2026, 3, 2, 14))
    out = StringIO()
    call_command(
        "inquiries", "sla", "--now", "2026-03-02T18:30:00Z", "--format", "json", stdout=out
    )
    result = json.loads(out.getvalue())
    assert result["inquiries"] == 1 and result["breached"] == 1
    text = StringIO()
    call_command("inquiries", "sla", "--now", "2026-03-02T18:31:00+00:00", stdout=text, verbosity=0)
    assert "1 inquiries recomputed" in text.getvalue() and "0 breached" in text.getvalue()
    with pytest.raises(CommandError, match="not an ISO timestamp"):
        call_command("inquiries", "sla", "--now", "yesterday")


def test_the_rule_writes_the_audit_row_of_a_manual_assignment(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    # One inquiry reassigned by hand (alice → bob), one by the rule (alice → bob, 22:00Z):
    # the same action, the same columns in before and after, one row each.
    by_hand = open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)
    by_rule = open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)
    open_inquiry(at=utc(2026, 3, 2, 14), owner=cast.alice)  # alice stays the busier one
    with at(utc(2026, 3, 2, 15)):
        actions.do_assign_inquiry(by_hand, cast.bob, acting_user=cast.mia)
    # All three breached at 18:00Z; bob's (by hand) goes to alice, alice's two to bob.
    assert run_sla(now=utc(2026, 3, 2, 22, 1)).reassigned == 3
    manual = AuditEvent.objects.get(
        action="inquiry.assign", object_id=str(by_hand.pk), actor=cast.mia
    )
    rule = AuditEvent.objects.get(action="inquiry.assign", object_id=str(by_rule.pk))
    assert (manual.object_type, manual.account_id) == (rule.object_type, rule.account_id)
    assert (
        manual.before
        == rule.before
        == {
            "owner": cast.alice.pk,
            "assigned_by": "manual",
            "version": 1,
        }
    )
    assert manual.after == {"owner": cast.bob.pk, "assigned_by": "manual", "version": 2}
    assert rule.after == {"owner": cast.bob.pk, "assigned_by": "escalation", "version": 2}
    assert (manual.actor_id, rule.actor_id) == (cast.mia.pk, None)
    assert not AuditEvent.objects.filter(action="inquiry.reassign").exists()
    # The timeline tells the two apart: assigned by Mia, reassigned after the breach.
    [event] = InquiryEvent.objects.filter(inquiry=by_rule, kind="escalated")
    assert event.summary == "Reassigned to Bob Teammate after the first response breach"
    assert event.detail == {"from": cast.alice.pk, "to": cast.bob.pk}
