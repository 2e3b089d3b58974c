"""CSV and XLSX files of results, the portfolio and the records behind a result."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.queries import PortfolioRow
from clientdesk.lib import exports as safe_files

RESULT_COLUMNS = [
    "account",
    "contract",
    "guarantee_id",
    "metric",
    "label",
    "level",
    "kind",
    "period",
    "period_start",
    "period_end",
    "contract_year",
    "status",
    "source",
    "comparator",
    "target",
    "actual",
    "numerator",
    "denominator",
    "n",
    "ci_low",
    "ci_high",
    "within_noise",
    "met",
    "settles",
    "amount_at_risk",
    "penalty_pct",
    "penalty",
    "owed",
    "report_due",
    "reconciliation_due",
    "payment_due",
    "inputs_hash",
]
PORTFOLIO_COLUMNS = [
    "account",
    "group_number",
    "guarantees",
    "expected_penalty",
    "worst_p_miss",
    "owed",
    "at_risk",
    "missed_last_12_months",
    "open_alerts",
]


def result_rows(results: Iterable[GuaranteeResult]) -> list[dict[str, Any]]:
    rows = []
    for r in results:
        g = r.guarantee
        rows.append(
            {
                "account": g.contract.account.group_number,
                "contract": g.contract.number,
                "guarantee_id": g.pk,
                "metric": g.metric,
                "label": g.display_name,
                "level": g.level,
                "kind": r.kind,
                "period": r.period_label,
                "period_start": r.period_start,
                "period_end": r.period_end,
                "contract_year": r.contract_year,
                "status": r.status,
                "source": r.source,
                "comparator": g.comparator,
                "target": g.target,
                "actual": r.actual,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "n": r.sample_size,
                "ci_low": r.ci_low,
                "ci_high": r.ci_high,
                "within_noise": r.within_noise,
                "met": r.met,
                "settles": r.settles,
                "amount_at_risk": r.amount_at_risk,
                "penalty_pct": r.penalty_pct,
                "penalty": r.penalty,
                "owed": r.owed,
                "report_due": r.report_due,
                "reconciliation_due": r.reconciliation_due,
                "payment_due": r.payment_due,
                "inputs_hash": r.inputs_hash,
            }
        )
    return rows


def portfolio_rows(rows: Iterable[PortfolioRow]) -> list[dict[str, Any]]:
    return [
        {
            "account": r.account.name,
            "group_number": r.account.group_number,
            "guarantees": r.guarantees,
            "expected_penalty": r.expected_penalty,
            "worst_p_miss": r.worst_p_miss,
            "owed": r.owed,
            "at_risk": r.at_risk,
            "missed_last_12_months": r.missed,
            "open_alerts": r.alerts,
        }
        for r in rows
    ]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> bytes:
    return safe_files.csv_bytes(columns, ([_cell(row.get(c)) for c in columns] for row in rows))


def to_xlsx(columns: Sequence[str], rows: Iterable[dict[str, Any]], *, sheet: str) -> bytes:
    book = Workbook()
    ws = book.active
    if ws is None:  # a new workbook always has one sheet
        ws = book.create_sheet()
    ws.title = sheet[:31]
    safe_files.append_row(ws, columns)
    for row in rows:
        values = []
        for c in columns:
            v = row.get(c)
            values.append(float(v) if v is not None and type(v).__name__ == "Decimal" else v)
        safe_files.append_row(ws, [_cell(v) if not isinstance(v, float) else v for v in values])
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
