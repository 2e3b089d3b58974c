"""`clientdesk demo` on a small book: the account book, the team, the lake and every analysis
a user finds on the pages, all from one command; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from clientdesk.accounts.models import Account, Assignment
from clientdesk.audit.models import AuditEvent
from clientdesk.demo.runs import last_day_of_data
from clientdesk.demo.team import DEMO_USERS
from clientdesk.guarantees.models import GuaranteeForecast, GuaranteeResult
from clientdesk.inquiries.models import Inquiry
from clientdesk.insights.models import EmergingIssue
from clientdesk.lake.gateway import SystemActor, open_lake

SMALL = ["--no-serve", "--accounts", "3", "--members", "450", "--months", "6"]


def test_last_day_of_data() -> None:
    assert last_day_of_data(dt.date(2026, 5, 1), 6) == dt.date(2026, 10, 31)
    assert last_day_of_data(dt.date(2025, 11, 1), 2) == dt.date(2025, 12, 31)
    assert last_day_of_data(dt.date(2024, 1, 1), 2) == dt.date(2024, 2, 29)


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC), tick=False)
def test_demo_loads_the_book_and_runs_every_analysis() -> None:
    out = io.StringIO()
    call_command("demo", *SMALL, stdout=out)
    printed = out.getvalue()

    # The book's three accounts and the new account the installation demo adds.
    assert Account.objects.count() == 4
    # A lead and a backup per account, and a login per demo user.
    assert Assignment.objects.count() == 8
    assert all(u.username in printed for u in DEMO_USERS)
    with open_lake(SystemActor("tests")) as lake:
        feed = int(lake.execute(lake.inquiry_import.count()))
    assert feed > 0
    assert Inquiry.objects.count() == feed  # every inquiry of the feed is in the queues
    assert GuaranteeResult.objects.exists()
    assert GuaranteeForecast.objects.exists()
    assert "emerging issues:" in printed
    counts = (
        Inquiry.objects.count(),
        GuaranteeResult.objects.count(),
        GuaranteeForecast.objects.count(),
        EmergingIssue.objects.count(),
    )
    audit_rows = AuditEvent.objects.count()

    call_command("demo", *SMALL, stdout=io.StringIO())  # the book is there: nothing is added
    assert (
        Inquiry.objects.count(),
        GuaranteeResult.objects.count(),
        GuaranteeForecast.objects.count(),
        EmergingIssue.objects.count(),
    ) == counts
    new = AuditEvent.objects.order_by("id")[audit_rows:]
    assert AuditEvent.objects.count() == audit_rows, sorted({e.action for e in new})
