"""A report as data: sections of bullets, tables and charts, gathered once, rendered three ways.

Every table names its `source` in words (the data the figures come from), for the workbook's
About sheet and the deck's speaker notes; nothing the sponsor reads names a module or a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from clientdesk.lib import formatting
from clientdesk.lib.small_cells import MIN_CELL_MEMBERS, SUPPRESSED_TEXT, shown_count

# How the deck and the PDF write a cell of each column kind (lib/formatting.py's rules): money
# in cents or whole dollars, percentages, relative changes with their sign, differences of two
# percentages in percentage points.
FORMATTERS: dict[str, Callable[[object], str]] = {
    "money": formatting.money,
    "money0": lambda value: formatting.money(value, 0),
    "pct": formatting.percent,
    "change_pct": formatting.signed_percent,
    "pp": formatting.points,
    "int": formatting.count,
    "month": formatting.month,  # type: ignore[dict-item]
    "hundredths": lambda value: formatting.number(value, 2),  # a PMPM under "($)", a mean score
    "tenths": formatting.number,  # a rate per 1,000, a share under a "(%)" label
}

# Counts of people below this are suppressed in reports that leave the team: the one rule,
# shared with the lake's aggregate reads, is in lib/small_cells.py.
SMALL_CELL = MIN_CELL_MEMBERS
SUPPRESSED = SUPPRESSED_TEXT


@dataclass(frozen=True)
class Figure:
    """A cell that carries its own kind, for a table of figures with a unit a row (member
    months, a PMPM to the cent, a rate per 1,000 to a tenth): a column's kind is one for all
    its rows, and "decimal" drops trailing zeros ($125.80 printed as 125.8)."""

    value: int | float | Decimal | None
    kind: str


Cell = str | int | float | Decimal | dt.date | Figure | None


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | int | money | money0 | pct | change_pct | pp | tenths |
    # hundredths | decimal (as many places as it has, up to 2) | date | month
    in_deck: bool = True  # long reference text (sources, notes) stays in the workbook and PDF


@dataclass
class Table:
    key: str  # the sheet name (≤ 31 characters, unique in a report)
    title: str
    source: str  # in words: the data behind the numbers (About sheet, speaker notes)
    columns: list[Column]
    rows: list[list[Cell]]
    note: str = ""
    brief: bool = False  # also in the short executive deck


@dataclass
class Chart:
    key: str
    title: str
    spec: dict[str, Any]  # Vega-Lite, the same spec the web page renders
    brief: bool = False  # also in the short executive deck


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
    return shown_count(count)


def file_stem(document: ReportDocument, account_ref: str | None) -> str:
    parts = [document.kind, *([account_ref] if account_ref else []), document.period_code]
    return "-".join(parts).replace("..", "_to_")


def cell_text(value: Cell, kind: str) -> str:
    """A cell as the deck and the PDF print it (the workbook keeps numbers as numbers)."""
    if isinstance(value, Figure):
        return cell_text(value.value, value.kind)
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date) and kind != "month":
        return formatting.date(value)
    if kind in FORMATTERS:
        return FORMATTERS[kind](value)
    if isinstance(value, int):
        return formatting.count(value)
    return formatting.number(value, 2).rstrip("0").rstrip(".")
