"""Inquiry attachments are kept for a retention after the inquiry closes, then erased.

An attachment (an EOB, a letter, a screenshot of a member's claim) is member data. After
CLIENTDESK_ATTACHMENT_RETENTION_DAYS (2,190 by default: six years, as HIPAA keeps its own
documentation) from the inquiry's closing, the file and its row are deleted; the inquiry, its
timeline and a security audit row (the attachment's id, size and upload time, not its name)
stay. An inquiry that is not closed keeps its attachments. The clock runs this every day.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.core.files.storage import Storage
from django.db import transaction

from clientdesk.audit.recording import record_audit
from clientdesk.inquiries.models import InquiryAttachment


def purge_attachments(now: dt.datetime, *, days: int | None = None) -> int:
    """Delete the attachments of inquiries closed more than `days` ago (the setting by
    default); returns how many were erased."""
    keep = settings.ATTACHMENT_RETENTION_DAYS if days is None else days
    cutoff = now - dt.timedelta(days=keep)
    old = InquiryAttachment.objects.filter(inquiry__closed_at__lt=cutoff).select_related(
        "inquiry__account"
    )
    erased = 0
    for attachment in old:
        inquiry = attachment.inquiry
        with transaction.atomic():
            record_audit(
                actor=None,
                action="inquiry.attachment_purged",
                obj=inquiry,
                account=inquiry.account,
                detail={
                    "attachment_id": attachment.pk,
                    "size": attachment.size,
                    "uploaded_at": attachment.uploaded_at.isoformat(),
                    "retention_days": keep,
                },
                kind="security",
            )
            attachment.delete()
            transaction.on_commit(
                partial(_delete_file, attachment.file.storage, attachment.file.name)
            )
        erased += 1
    return erased


def _delete_file(storage: Storage, name: str | None) -> None:
    if name:
        storage.delete(name)
