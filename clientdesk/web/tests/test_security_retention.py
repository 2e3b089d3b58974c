"""Report files and inquiry attachments are erased after their retention, with an audit row;
what is not yet due, and attachments of open inquiries, stay."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone

from clientdesk.audit.models import AuditEvent
from clientdesk.inquiries import actions as inquiry_actions
from clientdesk.inquiries.models import InquiryAttachment
from clientdesk.inquiries.retention import purge_attachments
from clientdesk.inquiries.tests.cast import acme_attachment
from clientdesk.reports.models import ReportRun
from clientdesk.reports.retention import PurgedReports, purge_report_files
from clientdesk.reports.tests.cast import acme_run
from clientdesk.testing import Cast
from clientdesk.web.clock import _files_retention

T0 = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def test_report_files_are_erased_after_their_retention(
    cast: Cast, client: Client, settings: Any
) -> None:
    settings.REPORT_RETENTION_DAYS = 365
    run = acme_run(cast)
    ReportRun.objects.filter(pk=run.pk).update(finished_at=T0)
    workbook = run.folder / "stewardship-G100001-2025Q2.xlsx"
    assert workbook.is_file()
    client.force_login(cast.alice)
    assert client.get(f"/reports/runs/{run.pk}/download.xlsx").status_code == 200

    assert purge_report_files(T0 + dt.timedelta(days=364)) == PurgedReports(0, 0)
    assert workbook.is_file()
    assert purge_report_files(T0 + dt.timedelta(days=366)) == PurgedReports(1, 1)
    assert not run.folder.exists()
    run.refresh_from_db()
    assert run.files == [] and run.status == "done"  # the run itself stays
    event = AuditEvent.objects.get(action="report.files_purged")
    assert event.kind == "security" and event.account_id == cast.acme.pk
    assert event.before == {"files": ["stewardship-G100001-2025Q2.xlsx"]}
    assert event.detail == {"retention_days": 365}
    assert client.get(f"/reports/runs/{run.pk}/download.xlsx").status_code == 404
    assert purge_report_files(T0 + dt.timedelta(days=400)) == PurgedReports(0, 0)  # once


def test_attachments_of_closed_inquiries_are_erased_after_their_retention(
    cast: Cast, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.ATTACHMENT_RETENTION_DAYS = 2190
    kept_open = acme_attachment(cast)  # an inquiry of its own, left open
    closed = acme_attachment(cast)
    inquiry = closed.inquiry
    inquiry_actions.do_change_status(
        inquiry,
        "resolved",
        expected_version=None,
        acting_user=cast.alice,
        resolution_code="answered",
        resolution_summary="Explained the EOB.",
        now=T0,
    )
    inquiry_actions.do_change_status(
        inquiry, "closed", expected_version=None, acting_user=cast.alice, now=T0
    )
    assert kept_open.inquiry_id != inquiry.pk
    stored = Path(closed.file.path)
    assert stored.is_file()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_attachments(T0 + dt.timedelta(days=2189)) == 0
    assert stored.is_file()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_attachments(T0 + dt.timedelta(days=2191)) == 1
    assert not stored.exists()
    assert not InquiryAttachment.objects.filter(inquiry=inquiry).exists()
    assert Path(InquiryAttachment.objects.get(pk=kept_open.pk).file.path).is_file()
    events = AuditEvent.objects.filter(action="inquiry.attachment_purged").order_by("pk")
    assert [e.detail["attachment_id"] for e in events if e.detail] == [closed.pk]
    assert all(e.kind == "security" and e.account_id == cast.acme.pk for e in events)
    assert "eob.pdf" not in str([(e.detail, e.object_label) for e in events])
    assert (
        _files_retention(timezone.now())
    ) == "files retention: 0 report files of 0 runs, 0 inquiry attachments erased"


def test_an_open_inquiry_keeps_its_attachments(cast: Cast, settings: Any) -> None:
    settings.ATTACHMENT_RETENTION_DAYS = 1
    attachment = acme_attachment(cast)
    assert attachment.inquiry.closed_at is None
    assert purge_attachments(timezone.now() + dt.timedelta(days=5000)) == 0
    assert InquiryAttachment.objects.filter(pk=attachment.pk).exists()
