"""The utilization report says when loads rejected the account's claim lines for the period
(how many, what they paid) instead of quietly computing on the rest; no `None%` in the text."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.models import IngestBatch
from clientdesk.lake.rejects import RejectedClaims, rejected_claim_lines
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db


def dated(claim_id: str, day: str, paid: str, **extra: str) -> dict[str, str]:
    dates = ("claim_start_date", "claim_end_date", "claim_line_start_date", "claim_line_end_date")
    values = {**dict.fromkeys(dates, day), "paid_date": day}
    values.update(paid_amount=paid, allowed_amount=paid, charge_amount=paid, copayment_amount="0")
    return medical_row(claim_id=claim_id, **{**values, **extra})


def test_the_report_says_what_loads_rejected_for_the_period(
    book: Cast, tmp_path: Path, client: Client
) -> None:
    rows = [
        dated("R1", "2025-04-10", "10.00"),  # loads
        dated("R1", "2025-05-02", "40.50"),  # the same key again: rejected, May
        dated("R3", "2025-02-30", "99.00", claim_line_start_date="soon"),  # no readable date
        dated("R4", "2025-06-15", "5.00"),  # loads
        dated("R4", "2025-06-16", "25.25"),  # rejected, June
        dated("R5", "2025-01-20", "3.00"),  # loads
        dated("R5", "2025-01-21", "7.00"),  # rejected, January: another period
        dated("R6", "2025-05-05", "11.00", group_id="G999999"),  # another sponsor's
    ]
    path = write_csv(tmp_path / "rejected-claims.csv", rows, list(rows[0]))
    [result] = ingest_files("medical_claim", [path], acting_user=book.mia)
    assert (result.rows_loaded, result.rows_rejected) == (3, 5)
    batch = IngestBatch.objects.get(pk=result.batch_id)
    acme = book.acme.pk
    assert batch.rejected_claims == [
        {"account_id": acme, "group_id": "G100001", "month": "2025-01", "rows": 1, "paid": "7.00"},
        {"account_id": acme, "group_id": "G100001", "month": "2025-05", "rows": 1, "paid": "40.50"},
        {"account_id": acme, "group_id": "G100001", "month": "2025-06", "rows": 1, "paid": "25.25"},
        {"account_id": acme, "group_id": "G100001", "month": None, "rows": 1, "paid": "99.00"},
        {"account_id": None, "group_id": "G999999", "month": "2025-05", "rows": 1, "paid": "11.00"},
    ]
    q2 = rejected_claim_lines(acme, "g100001", dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    # May 40.50 + June 25.25; the unreadable one counted apart; G999999's is not Acme's
    assert q2 == RejectedClaims(2, Decimal("65.75"), 1, ("rejected-claims.csv",))

    out, err = io.StringIO(), io.StringIO()
    call_command(
        "utilization", "--account", "G100001", "--from", "2025-04", "--to", "2025-06",
        stdout=out, stderr=err,
    )  # fmt: skip
    assert (
        "warning: 2 claim lines dated in Q2 2025 ($65.75 paid) were rejected at load and are "
        "not in these figures; 1 more rejected line of this sponsor has no readable service "
        "date and may belong to it." in err.getvalue()
    )
    assert "None" not in out.getvalue()
    # the account's utilization page, with the remedy for the team
    client.force_login(book.alice)
    page = client.get(
        reverse("utilization:account", args=[acme]), {"period": "2025Q2", "threshold": "10000"}
    ).content.decode()
    assert "Rejected claims" in page
    assert "2 claim lines dated in Q2 2025 ($65.75 paid) were rejected at load" in page
    assert "data loads of rejected-claims.csv: correct the rows" in page
