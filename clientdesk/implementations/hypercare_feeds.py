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
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lib.small_cells import Aggregate
from clientdesk.lib.survey_answers import SATISFIED_CSAT

DENIALS = "denials"
CALLS = "calls"
UNCODED = "(no reason coded)"


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


def _denials(lake: Lake, window: Window) -> ir.Table:
    t = lake.claim_processing
    d = t.filter(
        [
            t.status == "denied",
            t.finalized_date >= window.first,
            t.finalized_date <= window.last,
        ]
    )
    return d.mutate(reason=d.carc.fill_null(UNCODED), who=d.member_id)


def _calls(lake: Lake, window: Window) -> ir.Table:
    t = lake.call_record
    start = ibis.literal(window.start.astimezone(dt.UTC))
    end = ibis.literal(window.end.astimezone(dt.UTC))
    c = t.filter([t.offered_at >= start, t.offered_at < end])
    return c.mutate(reason=c.reason.fill_null(UNCODED), who=c.call_id)


def account_feed_counts(
    reader: Reader, account_id: int, window: Window
) -> dict[str, dict[str, int]]:
    """The account's denials by adjustment reason and calls by reason in the window."""
    out: dict[str, dict[str, int]] = {}
    with open_lake(reader, accounts=[account_id]) as lake:
        for feed, rows in ((DENIALS, _denials(lake, window)), (CALLS, _calls(lake, window))):
            frame = lake.execute(rows.group_by("reason").aggregate(n=rows.count()))
            out[feed] = {str(r.reason): int(r.n) for r in frame.itertuples(index=False)}
    return out


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
        return cells

    with open_aggregates(reader, purpose="implementation hypercare: the book's prior") as agg:
        found = agg.aggregate_with(compute)
    counts: dict[str, dict[str, int]] = {DENIALS: {}, CALLS: {}}
    withheld: dict[str, set[str]] = {DENIALS: set(), CALLS: set()}
    for key, cell in found.items():
        feed, reason = key.split("|", 1)
        if cell.suppressed:
            withheld[feed].add(reason)
        else:
            counts[feed][reason] = int(cell.value or 0)
    return FeedCounts(counts, {feed: frozenset(names) for feed, names in withheld.items()})


def sponsor_satisfaction(reader: Reader, account_id: int, window: Window) -> tuple[int, int]:
    """The sponsor's survey answers with a CSAT in the window, and how many are satisfied
    (CSAT >= 4): the lake's feed and the answers collected in clientdesk, through the one
    table every reader of satisfaction uses (`lake.marts.survey_answers`)."""
    with open_lake(reader, accounts=[account_id]) as lake:
        t = survey_answers(lake, window.first, window.last)
        start = ibis.literal(window.start.astimezone(dt.UTC))
        end = ibis.literal(window.end.astimezone(dt.UTC))
        answered = t.filter(
            [
                t.survey == "sponsor",
                t.csat.notnull(),
                t.answered_at >= start,
                t.answered_at < end,
            ]
        )
        row = lake.execute(
            answered.aggregate(
                n=answered.count(), satisfied=(answered.csat >= SATISFIED_CSAT).sum()
            )
        )
    return int(row["n"].iloc[0]), int(row["satisfied"].fillna(0).iloc[0])
