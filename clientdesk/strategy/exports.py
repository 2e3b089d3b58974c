"""The portfolio health table as CSV or XLSX."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from clientdesk.lib.exports import SafeCsvWriter, append_row
from clientdesk.strategy.queries import PortfolioRow


def portfolio_table(
    rows: Sequence[PortfolioRow], keys: Sequence[str], labels: dict[str, str]
) -> tuple[list[str], list[list[Any]]]:
    columns = [
        "account",
        "group_number",
        "segment",
        "funding",
        "renewal",
        "score",
        "band",
        "override_band",
        "trend",
        *[f"{labels.get(k, k)} (score)" for k in keys],
    ]
    out = []
    for r in rows:
        snap = r.snapshot
        measures = snap.measures if snap is not None else {}
        out.append(
            [
                r.account.name,
                r.account.group_number,
                r.account.segment,
                r.account.funding,
                r.renewal.isoformat(),
                snap.score if snap else None,
                snap.band if snap else "",
                r.override.band if r.override else "",
                r.trend,
                *[measures[k]["score"] if k in measures else None for k in keys],
            ]
        )
    return columns, out


def to_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode()


def to_xlsx(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    book = Workbook()
    ws = book.active or book.create_sheet()
    ws.title = "Portfolio health"
    append_row(ws, columns)
    for row in rows:
        append_row(ws, row)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
