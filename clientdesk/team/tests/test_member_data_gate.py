"""The domain rule "lapsed HIPAA training blocks PHI drill-downs": while a course that guards
member data is overdue, every member-level look (each one is a `phi_read` audit row) is
refused with the reason; completing the course opens member data again."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.inquiries.actions import do_create_inquiry
from clientdesk.lib.member_data_gates import MemberDataRefused
from clientdesk.team.actions import do_start_quiz, do_submit_quiz
from clientdesk.team.tests.cast import alice_assignment
from clientdesk.testing import Cast

LAPSED = dt.datetime(2027, 1, 5, 15, 0, tzinfo=dt.UTC)  # alice's HIPAA was due Dec 31


def test_lapsed_hipaa_training_blocks_member_level_views(cast: Cast, client: Client) -> None:
    assignment = alice_assignment(cast)  # HIPAA (guards member data), due 2026-12-31
    inquiry = do_create_inquiry(
        cast.acme,
        {
            "requester_type": "member",
            "channel": "phone",
            "category": "claims",
            "subject": "Claim question",
            "member_reference": "M00012345",
            "owner": cast.alice,
        },
        acting_user=cast.alice,
        now=dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC),
    )
    url = reverse("inquiries:member", args=[inquiry.pk])
    with time_machine.travel(dt.datetime(2026, 12, 30, 15, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.alice)
        assert client.post(url).status_code == 200  # due, not yet overdue: open

    with time_machine.travel(LAPSED, tick=False):
        client.force_login(cast.alice)
        looks = AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).count()
        refused = client.post(url)
        assert refused.status_code == 403
        text = refused.content.decode()
        assert "M00012345" not in text
        assert "HIPAA privacy and security" in text and "due Dec 31, 2026" in text
        assert "lapsed HIPAA training blocks member-level views" in text
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).count() == looks
        own = client.get(reverse("team:me")).content.decode()
        assert "Member data is closed to you" in own
        # The same refusal wherever member data is opened (every look goes through here).
        with pytest.raises(MemberDataRefused):
            record_audit(
                actor=cast.alice,
                action="utilization.view_claim_lines",
                object_type="accounts.account",
                kind=AuditEvent.Kind.PHI_READ,
            )
        # Their manager and a colleague with no lapsed course are not concerned.
        client.force_login(cast.mia)
        assert client.post(url).status_code == 200

        # Alice takes the course; member data opens again.
        module = assignment.course.modules.get(kind="quiz")
        attempt = do_start_quiz(assignment, module, now=LAPSED, acting_user=cast.alice)
        answers = {str(q.pk): q.answer for q in module.questions.all()}
        do_submit_quiz(attempt, answers, now=LAPSED, acting_user=cast.alice)
        client.force_login(cast.alice)
        done = client.post(reverse("team:complete", args=[assignment.pk]))
        assert done.status_code == 302
        opened = client.post(url)
        assert opened.status_code == 200 and "M00012345" in opened.content.decode()
