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

from django.conf import settings
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.lake.gateway import Lake, Reader, open_aggregates, open_lake, scope_of
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.rejects import rejected_claim_lines
from clientdesk.lib.periods import Period
from clientdesk.utilization.benchmarks import comparisons
from clientdesk.utilization.book_benchmark import (
    BookBenchmark,
    benchmark_aggregates,
    benchmark_of,
)
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
    rejected_claims_warning,
)

TABLES = ("eligibility", "medical_claim", "pharmacy_claim", "claim_processing")
BOOK_CACHE_SIZE = 16
ACCOUNT_CACHE_SIZE = 256  # one account's report is small; a manager's book is ~100 accounts


def drug_rows() -> list[tuple[str, bool, bool]]:
    return list(DrugProduct.objects.values_list("ndc_code", "generic", "specialty"))


def lake_fingerprint() -> str:
    """Changes whenever a batch of the claims tables commits or is replaced, or the drug
    reference changes: cached book figures are valid for one fingerprint. A batch is its id,
    file checksum and commit time, and the lake its folder, so a batch id used again (after a
    restore, or a rolled-back test) or another data dir never reads a stale entry."""
    batches = IngestBatch.objects.filter(table__in=TABLES, status=BatchStatus.COMMITTED, test=False)
    rows = batches.order_by("pk").values_list("pk", "checksum", "finished_at")
    ids = ",".join(f"{pk}:{checksum}:{finished}" for pk, checksum, finished in rows)
    drugs = DrugProduct.objects.order_by("-loaded_at").values_list("loaded_at", flat=True)
    latest = drugs.first()
    text = (
        f"{settings.DATA_DIR}|{ids}|{DrugProduct.objects.count()}|"
        f"{latest.isoformat() if latest else ''}"
    )
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


def metric_frames(
    reader: Reader, request: Request, *, accounts: list[Account] | None = None
) -> MetricFrames:
    """The metric set over the reader's accounts (narrowed to `accounts` when given)."""
    with open_lake(reader, accounts=accounts, engine=request.engine) as lake:
        return _frames(lake, request)


def _frames(lake: Lake, request: Request) -> MetricFrames:
    return compute_metric_frames(
        lake,
        request.current,
        prior=request.prior,
        as_of=request.as_of_date(),
        drugs=drug_rows(),
        high_cost_threshold=request.high_cost_threshold,
        materialize=request.materialize,
    )


def _book(frames: MetricFrames, request: Request) -> UtilizationReport:
    return build_report(
        frames,
        account_id=None,
        current=request.current,
        prior=request.prior,
        high_cost_threshold=request.high_cost_threshold,
    )


_book_lock = threading.Lock()
_book_cache: OrderedDict[tuple[Any, ...], UtilizationReport] = OrderedDict()


def report_key(request: Request) -> tuple[Any, ...]:
    """What an account's report is made of besides the account: the lake's state (its
    fingerprint first) and the request. A cache of anything drawn from the report adds the
    account and whatever else it shows."""
    return _key(request)


def _key(request: Request, fingerprint: str | None = None) -> tuple[Any, ...]:
    return (
        fingerprint or lake_fingerprint(),
        request.current,
        request.prior,
        request.high_cost_threshold,
        request.engine,
        request.as_of_date(),
        request.materialize,
    )


_benchmark_cache: OrderedDict[tuple[Any, ...], BookBenchmark] = OrderedDict()


def book_benchmark(
    reader: Reader, request: Request, *, fingerprint: str | None = None
) -> BookBenchmark:
    """What an account is compared with: the whole book's figures as an aggregate read on
    the reader's behalf (cells of at least 11 members; smaller ones suppressed, see
    `book_benchmark.py`), never the book's rows. The same for every reader, so it is
    cached per lake state (`fingerprint`, when the caller has just read it); only suppressed
    cells are kept."""
    key = _key(request, fingerprint)
    with _book_lock:
        if key in _benchmark_cache:
            _benchmark_cache.move_to_end(key)
            return _benchmark_cache[key]
    with open_aggregates(
        reader, purpose="utilization book benchmark", engine=request.engine
    ) as lake:
        cells = lake.aggregate_with(
            lambda book: benchmark_aggregates(_book(_frames(book, request), request))
        )
    benchmark = BookBenchmark(cells)
    with _book_lock:
        _benchmark_cache[key] = benchmark
        while len(_benchmark_cache) > BOOK_CACHE_SIZE:
            _benchmark_cache.popitem(last=False)
    return benchmark


