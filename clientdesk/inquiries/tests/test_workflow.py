"""Opening, routing, the status workflow, notes, merging, attachments, optimistic locking,
member-reference masking, and the audit row every write leaves."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.actions import do_assign
from clientdesk.accounts.models import ActivityEvent
from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions
from clientdesk.inquiries.models import (
    Inquiry,
    InquiryAttachment,
    InquiryNote,
    InquiryStatusChange,
    Status,
)
from clientdesk.inquiries.tests.conftest import Committed, OpenInquiry, at, utc
from clientdesk.testing import Cast, known, streamed

MARCH_2 = utc(2026, 3, 2, 14)  # Monday 09:00 EST


def audit_actions(inquiry: Inquiry) -> list[str]:
    rows = AuditEvent.objects.filter(object_type="inquiries.inquiry", object_id=str(inquiry.pk))
    return list(rows.order_by("id").values_list("action", flat=True))


def test_routing_least_loaded_then_round_robin_then_the_lead(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    owners = [open_inquiry(at=MARCH_2).owner for _ in range(3)]
    assert owners == [cast.alice, cast.bob, cast.alice]  # least loaded, the lead on a tie
    actions.do_set_routing_rule(cast.acme, "round_robin", False, acting_user=cast.mia)
    assert [open_inquiry(at=MARCH_2).owner for _ in range(3)] == [cast.alice, cast.bob, cast.alice]
    actions.do_set_routing_rule(cast.acme, "account_team", False, acting_user=cast.mia)
    assert open_inquiry(at=MARCH_2).owner == cast.alice
    actions.do_set_routing_rule(cast.acme, "manual", False, acting_user=cast.mia)
    assert open_inquiry(at=MARCH_2).owner is None
    assert AuditEvent.objects.filter(action__startswith="routing_rule.").count() == 3


def test_routing_by_competence_falls_back_to_the_team(
    cast: Cast, open_inquiry: OpenInquiry
) -> None:
    actions.do_set_routing_rule(cast.acme, "account_team", True, acting_user=cast.mia)
    actions.do_set_competences(cast.bob, ["pharmacy"], acting_user=cast.mia)
    assert open_inquiry(at=MARCH_2, category="pharmacy", subcategory="").owner == cast.bob
    assert open_inquiry(at=MARCH_2, category="claims").owner == cast.alice  # nobody competent
    assert AuditEvent.objects.filter(action="competence.update").count() == 1


def test_opening_writes_history_timeline_and_audit(cast: Cast, open_inquiry: OpenInquiry) -> None:
    inquiry = open_inquiry(at=MARCH_2, by=cast.alice)
    change = InquiryStatusChange.objects.get(inquiry=inquiry)
    assert (change.from_status, change.to_status, change.at) == ("", "new", MARCH_2)
    assert audit_actions(inquiry) == ["inquiry.create"]
    event = ActivityEvent.objects.get(account=cast.acme, kind="inquiry")
    assert event.subject.startswith(f"Inquiry {inquiry.reference} opened")
    assert event.source_id == str(inquiry.pk)


def test_the_status_workflow(cast: Cast, open_inquiry: OpenInquiry, client: Client) -> None:
    inquiry = open_inquiry(at=MARCH_2)
    with pytest.raises(actions.InquiryRuleError, match="cannot go from new to closed"):
        actions.do_change_status(inquiry, "closed", expected_version=1, acting_user=cast.alice)
    with pytest.raises(actions.InquiryRuleError, match="resolution code"):
        actions.do_change_status(inquiry, "resolved", expected_version=1, acting_user=cast.alice)
    client.force_login(cast.alice)
    url = reverse("inquiries:status", args=[inquiry.pk])
    missing = client.post(url, {"version": 1, "status": "resolved"})
    assert missing.status_code == 422 and "Choose how it was resolved." in missing.content.decode()
    with at(utc(2026, 3, 2, 15)):
        done = client.post(
            url,
            {
                "version": 1,
                "status": "resolved",
                "resolution_code": "claim_reprocessed",
                "resolution_summary": "Reprocessed.",
                "note": "Checked with claims ops.",
            },
        )
    assert done.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Status.RESOLVED and inquiry.version == 2
    assert inquiry.first_responded_at == utc(2026, 3, 2, 15)
    assert InquiryNote.objects.get(inquiry=inquiry).visibility == "internal"
    with at(utc(2026, 3, 3, 15)):
        inquiry = actions.do_change_status(
            inquiry, "closed", expected_version=2, acting_user=cast.alice
        )
        inquiry = actions.do_change_status(
            inquiry, "open", expected_version=3, acting_user=cast.bob
        )
    assert inquiry.status == Status.OPEN and inquiry.resolution_code == ""
    assert audit_actions(inquiry) == [
        "inquiry.create",
        "inquiry.status",
        "inquiry.status",
        "inquiry.reopen",
    ]
    subjects = list(ActivityEvent.objects.filter(kind="inquiry").values_list("subject", flat=True))
    assert any("resolved" in s for s in subjects) and any("reopened" in s for s in subjects)


def test_a_note_to_the_customer_is_mailed_and_is_the_first_response(
    cast: Cast, open_inquiry: OpenInquiry, mailoutbox: list[EmailMessage], committed: Committed
) -> None:
    inquiry = open_inquiry(at=MARCH_2)
    actions.do_set_watching(inquiry, cast.bob, True, acting_user=cast.bob)
    mailoutbox.clear()
    with at(utc(2026, 3, 2, 15)), committed():
        note = actions.do_add_note(
            inquiry,
            body="The claim was reprocessed on Friday.",
            visibility="customer",
            acting_user=cast.alice,
        )
    assert note.emailed_to == "dana.whitfield@acme.example"
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["bob@example.org", "dana.whitfield@acme.example"]
    customer = next(m for m in mailoutbox if m.to == ["dana.whitfield@acme.example"])
    assert inquiry.reference in customer.subject and "reprocessed" in customer.body
    inquiry.refresh_from_db()
    assert inquiry.first_responded_at == utc(2026, 3, 2, 15)
    assert audit_actions(inquiry) == ["inquiry.create", "inquiry.watch", "inquiry.note"]
    note_audit = AuditEvent.objects.get(action="inquiry.note")
    assert "reprocessed" not in str(note_audit.after)  # the note's text stays out of the log


def test_merging_moves_notes_watchers_and_ids(cast: Cast, open_inquiry: OpenInquiry) -> None:
    keep = open_inquiry(at=MARCH_2, claim_ids=["C1"])
    dup = open_inquiry(at=MARCH_2, claim_ids=["C2", "C1"], owner=cast.bob)
    actions.do_add_note(
        dup, body="Same member called twice.", visibility="internal", acting_user=cast.bob
    )
    actions.do_set_watching(dup, cast.mia, True, acting_user=cast.mia)
    kept = actions.do_merge_inquiries(
        dup, keep, expected_version=dup.version, acting_user=cast.alice
    )
    dup.refresh_from_db()
    assert dup.status == Status.CLOSED and dup.merged_into == keep
    assert dup.resolution_code == "duplicate"
    assert list(keep.notes.values_list("body", flat=True)) == ["Same member called twice."]
    assert keep.notes.get().moved_from == dup
    assert set(kept.watchers.all()) == {cast.mia, cast.bob}
    assert kept.claim_ids == ["C1", "C2"]
    assert "inquiry.merge" in audit_actions(dup) and "inquiry.merge_target" in audit_actions(keep)
    with pytest.raises(actions.InquiryRuleError, match="already merged"):
        actions.do_merge_inquiries(dup, keep, expected_version=None, acting_user=cast.alice)
    with pytest.raises(actions.InquiryRuleError, match="merged"):
        actions.do_add_note(dup, body="x", visibility="internal", acting_user=cast.alice)


def test_merge_stays_within_an_account(cast: Cast, open_inquiry: OpenInquiry) -> None:
    acme = open_inquiry(at=MARCH_2)
    bayside = open_inquiry(at=MARCH_2, account=cast.bayside)
    with pytest.raises(actions.InquiryRuleError, match="same account"):
        actions.do_merge_inquiries(acme, bayside, expected_version=None, acting_user=cast.mia)


def test_attachments_are_checked_kept_and_downloads_audited(
    cast: Cast, open_inquiry: OpenInquiry, client: Client, settings: object
) -> None:
    inquiry = open_inquiry(at=MARCH_2)
    client.force_login(cast.bob)
    url = reverse("inquiries:attachment_add", args=[inquiry.pk])
    fake = SimpleUploadedFile("eob.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert client.post(url, {"file": fake}).status_code == 422
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert "not accepted" in client.post(url, {"file": script}).content.decode()
    settings.INQUIRY_TEST_LIMIT = True  # type: ignore[attr-defined]
    from clientdesk.inquiries import conf

    big = SimpleUploadedFile("big.txt", b"a" * (conf.ATTACHMENT_MAX_MB * 1024 * 1024 + 1))
    assert "larger than" in client.post(url, {"file": big}).content.decode()
    good = SimpleUploadedFile("eob.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    assert client.post(url, {"file": good}).status_code == 302
    attachment = InquiryAttachment.objects.get(inquiry=inquiry)
    assert attachment.original_name == "eob.pdf" and "eob" not in known(attachment.file.name)
    download = client.get(reverse("inquiries:attachment", args=[inquiry.pk, attachment.pk]))
    assert download.status_code == 200 and b"".join(streamed(download)).startswith(b"%PDF")
    read = AuditEvent.objects.get(action="inquiry.attachment.download")
    assert read.kind == "phi_read" and read.actor == cast.bob
    assert "inquiry.attachment" in audit_actions(inquiry)
    client.force_login(cast.eve)  # read-only: sees the inquiry, not the files' contents
    assert (
        client.get(reverse("inquiries:attachment", args=[inquiry.pk, attachment.pk])).status_code
        == 403
    )


def test_a_stale_edit_is_refused_field_by_field(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    inquiry = open_inquiry(at=MARCH_2)
    client.force_login(cast.alice)
    form = client.get(reverse("inquiries:edit", args=[inquiry.pk])).content.decode()
    assert 'name="version" value="1"' in form
    # bob changes the priority first…
    actions.do_update_inquiry(
        inquiry, {"priority": "urgent"}, expected_version=1, acting_user=cast.bob
    )
    # …then alice saves her form, read at version 1, with another priority and a new subject.
    stale = client.post(
        reverse("inquiries:edit", args=[inquiry.pk]),
        {
            "version": 1,
            "requester_type": "sponsor",
            "contact": cast.acme_contact.pk,
            "channel": "phone",
            "category": "claims",
            "subcategory": "claim_status",
            "priority": "low",
            "subject": "Alice's subject",
            "description": "",
        },
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Bob Teammate changed priority to “Urgent”" in page
    assert 'id="id_priority_error"' in page  # the message sits on the priority field
    inquiry.refresh_from_db()
    assert (inquiry.priority, inquiry.subject, inquiry.version) == (
        "urgent",
        "Claim for an MRI still pending",
        2,
    )
    with pytest.raises(actions.EditConflict):
        actions.do_change_status(inquiry, "open", expected_version=1, acting_user=cast.alice)
    stale_status = client.post(
        reverse("inquiries:status", args=[inquiry.pk]), {"version": 1, "status": "open"}
    )
    assert stale_status.status_code == 409
    assert "changed by someone else" in stale_status.content.decode()
    assert InquiryStatusChange.objects.filter(inquiry=inquiry).count() == 1


def test_member_reference_is_masked_and_shown_in_full_only_on_purpose(
    cast: Cast, open_inquiry: OpenInquiry, client: Client
) -> None:
    inquiry = open_inquiry(at=MARCH_2, requester_type="member", member_reference="M00098765")
    client.force_login(cast.bob)
    for url in (
        reverse("inquiries:list"),
        reverse("inquiries:detail", args=[inquiry.pk]),
        reverse("accounts:tab", args=[cast.acme.pk, "service"]),
    ):
        page = client.get(url).content.decode()
        assert "M00098765" not in page, url
    assert "••••8765" in client.get(reverse("inquiries:list")).content.decode()
    assert not AuditEvent.objects.filter(kind="phi_read").exists()
    shown = client.post(
        reverse("inquiries:member", args=[inquiry.pk]), headers={"HX-Request": "true"}
    )
    assert "M00098765" in shown.content.decode() and "<html" not in shown.content.decode()
    read = AuditEvent.objects.get(kind="phi_read")
    assert (read.action, read.actor, read.account) == (
        "inquiry.member_reference.view",
        cast.bob,
        cast.acme,
    )
    created = AuditEvent.objects.get(action="inquiry.create", object_id=str(inquiry.pk))
    assert known(created.after)["member_reference"] == "••••8765"  # no PHI in the audit trail
    client.force_login(cast.eve)
    assert client.post(reverse("inquiries:member", args=[inquiry.pk])).status_code == 403


def test_every_write_leaves_an_audit_row(cast: Cast, open_inquiry: OpenInquiry) -> None:
    inquiry = open_inquiry(at=MARCH_2, by=cast.alice)
    actions.do_update_inquiry(
        inquiry, {"subject": "MRI claim"}, expected_version=1, acting_user=cast.alice
    )
    actions.do_assign_inquiry(inquiry, cast.bob, acting_user=cast.alice, expected_version=2)
    actions.do_set_watching(inquiry, cast.alice, True, acting_user=cast.alice)
    actions.do_add_note(inquiry, body="x", visibility="internal", acting_user=cast.bob)
    actions.do_change_status(inquiry, "open", expected_version=3, acting_user=cast.bob)
    assert audit_actions(inquiry) == [
        "inquiry.create",
        "inquiry.update",
        "inquiry.assign",
        "inquiry.watch",
        "inquiry.note",
        "inquiry.status",
    ]
    escalation = actions.do_raise_escalation(
        cast.acme,
        {"title": "Backlog", "reason": "Claims late.", "severity": "high"},
        acting_user=cast.alice,
    )
    actions.do_add_escalation_note(escalation, "Called the CFO.", acting_user=cast.mia)
    actions.do_update_escalation(
        escalation, {"status": "resolved", "resolution": "Fixed."}, acting_user=cast.mia
    )
    assert list(
        AuditEvent.objects.filter(object_type="inquiries.accountescalation")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["escalation.create", "escalation.note", "escalation.update"]
    kinds = list(ActivityEvent.objects.filter(kind="change").values_list("subject", flat=True))
    assert any("escalated" in k for k in kinds) and any("resolved" in k for k in kinds)
    policy = actions.do_save_sla_policy(
        None,
        {
            "name": "Pharmacy",
            "category": "pharmacy",
            "first_response_hours": 2,
            "resolution_hours": 8,
            "is_active": True,
        },
        acting_user=cast.mia,
    )
    assert AuditEvent.objects.filter(action="sla_policy.create", object_id=str(policy.pk)).exists()


def test_owner_must_be_on_the_team_or_a_manager(cast: Cast, open_inquiry: OpenInquiry) -> None:
    inquiry = open_inquiry(at=MARCH_2)
    with pytest.raises(actions.InquiryRuleError, match="team"):
        actions.do_assign_inquiry(inquiry, cast.oscar, acting_user=cast.mia)
    actions.do_assign_inquiry(inquiry, cast.mia, acting_user=cast.mia)
    do_assign(cast.acme, cast.oscar, "analyst", acting_user=cast.mia)
    assert actions.do_assign_inquiry(inquiry, cast.oscar, acting_user=cast.mia).owner == cast.oscar
