"""The month calendar the marts join to: every month of the window, labelled by period."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from clientdesk.lib.periods import Period, month_end, month_start

CURRENT = "current"
PRIOR = "prior"


def month_calendar(current: Period, prior: Period | None = None) -> ir.Table:
    """Grain: one row per month of `prior` (if given) and `current`, unique on month_start.

    Columns: month_start, month_end (dates), period ("current" or "prior")."""
    rows: list[tuple[object, object, str]] = []
    if prior is not None:
        if prior.last_month >= current.first_month:
            raise ValueError("the prior period must end before the current period starts")
        rows += [
            (month_start(i), month_end(i), PRIOR)
            for i in range(prior.first_month, prior.last_month + 1)
        ]
    rows += [
        (month_start(i), month_end(i), CURRENT)
        for i in range(current.first_month, current.last_month + 1)
    ]
    frame = pd.DataFrame(rows, columns=["month_start", "month_end", "period"])
    return ibis.memtable(
        frame, schema=ibis.schema({"month_start": "date", "month_end": "date", "period": "string"})
    )
