"""The one writer of spreadsheet files (CSV and XLSX) the product hands out.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets when the file is opened (`=HYPERLINK(…)`, `=cmd|…`):
an account name, a guarantee label or an escalation title typed by anyone would then act in the
reader's spreadsheet, and scheduled reports mail these files outside the team. Every text cell
written here is neutralised by a leading apostrophe (OWASP "CSV injection"); numbers, dates
and booleans stay what they are, so a negative amount is still a number.

Every export, report workbook and rejects file goes through these functions (a test feeds the
payloads through each of them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """The value to write: a text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def sql_safe_text(expression: str) -> str:
    """The same rule as a SQL expression (DuckDB, PostgreSQL, SQLite): for files a database
    writes itself (the lake's rejects, written by DuckDB's COPY)."""
    starts = ", ".join(f"'{c}'" for c in ("=", "+", "-", "@")) + ", chr(9), chr(13)"
    text = f"CAST({expression} AS VARCHAR)"
    return f"CASE WHEN left({text}, 1) IN ({starts}) THEN '''' || {text} ELSE {text} END"


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCsvWriter:
    """`csv.writer` that neutralises every text cell it writes.

    A row with a line break in a text is written with every cell quoted: `csv` quotes only the
    characters of its own line terminator, so with `lineterminator="\n"` a bare carriage return
    would end the row in a spreadsheet and start the next one with the rest of the text (a
    `"\r=1+1"` would be a live cell again)."""

    def __init__(self, handle: _Writable, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)
        self._quoted = csv.writer(handle, **{**options, "quoting": csv.QUOTE_ALL})

    def writerow(self, row: Iterable[Any]) -> Any:
        cells = safe_row(row)
        breaks = any(isinstance(c, str) and ("\r" in c or "\n" in c) for c in cells)
        return (self._quoted if breaks else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The file line by line, for a streaming response."""
    writer = SafeCsvWriter(_Echo())
    yield writer.writerow(headers)
    for row in rows:
        yield writer.writerow(row)


def csv_bytes(headers: Sequence[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    return "".join(csv_lines(headers, rows)).encode()


def xlsx_value(value: Any) -> Any:
    """A cell value openpyxl writes as itself: Decimal as float, aware times as local naive."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return safe_cell(value)


def set_cell(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """`sheet.cell(row, column, value)` with the value neutralised (for styled workbooks)."""
    return sheet.cell(row, column, safe_cell(value))


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """`sheet.append(values)` with every text cell neutralised (any openpyxl worksheet)."""
    sheet.append([xlsx_value(v) for v in values])


def xlsx_bytes(
    sheets: Sequence[tuple[str, Sequence[Any], Iterable[Iterable[Any]]]],
    *,
    freeze_header: bool = False,
) -> bytes:
    """A workbook of (sheet name, headers, rows) sheets, written in write-only mode."""
    book = Workbook(write_only=not freeze_header)
    if freeze_header and book.active is not None:
        book.remove(book.active)
    for name, headers, rows in sheets:
        sheet = book.create_sheet(name[:31])
        if freeze_header:
            sheet.freeze_panes = "A2"
        append_row(sheet, headers)
        for row in rows:
            append_row(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
