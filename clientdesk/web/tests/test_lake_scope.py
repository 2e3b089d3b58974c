"""No person's request opens an unscoped lake.

Every lake the gateway opens is recorded (reader, kind, accounts) while an associate walks the
pages that read the lake: her account's utilization page (with the book benchmark), the claim
lines behind a category, her account's problem with inquiries linked (their claims' dollars
recounted), and a stewardship report she creates. Each open must be hers and scoped to her
accounts, or an aggregate read (cells of 11 members or more); the gateway's own twins inside
those (the source of an aggregate read, a derived-table build) never reach her code with rows.
A manager's link on a book-level problem is an aggregate read too, so its stored dollars are
suppressed under 11 members (hand-computed below).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.inquiries.actions import do_create_inquiry
from clientdesk.insights.actions import do_open_problem, do_record_detection
from clientdesk.insights.tests.cast import START, acme_problem, issue_record
from clientdesk.lake import gateway
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import processing_row, write_csv
from clientdesk.reports.models import ReportRun, RunStatus
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import clear_caches
from clientdesk.utilization.tests.fixture import load_fixture

pytestmark = pytest.mark.django_db
Q = {"period": "2025Q2", "threshold": "10000"}


@dataclass(frozen=True)
class Opened:
    reader: object
    kind: str
    account_ids: tuple[int, ...] | None
    purpose: str


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Opened]:
    """Every Lake the gateway makes, in order."""
    record: list[Opened] = []
    original = gateway.Lake.__init__

    def spy(self: gateway.Lake, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        record.append(Opened(self.reader, self.kind, self.scope.account_ids, self.purpose))

    monkeypatch.setattr(gateway.Lake, "__init__", spy)
    return record


@pytest.fixture
def book(cast: Cast, tmp_path: Path, settings: Any) -> Cast:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    clear_caches()
    load_fixture(tmp_path)
    return cast


def _inquiry(c: Cast, account: Any, member: str, claims: list[str]) -> Any:
    return do_create_inquiry(
        account,
        {
            "requester_type": "member",
            "member_reference": member,
            "channel": "phone",
            "category": "claims",
            "subcategory": "denial_prior_auth",
            "priority": "normal",
            "subject": "Claim denied",
            "claim_ids": claims,
            "owner": c.alice if account == c.acme else c.oscar,
        },
        acting_user=c.mia,
    )


def test_an_associates_requests_never_open_an_unscoped_lake(
    book: Cast,
    client: Client,
    opened: list[Opened],
    django_capture_on_commit_callbacks: Any,
) -> None:
    problem = acme_problem(book)
    inquiry = _inquiry(book, book.acme, "M0001", ["C1"])
    opened.clear()
    client.force_login(book.alice)  # an associate: Acme only

    page = client.get(reverse("utilization:account", args=[book.acme.pk]), Q)
    assert page.status_code == 200
    lines = client.get(reverse("utilization:lines", args=[book.acme.pk, "ed"]), Q)
    assert lines.status_code == 200
    linked = client.post(
        reverse("insights:problem_link_inquiries", args=[problem.pk]),
        {"references": inquiry.reference},
    )
    assert linked.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            reverse("reports:account", args=[book.acme.pk]),
            {"period": "2025Q2", "formats": ["xlsx"]},
        )
    assert created.status_code in (200, 302)
    run = ReportRun.objects.get()
    assert (run.requested_by, run.status) == (book.alice, RunStatus.DONE)

    hers = [o for o in opened if o.kind == gateway.READ]
    aggregates = [o for o in opened if o.kind == gateway.AGGREGATE]
    internal = [o for o in opened if o.kind in (gateway.AGGREGATE_SOURCE, gateway.BUILD)]
    assert len(hers) + len(aggregates) + len(internal) == len(opened)
    # Every lake handed to the pages' code is hers and holds Acme's rows at most.
    assert hers and all(o.reader == book.alice for o in hers)
    assert all(o.account_ids is not None for o in hers)
    assert {a for o in hers for a in o.account_ids or ()} == {book.acme.pk}
    # The book benchmark (of the page, then of the report: another as-of date) is an
    # aggregate read in her name.
    assert len(aggregates) == 2
    assert all(
        (o.reader, o.purpose) == (book.alice, "utilization book benchmark") for o in aggregates
    )
    # Inside it, the gateway's twin over every account and derived builds, nothing else.
    assert all(
        (o.kind == gateway.BUILD and o.reader == gateway.DERIVED_BUILD)
        or (o.kind == gateway.AGGREGATE_SOURCE and o.reader == book.alice)
        for o in internal
    )
    # No system actor read anything on her request.
    assert not [o for o in hers + aggregates if isinstance(o.reader, gateway.SystemActor)]


def test_book_level_problem_dollars_are_an_aggregate_read(
    cast: Cast, client: Client, tmp_path: Path, opened: list[Opened]
) -> None:
    # Claims K0-K10 of 11 members (N0-N10) billed 100.00 each; K11 of a twelfth member.
    rows = [
        processing_row(
            claim_id=f"K{i}", original_claim_id=f"K{i}", member_id=f"N{i}", charge_amount="100.00"
        )
        for i in range(12)
    ]
    ingest_files("claim_processing", [write_csv(tmp_path / "p.csv", rows)], acting_user=None)
    issue = do_record_detection(
        [issue_record(None)], as_of=START, since=START, stats={}, acting_user=None
    ).created[0]
    problem = do_open_problem(issue, acting_user=cast.mia)
    assert problem.account_id is None
    ten = [_inquiry(cast, cast.acme, f"N{i:04d}", [f"K{i}"]) for i in range(10)]
    eleventh = _inquiry(cast, cast.bayside, "N0010", ["K10"])
    client.force_login(cast.mia)
    url = reverse("insights:problem_link_inquiries", args=[problem.pk])
    opened.clear()
    client.post(url, {"references": " ".join(i.reference for i in ten)})
    problem.refresh_from_db()
    # 10 claims of 10 members: 1,000.00 billed, a cell under 11 members: suppressed.
    assert (problem.linked_claims, problem.linked_dollars) == (10, None)
    page = client.get(reverse("insights:problem_detail", args=[problem.pk])).content.decode()
    assert "billed dollars suppressed (fewer than 11 members behind those claims)" in page
    client.post(url, {"references": eleventh.reference})
    problem.refresh_from_db()
    # 11 claims of 11 members: 1,100.00, shown exactly.
    assert (problem.linked_claims, problem.linked_dollars) == (11, Decimal("1100.00"))
    assert {
        (o.reader, o.kind, o.purpose) for o in opened if o.kind != gateway.AGGREGATE_SOURCE
    } == {(cast.mia, gateway.AGGREGATE, "book-level problem links")}
