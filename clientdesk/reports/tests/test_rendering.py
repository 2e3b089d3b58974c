"""The renderers on a large book: every row in the workbook, the deck stays readable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from clientdesk.reports.deck import MAX_SLIDES_PER_TABLE, ROWS_PER_SLIDE, render_deck
from clientdesk.reports.documents import (
    Column,
    Figure,
    ReportDocument,
    Section,
    Table,
    cell_text,
    file_stem,
    small_cell,
)
from clientdesk.reports.pdf import render_pdf
from clientdesk.reports.stewardship import from_export
from clientdesk.reports.tests.files import deck_slides, pdf_text, sheet_rows, workbook
from clientdesk.reports.workbook import render_workbook
from clientdesk.utilization import exports

ACCOUNTS = 300


def large_document() -> ReportDocument:
    rows: list[list[object]] = [
        [f"Account {n:03d}", f"G{n:06d}", 1000 + n, Decimal("500.25") + n, Decimal(n) / 10]
        for n in range(ACCOUNTS)
    ]
    table = Table(
        "All accounts",
        "Every account",
        "a test table",
        [
            Column("Account"),
            Column("Group"),
            Column("Member months", "int"),
            Column("Paid PMPM", "money"),
            Column("Change %", "pct"),
        ],
        rows,  # type: ignore[arg-type]
    )
    return ReportDocument(
        kind="portfolio",
        title="Portfolio report",
        subtitle="Q2 2025 · 600 accounts",
        period_code="2025Q2",
        period_label="Q2 2025",
        data_period="Apr 1 – Jun 30, 2025",
        paid_through=dt.date(2025, 9, 30),
        generated_at=timezone.now(),
        generated_by="mia",
        sections=[Section("utilization", "Utilization", ["One point."], [table])],
    )


def test_every_row_is_in_the_workbook_and_the_deck_points_to_it() -> None:
    doc = large_document()
    rows = sheet_rows(workbook(render_workbook(doc)), "All accounts")
    assert len(rows) == ACCOUNTS
    assert rows[-1] == ["Account 299", "G000299", 1299, 799.25, 29.9]
    slides = deck_slides(render_deck(doc, {}))
    table_slides = [s for s in slides if s["title"].startswith("Every account")]
    assert len(table_slides) == MAX_SLIDES_PER_TABLE
    assert all(len(s["tables"][0]) == ROWS_PER_SLIDE + 1 for s in table_slides)
    shown = MAX_SLIDES_PER_TABLE * ROWS_PER_SLIDE
    assert f"{ACCOUNTS - shown} more rows are in the workbook" in table_slides[-1]["notes"]


def test_the_pdf_prints_every_row() -> None:
    text = pdf_text(render_pdf(large_document(), {}))
    assert "Account 000" in text and "Account 299" in text
    assert "$799.25" in text
    assert "Claims paid through Sep 30, 2025" in text


def test_cells_and_names() -> None:
    assert [small_cell(n) for n in (0, 1, 10, 11, None)] == [0, "<11", "<11", 11, None]
    assert cell_text(Decimal("2691.25"), "money") == "$2,691.25"
    assert cell_text(Decimal("12.50"), "decimal") == "12.5"
    assert cell_text(Decimal("-3.25"), "pct") == "\u22123.3\u202f%"  # half away from zero
    assert cell_text(Decimal("12.3"), "change_pct") == "+12.3\u202f%"
    assert cell_text(Decimal("-9.8"), "pp") == "\u22129.8\u202fpp"
    assert cell_text(Decimal("-54.62"), "money") == "\u2212$54.62"
    assert cell_text(Decimal("1672.40"), "money0") == "$1,672"
    assert cell_text(None, "money") == "—"
    assert cell_text(dt.date(2025, 4, 1), "date") == "Apr 1, 2025"
    assert cell_text(dt.date(2025, 4, 1), "month") == "Apr 2025"  # a month, not its first day
    doc = large_document()
    assert file_stem(doc, None) == "portfolio-2025Q2"
    doc.period_code = "2025-04..2025-09"
    assert file_stem(doc, "G100001") == "portfolio-G100001-2025-04_to_2025-09"


def test_a_table_with_a_unit_a_row_writes_each_figure_in_its_own() -> None:
    """The headline figures (member months, PMPMs, rates per 1,000) share a column: the
    column's "decimal" dropped trailing zeros, so the stewardship PDF read a prior pharmacy
    PMPM of 125.8 beside 134.33. Each figure now carries its row's kind, in the PDF, the deck
    and the workbook."""
    assert cell_text(Figure(Decimal("125.8"), "hundredths"), "decimal") == "125.80"
    assert cell_text(Figure(Decimal("52"), "tenths"), "decimal") == "52.0"
    assert cell_text(Figure(9515, "int"), "decimal") == "9,515"
    assert cell_text(Figure(None, "hundredths"), "decimal") == "—"
    table = Table(
        "Headlines",
        "Headline figures",
        "a test table",
        [Column("Figure"), Column("Current", "decimal"), Column("Prior", "decimal")],
        [
            ["Member months", Figure(9692, "int"), Figure(9515, "int")],
            [
                "Pharmacy paid PMPM ($)",
                Figure(Decimal("134.33"), "hundredths"),
                Figure(Decimal("125.8"), "hundredths"),
            ],
        ],
    )
    doc = large_document()
    doc.sections = [Section("summary", "Summary", [], [table])]
    assert "Pharmacy paid PMPM ($) 134.33 125.80" in pdf_text(render_pdf(doc, {}))
    slide = next(s for s in deck_slides(render_deck(doc, {})) if s["title"] == "Headline figures")
    assert ["Pharmacy paid PMPM ($)", "134.33", "125.80"] in slide["tables"][0]
    book = workbook(render_workbook(doc))
    assert sheet_rows(book, "Headlines") == [
        ["Member months", 9692, 9515],
        ["Pharmacy paid PMPM ($)", 134.33, 125.8],
    ]
    assert book["Headlines"]["C6"].number_format == '#,##0.00;"\u2212"#,##0.00'
    assert book["Headlines"]["B5"].number_format == '#,##0;"\u2212"#,##0'


def test_an_exported_table_with_a_unit_a_row_writes_each_row_in_its_unit() -> None:
    """The stewardship benchmarks read "Paid per admit $ 28,477.55 35,669.4" and "Acute admits
    per 1,000 53.2 57": dollars are written to the cent, the other units to a tenth."""
    exported = exports.Table(
        "benchmarks",
        "Benchmarks",
        ("metric", "unit", "account", "book"),
        [
            ("Paid per admit", "$", Decimal("28477.55"), Decimal("35669.4")),
            ("Acute admits per 1,000", "per 1,000", Decimal("53.2"), Decimal("57")),
            ("Generic dispensing rate", "%", Decimal("89.7"), None),
        ],
        ("text", "text", "decimal", "decimal"),
    )
    table = from_export(exported, "Benchmarks", "a test table")
    written = [
        [cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    assert written == [
        ["Paid per admit", "$", "28,477.55", "35,669.40"],
        ["Acute admits per 1,000", "per 1,000", "53.2", "57.0"],
        ["Generic dispensing rate", "%", "89.7", "—"],
    ]
