"""What the team reads from the lake: the calls its people answered (``call_record``).

An Ibis table -> table function, as the lake's marts are, run through the gateway in the
reader's scope (``queries.answered_calls``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis.expr.types as ir


def mart_agent_calls(
    calls: ir.Table, agent_ids: Sequence[str], start: dt.datetime, end: dt.datetime
) -> ir.Table:
    """The answered calls of the given agents offered from ``start`` to before ``end`` (aware
    datetimes). Grain: one row per call (``call_id``). Columns: agent_id, call_id,
    offered_at, wait_seconds and handle_seconds (0 when the feed left them empty)."""
    answered = calls.filter(
        [
            calls.agent_id.isin(list(agent_ids)),
            calls.answered.fill_null(False),
            calls.offered_at >= start,
            calls.offered_at < end,
        ]
    )
    return answered.select(
        "agent_id",
        "call_id",
        "offered_at",
        wait_seconds=answered.wait_seconds.fill_null(0),
        handle_seconds=answered.handle_seconds.fill_null(0),
    )
