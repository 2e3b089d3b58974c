"""Scheduled reports: `clientdesk report run-due` runs what is due and mails it."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.reports.models import ReportKind, ReportSchedule, RunStatus
from clientdesk.reports.schedules import add_months, period_before, run_due
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings: object) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]


def schedule(c: Cast, **fields: object) -> ReportSchedule:
    values: dict[str, object] = {
        "name": "Acme quarterly review",
        "kind": ReportKind.STEWARDSHIP,
        "account": c.acme,
        "cadence": "quarterly",
        "formats": ["xlsx", "pptx"],
        "recipients": "dana.whitfield@acme.example, alice@example.org",
        "owner": c.mia,
        "next_run_on": dt.date(2025, 7, 1),
    }
    values.update(fields)
    return ReportSchedule.objects.create(**values)


@pytest.mark.parametrize(
    ("cadence", "today", "code"),
    [
        ("quarterly", dt.date(2025, 7, 1), "2025Q2"),
        ("quarterly", dt.date(2026, 1, 5), "2025Q4"),
        ("monthly", dt.date(2025, 3, 31), "2025-02"),
        ("yearly", dt.date(2026, 2, 1), "2025"),
    ],
)
def test_the_period_is_the_last_whole_one(cadence: str, today: dt.date, code: str) -> None:
    assert period_before(cadence, today).code == code


def test_add_months_keeps_to_real_days() -> None:
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 28)


def test_a_due_schedule_is_run_mailed_and_moved_on(book: Cast) -> None:
    due = schedule(book)
    later = schedule(book, name="Not yet", next_run_on=dt.date(2025, 7, 2))
    outcomes = run_due(dt.date(2025, 7, 1))
    assert [o.schedule.pk for o in outcomes] == [due.pk]
    run = outcomes[0].run
    assert (run.status, run.period, run.requested_by, run.schedule) == (
        RunStatus.DONE,
        "2025Q2",
        book.mia,
        due,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana.whitfield@acme.example", "alice@example.org"]
    assert message.subject == "Acme Steel Works: Stewardship report for 2025Q2"
    assert sorted(a[0] for a in message.attachments) == [
        "stewardship-G100001-2025Q2.pptx",
        "stewardship-G100001-2025Q2.xlsx",
    ]
    due.refresh_from_db()
    assert (due.next_run_on, due.last_run) == (dt.date(2025, 10, 1), run)
    later.refresh_from_db()
    assert later.last_run is None
    assert AuditEvent.objects.filter(action="reports.schedule_sent", object_id=str(due.pk)).exists()
    assert run_due(dt.date(2025, 7, 1)) == []  # run once only


def test_a_failed_schedule_stays_due_and_the_command_says_so(book: Cast) -> None:
    # Alice may not read Bayside: the run fails, nothing is mailed, the schedule stays due.
    bad = schedule(book, account=book.bayside, owner=book.alice)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 scheduled report"):
        call_command("report", "run-due", "--today", "2025-07-01", "--format", "json", stdout=out)
    result = json.loads(out.getvalue())
    assert result[0]["status"] == "failed"
    assert result[0]["error"] == "The requester may no longer read this report."
    assert mail.outbox == []
    bad.refresh_from_db()
    assert bad.next_run_on == dt.date(2025, 7, 1)


def test_nothing_due(cast: Cast) -> None:
    out = io.StringIO()
    call_command("report", "run-due", "--today", "2025-07-01", stdout=out)
    assert out.getvalue().strip() == "No schedule is due."


def test_managers_add_and_remove_schedules(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    response = client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Board pack",
            "kind": "portfolio",
            "cadence": "quarterly",
            "formats": ["pdf"],
            "recipients": "board@example.org, not-an-address",
            "next_run_on": "2026-01-05",
        },
    )
    assert response.status_code == 422
    assert not ReportSchedule.objects.exists()
    response = client.post(
        reverse("reports:schedule_create"),
        {
            "name": "Board pack",
            "kind": "portfolio",
            "cadence": "quarterly",
            "formats": ["pdf"],
            "recipients": "board@example.org\ncfo@example.org",
            "next_run_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    created = ReportSchedule.objects.get()
    assert (created.owner, created.account, created.recipient_list()) == (
        cast.mia,
        None,
        ["board@example.org", "cfo@example.org"],
    )
    client.post(reverse("reports:schedule_delete", args=[created.pk]))
    assert not ReportSchedule.objects.exists()
    assert list(
        AuditEvent.objects.filter(object_type="reports.reportschedule")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["reports.schedule_create", "reports.schedule_delete"]
