"""Inquiry data on top of the named cast, for the access matrix and other apps' tests."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from clientdesk.inquiries import actions
from clientdesk.inquiries.models import AccountEscalation, Inquiry, InquiryAttachment, SlaPolicy
from clientdesk.testing import Cast


def acme_inquiry(c: Cast) -> Inquiry:
    """A claims inquiry from Acme's benefits manager, owned by alice (version 1)."""
    return actions.do_create_inquiry(
        c.acme,
        {
            "requester_type": "member",
            "member_reference": "M00012345",
            "contact": c.acme_contact,
            "channel": "phone",
            "category": "claims",
            "subcategory": "claim_status",
            "priority": "normal",
            "subject": "Pending claim for an MRI",
            "owner": c.alice,
        },
        acting_user=c.alice,
    )


def acme_attachment(c: Cast) -> InquiryAttachment:
    upload = SimpleUploadedFile("eob.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    return actions.do_add_attachment(
        acme_inquiry(c), upload, "application/pdf", acting_user=c.alice
    )


def acme_escalation(c: Cast) -> AccountEscalation:
    return actions.do_raise_escalation(
        c.acme,
        {
            "title": "Renewal at risk after claim backlog",
            "reason": "CFO unhappy.",
            "severity": "high",
            "owner": c.mia,
        },
        acting_user=c.mia,
    )


def first_policy(c: Cast) -> SlaPolicy:
    policy = SlaPolicy.objects.order_by("pk").first()
    if policy is None:
        raise LookupError("the default SLA policies are missing (migration 0002)")
    return policy
