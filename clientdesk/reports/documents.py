"""A report as data: sections of bullets, tables and charts, gathered once, rendered three ways.

Every table names its `source`: the function (and its arguments) the numbers came from, so a
reader of the workbook or the deck's notes can trace each figure to one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

SMALL_CELL = 11  # counts of people below this are suppressed in reports that leave the team
SUPPRESSED = "<11"

Cell = str | int | float | Decimal | dt.date | None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | int | money | money0 | pct | decimal | date
    in_deck: bool = True  # long reference text (sources, notes) stays in the workbook and PDF


@dataclass
class Table:
    key: str  # the sheet name (≤ 31 characters, unique in a report)
    title: str
    source: str  # the function or query behind the numbers
    columns: list[Column]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    spec: dict[str, Any]  # Vega-Lite, the same spec the web page renders


@dataclass
class Section:
    key: str
    title: str
    bullets: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class ReportDocument:
    kind: str  # stewardship | portfolio
    title: str
    subtitle: str
    period_code: str
    period_label: str
    data_period: str  # "Apr 1, 2025 - Jun 30, 2025 (compared with ...)"
    paid_through: dt.date | None
    generated_at: dt.datetime
    generated_by: str
    warnings: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def small_cell(count: int | None) -> int | str | None:
    """A count of people, or "<11" when it is 1 to 10 (zero is not identifying)."""
    if count is None or count == 0 or count >= SMALL_CELL:
        return count
    return SUPPRESSED


def file_stem(document: ReportDocument, account_ref: str | None) -> str:
    parts = [document.kind, *([account_ref] if account_ref else []), document.period_code]
    return "-".join(parts).replace("..", "_to_")


def cell_text(value: Cell, kind: str) -> str:
    """A cell as the deck and the PDF print it (the workbook keeps numbers as numbers)."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return f"{value:%b %-d, %Y}"
    if kind == "money":
        return f"${value:,.2f}"
    if kind == "money0":
        return f"${value:,.0f}"
    if kind == "pct":
        return f"{value:,.1f}%"
    if kind == "int":
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
