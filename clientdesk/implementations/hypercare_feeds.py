"""The lake side of hypercare: a new account's denials and calls since go-live, and the rest
of the book's counts over a window of the same length (the new-account prior).

The account's own rows are read in the reader's scope narrowed to the account (`open_lake`);
the book's are an aggregate read on the reader's behalf (`open_aggregates`), so only counts
come back, each with the distinct members behind it, and a count over 1 to 10 members is
withheld (lib.small_cells). A call record names no member: a call reason's book count is
taken as over as many people as calls, so a reason with fewer than 11 calls in the book is
withheld too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from clientdesk.lake.gateway import Lake, Reader, open_aggregates, open_lake
from clientdesk.lib.small_cells import Aggregate

DENIALS = "denials"
CALLS = "calls"
UNCODED = "(no reason coded)"
CLAIMS_CELL = "claims|finalized"


@dataclass(frozen=True)
class Window:
    """Days first..last (account-local) as dates for claims and UTC instants for calls."""

    first: dt.date
    last: dt.date
    start: dt.datetime  # aware, the first day's local midnight
    end: dt.datetime  # aware, the local midnight after the last day


@dataclass(frozen=True)
class FeedCounts:
    """Counts per reason of each feed (``DENIALS``, ``CALLS``)."""

    counts: dict[str, dict[str, int]]
    withheld: dict[str, frozenset[str]]
    claims: int | None = None  # the book's claims finalized (None: withheld, a small cell)


def _finalized(lake: Lake, window: Window) -> ir.Table:
    """Claims finalized (paid or denied) in the window: the denials' exposure."""
    t = lake.claim_processing
    return t.filter(
        [
            t.status.isin(["paid", "denied"]),
            t.finalized_date >= window.first,
            t.finalized_date <= window.last,
        ]
    )


def _denials(lake: Lake, window: Window) -> ir.Table:
    f = _finalized(lake, window)
    d = f.filter(f.status == "denied")
    return d.mutate(reason=d.carc.fill_null(UNCODED), who=d.member_id)


def _calls(lake: Lake, window: Window) -> ir.Table:
    t = lake.call_record
    start = ibis.literal(window.start.astimezone(dt.UTC))
    end = ibis.literal(window.end.astimezone(dt.UTC))
    c = t.filter([t.offered_at >= start, t.offered_at < end])
    return c.mutate(reason=c.reason.fill_null(UNCODED), who=c.call_id)


@dataclass(frozen=True)
class AccountCounts:
    """The account's counts per reason of each feed, and its claims finalized."""

    counts: dict[str, dict[str, int]]
    claims: int


def account_feed_counts(reader: Reader, account_id: int, window: Window) -> AccountCounts:
    """The account's denials by adjustment reason, calls by reason and claims finalized in
    the window."""
    out: dict[str, dict[str, int]] = {}
    with open_lake(reader, accounts=[account_id]) as lake:
        for feed, rows in ((DENIALS, _denials(lake, window)), (CALLS, _calls(lake, window))):
            frame = lake.execute(rows.group_by("reason").aggregate(n=rows.count()))
            out[feed] = {str(r.reason): int(r.n) for r in frame.itertuples(index=False)}
        claims = lake.execute(_finalized(lake, window).count())
    return AccountCounts(out, int(claims))


def book_feed_counts(
    reader: Reader, account_id: int, window: Window, reasons: Mapping[str, set[str]]
) -> FeedCounts:
    """The rest of the book's count of each reason asked for (the account's reasons), as
    suppressed cells: a withheld cell is reported in ``withheld`` and counted as none."""

    def compute(lake: Lake) -> dict[str, Aggregate]:
        cells: dict[str, Aggregate] = {}
        for feed, rows in ((DENIALS, _denials(lake, window)), (CALLS, _calls(lake, window))):
            wanted = sorted(reasons.get(feed, set()))
            if not wanted:
                continue
            rest = rows.filter([rows.account_id != account_id, rows.reason.isin(wanted)])
            frame = lake.execute(
                rest.group_by("reason").aggregate(n=rest.count(), members=rest.who.nunique())
            )
            for r in frame.itertuples(index=False):
                cells[f"{feed}|{r.reason}"] = Aggregate(int(r.n), int(r.members))
        if reasons.get(DENIALS):
            done = _finalized(lake, window)
            done = done.filter(done.account_id != account_id)
            frame = lake.execute(done.aggregate(n=done.count(), members=done.member_id.nunique()))
            cells[CLAIMS_CELL] = Aggregate(int(frame["n"].iloc[0]), int(frame["members"].iloc[0]))
        return cells

    with open_aggregates(reader, purpose="implementation hypercare: the book's prior") as agg:
        found = agg.aggregate_with(compute)
    counts: dict[str, dict[str, int]] = {DENIALS: {}, CALLS: {}}
    withheld: dict[str, set[str]] = {DENIALS: set(), CALLS: set()}
    claims_cell = found.pop(CLAIMS_CELL, None)
    claims = None if claims_cell is None or claims_cell.suppressed else int(claims_cell.value or 0)
    for key, cell in found.items():
        feed, reason = key.split("|", 1)
        if cell.suppressed:
            withheld[feed].add(reason)
        else:
            counts[feed][reason] = int(cell.value or 0)
    return FeedCounts(counts, {feed: frozenset(names) for feed, names in withheld.items()}, claims)
