"""The demo end to end: the window of its book, and what a team's nightly jobs would have done
after the book was loaded."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from django.contrib.auth.models import User

from clientdesk.demo.financials import load_financials
from clientdesk.demo.implementations import seed_implementations
from clientdesk.demo.surveys import seed_surveys
from clientdesk.guarantees.runs import run_book
from clientdesk.inquiries.importing import import_from_lake
from clientdesk.inquiries.runs import run_sla
from clientdesk.insights.runs import detect_and_store
from clientdesk.synth.generator import generate_book
from clientdesk.synth.params import SynthParams

DEMO_SEED = 2026
DEMO_RUNOUT_MONTHS = 12
"""Months of claims payments after the window in the demo book's run-out twin: by 12 months
a month's claims are all but paid (docs/financials.md), so the twin holds the true IBNR of
the demo's last day."""


def runout_twin(book: Path) -> Path:
    """Where the run-out twin of the book in `book` is written: beside it, `<name>-runout`."""
    return book.with_name(f"{book.name}-runout")


def write_runout_twin(
    params: SynthParams, book: Path, data_end: dt.date, say: Callable[[str], object]
) -> Path:
    """The demo book again with `DEMO_RUNOUT_MONTHS` months of payments after its window: the
    same seed and draws, so the claims it pays by `data_end` are the demo's (their claim ids
    may differ, and the claims in process on `data_end` carry their own billed charges); what
    it pays later is the truth `clientdesk financials ibnr-backtest` measures the IBNR
    against. Only the twin's files are written: the lake holds the demo book as it arrived."""
    twin = runout_twin(book)
    clock = time.perf_counter()
    generate_book(replace(params, runout_months=DEMO_RUNOUT_MONTHS), twin, progress=False)
    say(
        f"IBNR truth: the demo book with {DEMO_RUNOUT_MONTHS} months of run-out in {twin} "
        f"({time.perf_counter() - clock:.0f} s); measure the estimate with `clientdesk "
        f"financials ibnr-backtest --truth {twin} --as-of {data_end.isoformat()}`"
    )
    return twin


def demo_start(today: dt.date, months: int) -> dt.date:
    """The first month of a window of `months` full months ending last month."""
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def last_day_of_data(start: dt.date, months: int) -> dt.date:
    """The last day a book of `months` months from `start` (a first of month) covers."""
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


def run_demo_analyses(
    *, acting_user: User, data_end: dt.date, today: dt.date, say: Callable[[str], object]
) -> None:
    """What a team's nightly jobs would have done after the book was loaded (`load_book` has
    built the derived tables): the inquiries of the lake's `inquiry_import` feed in the work
    queues with their SLA clocks, every guarantee evaluated and forecast, and emerging issues
    detected over the book's whole history. Each step is idempotent, so running this again changes
    nothing."""
    clock = time.perf_counter()
    imported = import_from_lake(acting_user=acting_user)
    sla = run_sla(now=None)
    say(f"inquiries: {imported.message} SLA: {sla.at_risk} at risk, {sla.breached} breached")
    stored, forecasts = run_book(acting_user=acting_user, today=today, as_of=data_end)
    say(
        f"guarantees: {stored.created} results stored, {stored.new_misses} misses; "
        f"{forecasts.stored} forecasts, {forecasts.alerts_opened} risk alerts opened"
    )
    # The whole history, as nightly runs since the book began would have found it: the
    # account's service record and the health score's 12 months of issues need the past year.
    found = detect_and_store(data_end, whole_history=True, acting_user=acting_user)
    say(f"emerging issues: {found['issues']} from {found['alerts']} alerts since {found['since']}")
    say(seed_implementations(acting_user=acting_user, today=today, data_end=data_end))
    load_financials(acting_user=acting_user, data_end=data_end, say=say)
    say(seed_surveys(acting_user=acting_user, today=today))
    say(f"analyses done in {time.perf_counter() - clock:.0f} s")