def book_report(
    reader: Reader, request: Request, frames: MetricFrames | None = None
) -> UtilizationReport:
    """The report of the reader's book (every account they may see; every account for a
    system job) for the period, cached per lake state and scope. `frames`, when given, are
    the reader's metric set already read."""
    key = (
        scope_of(reader).account_ids,
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
        frames = metric_frames(reader, request)
    report = _book(frames, request)
    with _book_lock:
        _book_cache[key] = report
        while len(_book_cache) > BOOK_CACHE_SIZE:
            _book_cache.popitem(last=False)
    return report


def with_benchmarks(
    report: UtilizationReport, book: BookBenchmark, account: Account
) -> AccountReport:
    """The account report plus its comparisons to the book and the norms, and findings."""
    compared = comparisons(
        metric_values(report),
        book.values(),
        dollar_gaps(report, book),
        months=report.period.months,
    )
    fields = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    rejected = rejected_claims_warning(
        rejected_claim_lines(
            account.pk, account.group_number, report.period.start, report.period.end
        ),
        report.period,
    )
    if rejected is not None:
        fields["warnings"] = (*report.warnings, rejected)
    return AccountReport(
        **fields,
        account=AccountRef(account.pk, account.name, account.group_number),
        benchmarks=compared,
        findings=findings(report, book, compared),
    )


def account_report(
    reader: Reader,
    account: Account,
    request: Request,
    *,
    frames: MetricFrames | None = None,
    book: BookBenchmark | None = None,
    fingerprint: str | None = None,
) -> AccountReport:
    """One account's full report: figures, benchmarks against the book and norms, findings.
    The account's rows are read in the reader's scope; the book it is compared with is an
    aggregate read (`book_benchmark`) unless given. `frames` may hold more accounts (the
    reader's whole scope, as the book page reads it). `fingerprint`: the lake's, when the
    caller has just read it (`report_key`)."""
    # The lake's state is read once for both caches (three queries each time).
    if fingerprint is None and (frames is None or book is None):
        fingerprint = lake_fingerprint()
    if frames is None:
        report = _account_figures(reader, account, request, fingerprint)
    else:
        report = _account_report(frames, account.pk, request)
    benchmark = (
        book if book is not None else book_benchmark(reader, request, fingerprint=fingerprint)
    )
    return with_benchmarks(report, benchmark, account)


def _account_report(frames: MetricFrames, account_id: int, request: Request) -> UtilizationReport:
    return build_report(
        frames,
        account_id=account_id,
        current=request.current,
        prior=request.prior,
        high_cost_threshold=request.high_cost_threshold,
    )


_account_cache: OrderedDict[tuple[Any, ...], UtilizationReport] = OrderedDict()


def _account_figures(
    reader: Reader, account: Account, request: Request, fingerprint: str | None = None
) -> UtilizationReport:
    """One account's figures, read in the reader's scope narrowed to the account and cached
    per lake state like the book's: the associates, their manager and the reports that open
    the same account and period between two loads read the lake once. The key holds the
    scope the reader gets, so a reader who may not see the account never shares an entry
    with one who may."""
    key = (scope_of(reader, [account]).account_ids, account.pk, *_key(request, fingerprint))
    with _book_lock:
        if key in _account_cache:
            _account_cache.move_to_end(key)
            return _account_cache[key]
    frames = metric_frames(reader, request, accounts=[account])
    report = _account_report(frames, account.pk, request)
    with _book_lock:
        _account_cache[key] = report
        while len(_account_cache) > ACCOUNT_CACHE_SIZE:
            _account_cache.popitem(last=False)
    return report


_table_cache: OrderedDict[tuple[Any, ...], BookOverview] = OrderedDict()


def book_overview(reader: Reader, request: Request) -> BookOverview:
    """Every account the reader may see with its headline figures and findings, and their
    book's report, for one period: one run of the metric set in the reader's scope; cached
    per lake state and scope like `book_report`. Each account is compared with the cells of
    that book (`benchmark_of`: suppressed under 11 members like the aggregate read)."""
    key = (
        scope_of(reader).account_ids,
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
    frames = metric_frames(reader, request)
    book = book_report(reader, request, frames)
    benchmark = benchmark_of(book)
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=frames.account_ids())}
    rows = []
    for account_id in frames.account_ids():
        account = accounts.get(account_id)
        if account is None:
            continue
        rows.append(
            AccountOverview.of(
                account_report(reader, account, request, frames=frames, book=benchmark)
            )
        )
    overview = BookOverview(book=book, accounts=tuple(rows))
    with _book_lock:
        _table_cache[key] = overview
        while len(_table_cache) > BOOK_CACHE_SIZE:
            _table_cache.popitem(last=False)
    return overview


def clear_caches() -> None:
    with _book_lock:
        _book_cache.clear()
        _benchmark_cache.clear()
        _table_cache.clear()
        _account_cache.clear()
