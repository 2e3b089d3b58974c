"""The book an account is compared with is an aggregate read: cells of at least 11 members.

The fixture book (fixture.py) has 4 members in 2025Q2 (Acme's P1, P2, P3, Bayside's P9),
11 member months and 21,560.00 paid (Acme 21,530 + Bayside 30). Members added with no claims
grow the book without changing what it paid."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.lake import gateway
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import eligibility_row, write_csv
from clientdesk.lib.small_cells import Cell
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import Request, account_report, book_benchmark, clear_caches
from clientdesk.utilization.tests.fixture import AS_OF, CURRENT, PRIOR

pytestmark = pytest.mark.django_db
D = Decimal


def _add_members(folder: Path, n: int) -> None:
    """n Bayside members enrolled Apr-Jun 2025 (3 member months each), no claims."""
    rows = [
        eligibility_row(
            person_id=f"X{i}",
            member_id=f"X{i}",
            subscriber_id=f"X{i}",
            group_id="G100002",
            group_name="Bayside",
            state="CA",
            zip_code="94607",
            enrollment_start_date="2025-04-01",
            enrollment_end_date="2025-06-30",
        )
        for i in range(n)
    ]
    ingest_files("eligibility", [write_csv(folder / f"more-{n}.csv", rows)], acting_user=None)
    clear_caches()


def _request() -> Request:
    return Request(CURRENT, PRIOR, high_cost_threshold=D("10000"), as_of=AS_OF)


def test_a_book_of_10_members_is_suppressed(book: Cast, tmp_path: Path) -> None:
    _add_members(tmp_path, 6)  # 4 + 6 = 10 members
    benchmark = book_benchmark(book.alice, _request())
    assert benchmark.cells["paid_pmpm"] == Cell(None, None, True)
    assert benchmark.value("paid_pmpm") is None
    assert "paid_pmpm" in benchmark.suppressed and "allowed_pmpm" in benchmark.suppressed
    report = account_report(book.alice, book.acme, _request())
    row = next(b for b in report.benchmarks if b.metric == "paid_pmpm")
    assert (row.value, row.book, row.gap_to_book_pct) == (D("2691.25"), None, None)


def test_a_book_of_11_members_is_shown_exactly(book: Cast, tmp_path: Path, client: Client) -> None:
    _add_members(tmp_path, 7)  # 4 + 7 = 11 members
    opened: list[tuple[str, str]] = []
    original = gateway.Lake.__init__

    def spy(self: gateway.Lake, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.append((self.kind, self.purpose))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(gateway.Lake, "__init__", spy)
        benchmark = book_benchmark(book.alice, _request())
    assert opened[0] == (gateway.AGGREGATE, "utilization book benchmark")
    # 21,560.00 paid over 11 + 7 x 3 = 32 member months = 673.75, over 11 members.
    assert benchmark.cells["paid_pmpm"] == Cell(D("673.75"), 11, False)
    # A measure with fewer than 11 events is suppressed however large the book: the book
    # has 1 ED visit (P1's, test_metrics) in Q2, so its ED rate and cost per visit are
    # withheld.
    assert benchmark.cells["ed_visits_per_1000"] == Cell(None, None, True)
    assert benchmark.cells["paid_per_ed_visits"] == Cell(None, None, True)
    report = account_report(book.alice, book.acme, _request())
    row = next(b for b in report.benchmarks if b.metric == "paid_pmpm")
    assert (row.value, row.book) == (D("2691.25"), D("673.75"))
    assert row.gap_to_book_pct == D("299.4")  # 2,017.50 / 673.75
    assert row.gap_to_book_dollars == D("64560")  # 2,017.50 x 8 member months x 12/3
    ed = next(b for b in report.benchmarks if b.metric == "ed_visits_per_1000")
    assert ed.book is None
    # On the page: the book's paid PMPM, and gaps between two percentages (the top 1 % share,
    # a population figure shown for 11 members) in points, never a percent of a difference.
    client.force_login(book.alice)
    html = client.get(
        reverse("utilization:account", args=[book.acme.pk]),
        {"period": "2025Q2", "threshold": "10000"},
    ).content.decode()
    assert '<td class="num">2691.25</td><td class="num">673.75</td>' in html
    assert "\u202fpp<" in html
