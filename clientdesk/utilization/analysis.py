"""Running the analysis: the metric set through the gateway, rolled up into reports with
benchmarks and findings. Views, the API, the CLI and the bench all come through here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import Scope, open_lake
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lib.periods import Period
from clientdesk.utilization.benchmarks import comparisons
from clientdesk.utilization.findings import dollar_gaps, findings
from clientdesk.utilization.metrics import (
    DEFAULT_HIGH_COST_THRESHOLD,
    MetricFrames,
    compute_metric_frames,
)
from clientdesk.utilization.models import DrugProduct
from clientdesk.utilization.report import (
    AccountOverview,
    AccountRef,
    AccountReport,
    BookOverview,
    UtilizationReport,
    build_report,
    metric_values,
)

TABLES = ("eligibility", "medical_claim", "pharmacy_claim", "claim_processing")
BOOK_CACHE_SIZE = 16


def drug_rows() -> list[tuple[str, bool, bool]]:
    return list(DrugProduct.objects.values_list("ndc_code", "generic", "specialty"))


def lake_fingerprint() -> str:
    """Changes whenever a batch of the claims tables commits or is replaced, or the drug
    reference changes: cached book figures are valid for one fingerprint."""
    batches = IngestBatch.objects.filter(table__in=TABLES, status=BatchStatus.COMMITTED)
    ids = ",".join(str(i) for i in batches.order_by("pk").values_list("pk", flat=True))
    drugs = DrugProduct.objects.order_by("-loaded_at").values_list("loaded_at", flat=True)
    latest = drugs.first()
    text = f"{ids}|{DrugProduct.objects.count()}|{latest.isoformat() if latest else ''}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Request:
    current: Period
    prior: Period
    high_cost_threshold: Decimal = DEFAULT_HIGH_COST_THRESHOLD
    engine: str | None = None
    as_of: dt.date | None = None
    # False computes every layer from the input layer instead of the derived tables (the
    # reference path; bench/utilization.py --direct).
    materialize: bool = True

    def as_of_date(self) -> dt.date:
        return self.as_of or timezone.localdate()


def metric_frames(scope: Scope, request: Request) -> MetricFrames:
    with open_lake(scope, engine=request.engine) as lake:
        return compute_metric_frames(
            lake,
            request.current,
            prior=request.prior,
            as_of=request.as_of_date(),
            drugs=drug_rows(),
            high_cost_threshold=request.high_cost_threshold,
            materialize=request.materialize,
        )


_book_lock = threading.Lock()
_book_cache: OrderedDict[tuple[Any, ...], UtilizationReport] = OrderedDict()


def book_report(request: Request, frames: MetricFrames | None = None) -> UtilizationReport:
    """The whole book's report for the period (every account), cached per lake state."""
    key = (
        lake_fingerprint(),
        request.current,
        request.prior,
        request.high_cost_threshold,
        request.engine,
        request.as_of_date(),
        request.materialize,
    )
    with _book_lock:
        if key in _book_cache:
            _book_cache.move_to_end(key)
            return _book_cache[key]
    if frames is None:
        frames = metric_frames(Scope.all(), request)
    report = build_report(
        frames,
        account_id=None,
        current=request.current,
        prior=request.prior,
        high_cost_threshold=request.high_cost_threshold,
    )
    with _book_lock:
        _book_cache[key] = report
        while len(_book_cache) > BOOK_CACHE_SIZE:
            _book_cache.popitem(last=False)
    return report


def with_benchmarks(
    report: UtilizationReport, book: UtilizationReport, account: Account
) -> AccountReport:
    """The account report plus its comparisons to the book and the norms, and findings."""
    compared = comparisons(
        metric_values(report),
        metric_values(book),
        dollar_gaps(report, book),
        months=report.period.months,
    )
    return AccountReport(
        **{f.name: getattr(report, f.name) for f in dataclasses.fields(report)},
        account=AccountRef(account.pk, account.name, account.group_number),
        benchmarks=compared,
        findings=findings(report, book, compared),
    )


def account_report(
    account: Account,
    request: Request,
    *,
    frames: MetricFrames | None = None,
    book: UtilizationReport | None = None,
) -> AccountReport:
    """One account's full report: figures, benchmarks against the book and norms, findings.
    `frames` may hold more accounts (a Scope.all() run); `book` is computed when absent."""
    if frames is None:
        frames = metric_frames(Scope.account(account), request)
    report = build_report(
        frames,
        account_id=account.pk,
        current=request.current,
        prior=request.prior,
        high_cost_threshold=request.high_cost_threshold,
    )
    return with_benchmarks(report, book if book is not None else book_report(request), account)


_table_cache: OrderedDict[tuple[Any, ...], BookOverview] = OrderedDict()


def book_overview(request: Request) -> BookOverview:
    """Every account's headline figures and findings, and the book's, for one period.
    One Scope.all() run of the metric set; cached per lake state like `book_report`."""
    key = (
        lake_fingerprint(),
        request.current,
        request.prior,
        request.high_cost_threshold,
        request.engine,
        request.as_of_date(),
        request.materialize,
    )
    with _book_lock:
        if key in _table_cache:
            return _table_cache[key]
    frames = metric_frames(Scope.all(), request)
    book = book_report(request, frames)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=frames.account_ids())}
    rows = []
    for account_id in frames.account_ids():
        account = accounts.get(account_id)
        if account is None:
            continue
        rows.append(AccountOverview.of(account_report(account, request, frames=frames, book=book)))
    overview = BookOverview(book=book, accounts=tuple(rows))
    with _book_lock:
        _table_cache[key] = overview
        while len(_table_cache) > BOOK_CACHE_SIZE:
            _table_cache.popitem(last=False)
    return overview


def clear_caches() -> None:
    with _book_lock:
        _book_cache.clear()
        _table_cache.clear()
