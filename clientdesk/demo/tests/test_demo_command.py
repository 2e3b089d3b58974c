"""`clientdesk demo` on a small book: the account book, the team, the lake and every analysis
a user finds on the pages, all from one command; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from clientdesk.accounts.models import Account, Assignment
from clientdesk.audit.models import AuditEvent
from clientdesk.demo.runs import last_day_of_data, runout_twin
from clientdesk.demo.team import DEMO_USERS
from clientdesk.guarantees.models import GuaranteeForecast, GuaranteeResult
from clientdesk.inquiries.models import Inquiry
from clientdesk.insights.models import EmergingIssue
from clientdesk.lake.gateway import SystemActor, open_lake

SMALL = ["--no-serve", "--accounts", "3", "--members", "450", "--months", "6"]


def paid_by(book: Path, day: dt.date) -> float:
    """What a generated book's original claims (not their reversals, ids ending R, or
    replacements, A) and pharmacy fills pay by `day`."""
    total = 0.0
    for name in ("medical_claim", "pharmacy_claim"):
        table = ds.dataset(book / name, format="parquet").to_table(
            columns=["claim_id", "paid_date", "paid_amount"]
        )
        paid = pc.less_equal(pc.cast(table["paid_date"], "date32"), day)
        original = pc.invert(pc.match_substring_regex(table["claim_id"], "[RA]$"))
        total += float(pc.sum(pc.filter(table["paid_amount"], pc.and_(paid, original))).as_py())
    return total


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

    # The IBNR truth beside the book: its run-out twin pays, by the demo's last day, exactly
    # the demo book's original claims (same draws; the adjustment chains are drawn per claim
    # paid in the extract, so those differ), and 12 months more after it; the backtest runs
    # on it at that day, and on the demo book itself points to it.
    book = Path(settings.DATA_DIR) / "demo-book"
    twin = runout_twin(book)
    data_end = last_day_of_data(dt.date(2026, 5, 1), 6)
    assert data_end == dt.date(2026, 10, 31)
    assert paid_by(twin, data_end) == pytest.approx(paid_by(book, data_end), abs=0.005)
    assert paid_by(twin, dt.date(2027, 10, 31)) > paid_by(book, data_end)
    backtest = io.StringIO()
    call_command(
        "financials", "ibnr-backtest", "--truth", str(twin), "--as-of", "2026-10-31",
        "--format", "json", stdout=backtest,
    )  # fmt: skip
    result = json.loads(backtest.getvalue())
    window = json.loads((twin / "ground_truth.json").read_text())["window"]
    assert (window["end"], window["extract_date"]) == ("2026-10-31", "2027-10-31")
    assert result["runout_months_after_as_of"] > 6 and result["true_ibnr"] > 0
    assert f"ibnr-backtest --truth {twin} --as-of 2026-10-31" in printed
    with pytest.raises(CommandError, match=f"its run-out twin is {twin}"):
        call_command("financials", "ibnr-backtest", "--truth", str(book), "--as-of", "2026-10-31")

    call_command("demo", *SMALL, stdout=io.StringIO())  # the book is there: nothing is added
    assert (
        Inquiry.objects.count(),
        GuaranteeResult.objects.count(),
        GuaranteeForecast.objects.count(),
        EmergingIssue.objects.count(),
    ) == counts
    new = AuditEvent.objects.order_by("id")[audit_rows:]
    assert AuditEvent.objects.count() == audit_rows, sorted({e.action for e in new})
