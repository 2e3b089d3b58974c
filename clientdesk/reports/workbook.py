"""The workbook (XLSX, openpyxl): an "About" sheet, then every table of the report on its own
sheet with a title, its source, bold headers, number formats and frozen panes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from clientdesk.lib import exports as safe_files
from clientdesk.reports.documents import Cell, Figure, ReportDocument, Table

# Cells keep their numbers; these formats show them as lib/formatting.py writes them (a real
# minus sign, a narrow no-break space before % and pp, dates as "Mar 5, 2026").
NUMBER_FORMATS = {
    "int": '#,##0;"\u2212"#,##0',
    "money": '"$"#,##0.00;"\u2212$"#,##0.00',
    "money0": '"$"#,##0;"\u2212$"#,##0',
    "pct": '0.0"\u202f%";"\u2212"0.0"\u202f%"',
    "change_pct": '"+"0.0"\u202f%";"\u2212"0.0"\u202f%";0.0"\u202f%"',
    "pp": '"+"0.0"\u202fpp";"\u2212"0.0"\u202fpp";0.0"\u202fpp"',
    "decimal": '#,##0.00;"\u2212"#,##0.00',
    "hundredths": '#,##0.00;"\u2212"#,##0.00',
    "tenths": '#,##0.0;"\u2212"#,##0.0',
    "date": "mmm d, yyyy",
    "month": "mmm yyyy",
}
HEADER_ROW = 4
HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
BOLD = Font(bold=True)


def _value(value: Cell) -> str | int | float | dt.date | None:
    if isinstance(value, Figure):
        return _value(value.value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_name(key: str, used: set[str]) -> str:
    name = "".join(ch for ch in key if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        suffix = f" {n}"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def _table_sheet(ws: Worksheet, table: Table) -> None:
    safe_files.set_cell(ws, 1, 1, table.title)
    ws["A1"].font = Font(bold=True, size=13)
    if table.note:
        safe_files.set_cell(ws, 2, 1, table.note)
        ws["A2"].font = Font(italic=True, color="555F6B")
    widths = [len(c.label) for c in table.columns]
    for j, column in enumerate(table.columns, start=1):
        cell = safe_files.set_cell(ws, HEADER_ROW, j, column.label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for j, column in enumerate(table.columns, start=1):
            value = _value(row[j - 1])
            cell = safe_files.set_cell(ws, i, j, value)
            given = row[j - 1]
            kind = given.kind if isinstance(given, Figure) else column.kind
            if kind in NUMBER_FORMATS and not isinstance(value, str):
                cell.number_format = NUMBER_FORMATS[kind]
            widths[j - 1] = max(widths[j - 1], min(60, len(str(value)) if value else 0))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(10, width + 2)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    if table.rows:
        last = get_column_letter(len(table.columns))
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(table.rows)}"


def render_workbook(document: ReportDocument) -> bytes:
    wb = Workbook()
    about = wb.active
    if about is None:  # a new workbook always has one sheet
        raise ValueError("openpyxl made a workbook without a sheet")
    about.title = "About"
    lines: list[tuple[str, str]] = [
        ("Report", document.title),
        ("", document.subtitle),
        ("Data period", document.data_period),
        (
            "Claims paid through",
            document.paid_through.isoformat() if document.paid_through else "—",
        ),
        ("Generated", f"{document.generated_at:%Y-%m-%d %H:%M} UTC by {document.generated_by}"),
        ("Small cells", "Counts of fewer than 11 people are shown as <11."),
    ]
    lines += [("Warning", w) for w in document.warnings]
    for i, (label, text) in enumerate(lines, start=1):
        about.cell(i, 1, label).font = BOLD
        safe_files.set_cell(about, i, 2, text)
    start = len(lines) + 2
    about.cell(start, 1, "Sheet").font = BOLD
    about.cell(start, 2, "Table").font = BOLD
    about.cell(start, 3, "Where the figures come from").font = BOLD
    used = {"About"}
    for n, table in enumerate(document.tables(), start=start + 1):
        name = _sheet_name(table.key, used)
        _table_sheet(wb.create_sheet(name), table)
        safe_files.set_cell(about, n, 1, name)
        safe_files.set_cell(about, n, 2, table.title)
        safe_files.set_cell(about, n, 3, table.source)
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 60
    about.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
