"""The report's tables as rows, and as CSV or XLSX files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _categories(r: dict[str, Any]) -> Table:
    rows = [
        (
            c["service_category_1"],
            c["service_category_2"],
            c["service_category_3"],
            c["amount"],
            c["pmpm"],
            c["prior_pmpm"],
            c["change_pct"],
        )
        for c in r["paid_pmpm"]["by_service_category"]
    ]
    rows.append(
        (
            "pharmacy",
            "pharmacy",
            "pharmacy",
            r["pharmacy"]["paid"],
            r["paid_pmpm"]["pharmacy"],
            r["paid_pmpm"]["prior_pharmacy"],
            None,
        )
    )
    return Table(
        "categories",
        "Paid PMPM by service category",
        ("category 1", "category 2", "category 3", "paid", "PMPM", "prior PMPM", "change %"),
        rows,
    )


def _utilization(r: dict[str, Any]) -> Table:
    return Table(
        "utilization",
        "Use per 1,000 and unit cost",
        (
            "measure",
            "events",
            "per 1,000",
            "prior per 1,000",
            "paid",
            "paid per event",
            "prior paid per event",
        ),
        [
            (
                u["label"],
                u["events"],
                u["per_1000"],
                u["prior_per_1000"],
                u["paid"],
                u["paid_per_event"],
                u["prior_paid_per_event"],
            )
            for u in r["utilization"]
        ],
    )


def _trend(r: dict[str, Any]) -> Table:
    t = r["trend"]["paid"]
    rows = (
        []
        if t is None
        else [
            (
                c["label"],
                c["pmpm_prior"],
                c["pmpm_current"],
                c["change"],
                c["utilization"],
                c["mix"],
                c["unit_cost"],
            )
            for c in t["categories"]
        ]
    )
    if t is not None:
        rows.append(
            (
                "total",
                t["pmpm_prior"],
                t["pmpm_current"],
                t["change"],
                t["utilization"],
                t["mix"],
                t["unit_cost"],
            )
        )
    return Table(
        "trend",
        "Paid PMPM change: utilization, mix and unit cost",
        ("category", "prior PMPM", "PMPM", "change", "utilization", "mix", "unit cost"),
        rows,
    )


def _benchmarks(r: dict[str, Any]) -> Table:
    rows = []
    for b in r.get("benchmarks", []):
        norm = b["norms"][0] if b["norms"] else None
        rows.append(
            (
                b["label"],
                b["value"],
                b["book"],
                b["gap_to_book_pct"],
                b["gap_to_book_dollars"],
                norm["value"] if norm else None,
                norm["gap_pct"] if norm else None,
                norm["source"] if norm else "",
            )
        )
    return Table(
        "benchmarks",
        "Benchmarks",
        (
            "metric",
            "account",
            "book",
            "gap to book %",
            "gap to book $ a year",
            "norm",
            "gap to norm %",
            "norm source",
        ),
        rows,
    )


def _claimants(r: dict[str, Any]) -> Table:
    return Table(
        "claimants",
        "High-cost claimants (de-identified)",
        ("member", "medical paid", "pharmacy paid", "paid", "allowed", "member months"),
        [
            (
                m["pseudonym"],
                m["medical_paid"],
                m["pharmacy_paid"],
                m["paid"],
                m["allowed"],
                m["member_months"],
            )
            for m in r["high_cost_claimants"]["members"]
        ],
    )


def _diagnoses(r: dict[str, Any]) -> Table:
    return Table(
        "diagnoses",
        "Top diagnosis groups by paid",
        ("ICD-10-CM category", "description", "chapter", "paid", "members", "share %"),
        [
            (
                d["category"],
                d["description"],
                d["chapter"],
                d["paid"],
                d["members"],
                d["share_of_medical_paid"],
            )
            for d in r["conditions"]["top_diagnosis_groups"]
        ],
    )


def _chronic(r: dict[str, Any]) -> Table:
    return Table(
        "chronic",
        "Chronic conditions",
        ("condition", "ICD-10-CM", "members", "per 1,000", "prior per 1,000"),
        [
            (
                c["label"],
                c["codes"],
                c["members"],
                c["prevalence_per_1000"],
                c["prior_prevalence_per_1000"],
            )
            for c in r["conditions"]["chronic"]
        ],
    )


def _monthly(r: dict[str, Any]) -> Table:
    return Table(
        "monthly",
        "Monthly PMPM",
        ("month", "member months", "medical paid", "pharmacy paid", "paid PMPM", "allowed PMPM"),
        [
            (
                m["month"],
                m["member_months"],
                m["medical_paid"],
                m["pharmacy_paid"],
                m["paid_pmpm"],
                m["allowed_pmpm"],
            )
            for m in r["monthly"]
        ],
    )


def _findings(r: dict[str, Any]) -> Table:
    return Table(
        "findings",
        "Findings",
        ("severity", "finding", "detail", "suggested action"),
        [(f["severity"], f["title"], f["detail"], f["action"]) for f in r.get("findings", [])],
    )


REPORT_TABLES: dict[str, Callable[[dict[str, Any]], Table]] = {
    "categories": _categories,
    "utilization": _utilization,
    "trend": _trend,
    "benchmarks": _benchmarks,
    "claimants": _claimants,
    "diagnoses": _diagnoses,
    "chronic": _chronic,
    "monthly": _monthly,
    "findings": _findings,
}


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def render(table: Table, fmt: str) -> tuple[bytes, str]:
    """The table as a file: (content, content type)."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(table.headers)
        writer.writerows(["" if v is None else v for v in row] for row in table.rows)
        return out.getvalue().encode(), "text/csv; charset=utf-8"
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active or book.create_sheet()
        sheet.title = table.name[:31]
        sheet.append(list(table.headers))
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    raise ValueError(f"unknown format {fmt!r}")
