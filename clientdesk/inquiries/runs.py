"""The SLA run that the clock and `clientdesk inquiries sla` call: every active inquiry (or
every inquiry) recomputed in chunks, each chunk in one transaction, breaches past the
reassignment threshold reassigned through the action (`do_reassign_after_breach`)."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone

from clientdesk.inquiries.actions import do_reassign_after_breach
from clientdesk.inquiries.models import ACTIVE_STATUSES, Inquiry
from clientdesk.inquiries.sla import SlaRunResult, recompute


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A chunk of a full recompute allocates hundreds of thousands of tuples and datetimes,
    and the cyclic garbage collector, set off by the allocations, walks every live object
    again and again (a quarter of the time of a full recompute). None of them is in a cycle,
    so the collector waits until the chunk is done."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_sla(
    *,
    now: dt.datetime | None = None,
    include_done: bool = False,
    chunk_size: int = 2000,
    escalate: bool = True,
    progress: Callable[[int], None] | None = None,
) -> SlaRunResult:
    """Recompute every active inquiry (with include_done: every inquiry) as of `now`;
    without `escalate`, nothing is reassigned."""
    started = time.perf_counter()
    moment = now or timezone.now()
    base = (
        Inquiry.objects.all()
        if include_done
        else Inquiry.objects.filter(status__in=ACTIVE_STATUSES)
    )
    reassign = do_reassign_after_breach if escalate else None
    total = SlaRunResult()
    loads: dict[int, int] = {}
    last = 0
    while True:
        ids = list(
            base.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size]
        )
        if not ids:
            break
        with _collector_paused():
            result = recompute(ids, now=moment, reassign=reassign, loads=loads, dense=include_done)
        total.add(result)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))
    total.seconds = round(time.perf_counter() - started, 3)
    return total
