"""One account's figures are read once per lake state: the second reader of the same account
and period reads no lake, a reader who may not see the account shares nothing, and a load
changes what is read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from clientdesk.lake import gateway
from clientdesk.lake.ingestion import ingest_files
from clientdesk.lake.tests.lakefiles import medical_row, write_csv
from clientdesk.testing import Cast
from clientdesk.utilization.analysis import Request, account_report
from clientdesk.utilization.report import AccountReport
from clientdesk.utilization.tests.fixture import AS_OF, CURRENT, PRIOR

pytestmark = pytest.mark.django_db
D = Decimal


def _request() -> Request:
    return Request(CURRENT, PRIOR, high_cost_threshold=D("10000"), as_of=AS_OF)


def _paid(report: AccountReport) -> Decimal:
    value = next(b.value for b in report.benchmarks if b.metric == "paid_pmpm")
    assert isinstance(value, Decimal)
    return value


def test_a_second_reader_of_the_account_reads_no_lake(
    book: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[int, ...] | None] = []
    real_open = gateway.Lake.__init__

    def counting(self: gateway.Lake, scope: gateway.Scope, *args: object, **kw: object) -> None:
        if scope.account_ids is not None:
            opened.append(scope.account_ids)
        real_open(self, scope, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(gateway.Lake, "__init__", counting)
    by_alice = account_report(book.alice, book.acme, _request())
    by_bob = account_report(book.bob, book.acme, _request())  # Acme's backup: the same scope
    assert opened == [(book.acme.pk,)]
    assert _paid(by_alice) == _paid(by_bob) == D("2691.25")  # 21,530.00 / 8 member months

    # Oscar may not see Acme: his scope is empty, so he gets nothing of Alice's read.
    by_oscar = account_report(book.oscar, book.acme, _request())
    assert opened == [(book.acme.pk,), ()]
    assert (by_oscar.member_months.total, by_alice.member_months.total) == (0, 8)


def test_a_load_changes_the_figures_read(book: Cast, tmp_path: Path) -> None:
    before = _paid(account_report(book.alice, book.acme, _request()))
    extra = medical_row(
        claim_id="CACHE1",
        person_id="P1",
        member_id="M1",
        paid_amount="800.00",
        allowed_amount="800.00",
        copayment_amount="",
        claim_start_date="2025-05-10",
        claim_end_date="2025-05-10",
        claim_line_start_date="2025-05-10",
        claim_line_end_date="2025-05-10",
        paid_date="2025-05-20",
    )
    ingest_files("medical_claim", [write_csv(tmp_path / "more.csv", [extra])], acting_user=None)
    after = _paid(account_report(book.alice, book.acme, _request()))
    assert after - before == D("100.00")  # 800.00 more over Acme's 8 member months
