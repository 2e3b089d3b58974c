"""The report's tables as rows, and as CSV or XLSX files."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from clientdesk.lib import exports as safe_files
from clientdesk.utilization.marts.service_categories import category_title
from clientdesk.utilization.report import AccountReport

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    # Each column's kind, as reports print it: text | int | money | money0 | pct (a value in
    # percent) | change_pct (a relative change) | tenths (to a tenth: a rate per 1,000) |
    # decimal (a unit a row: the row's `unit` says it) | date.
    kinds: tuple[str, ...]


def _categories(r: AccountReport) -> Table:
    rows = [
        (
            category_title(c.service_category_1),
            category_title(c.service_category_2),
            category_title(c.service_category_3),
            c.amount,
            c.pmpm,
            c.prior_pmpm,
            c.change_pct,
        )
        for c in r.paid_pmpm.by_service_category
    ]
    rows.append(
        (
            "pharmacy",
            "pharmacy",
            "pharmacy",
            r.pharmacy.paid,
            r.paid_pmpm.pharmacy,
            r.paid_pmpm.prior_pharmacy,
            None,
        )
    )
    return Table(
        "categories",
        "Paid PMPM by service category",
        ("category 1", "category 2", "category 3", "paid", "PMPM", "prior PMPM", "change %"),
        rows,
        ("text", "text", "text", "money", "money", "money", "change_pct"),
    )


def _utilization(r: AccountReport) -> Table:
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
            "unit cost change %",
        ),
        [
            (
                u.label,
                u.events,
                u.per_1000,
                u.prior_per_1000,
                u.paid,
                u.paid_per_event,
                u.prior_paid_per_event,
                u.unit_cost_change_pct,
            )
            for u in r.utilization
        ],
        ("text", "int", "tenths", "tenths", "money", "money", "money", "change_pct"),
    )


def _trend(r: AccountReport) -> Table:
    t = r.trend.paid
    rows: list[tuple[Any, ...]] = (
        []
        if t is None
        else [
            (
                c.label,
                c.pmpm_prior,
                c.pmpm_current,
                c.change,
                c.utilization,
                c.mix,
                c.unit_cost,
            )
            for c in t.categories
        ]
    )
    if t is not None:
        rows.append(
            (
                "total",
                t.pmpm_prior,
                t.pmpm_current,
                t.change,
                t.utilization,
                t.mix,
                t.unit_cost,
            )
        )
    return Table(
        "trend",
        "Paid PMPM change: utilization, mix and unit cost",
        ("category", "prior PMPM", "PMPM", "change", "utilization", "mix", "unit cost"),
        rows,
        ("text", "money", "money", "money", "money", "money", "money"),
    )


def _benchmarks(r: AccountReport) -> Table:
    rows = []
    for b in r.benchmarks:
        norm = b.norms[0] if b.norms else None
        # A gap between two percentages is in points (gap to book), never a percent of it.
        percentage = b.unit == "%"
        rows.append(
            (
                b.label,
                b.unit,
                b.value,
                b.book,
                b.gap_to_book,
                None if percentage else b.gap_to_book_pct,
                b.gap_to_book_dollars,
                norm.value if norm else None,
                None if percentage or norm is None else norm.gap_pct,
                norm.source if norm else "",
            )
        )
    return Table(
        "benchmarks",
        "Benchmarks",
        (
            "metric",
            "unit",
            "account",
            "book",
            "gap to book (points for %)",
            "gap to book %",
            "gap to book $ a year",
            "norm",
            "gap to norm %",
            "norm source",
        ),
        rows,
        (
            "text",
            "text",
            "decimal",
            "decimal",
            "decimal",
            "change_pct",
            "money0",
            "decimal",
            "change_pct",
            "text",
        ),
    )


def _claimants(r: AccountReport) -> Table:
    return Table(
        "claimants",
        "High-cost claimants (de-identified)",
        ("member", "medical paid", "pharmacy paid", "paid", "allowed", "member months"),
        [
            (
                m.pseudonym,
                m.medical_paid,
                m.pharmacy_paid,
                m.paid,
                m.allowed,
                m.member_months,
            )
            for m in r.high_cost_claimants.members
        ],
        ("text", "money", "money", "money", "money", "int"),
    )


def _diagnoses(r: AccountReport) -> Table:
    return Table(
        "diagnoses",
        "Top diagnosis groups by paid",
        ("ICD-10-CM category", "description", "chapter", "paid", "members", "share %"),
        [
            (
                d.category,
                d.description,
                d.chapter,
                d.paid,
                d.members,
                d.share_of_medical_paid,
            )
            for d in r.conditions.top_diagnosis_groups
        ],
        ("text", "text", "text", "money", "int", "pct"),
    )


def _chronic(r: AccountReport) -> Table:
    return Table(
        "chronic",
        "Chronic conditions",
        ("condition", "ICD-10-CM", "members", "per 1,000", "prior per 1,000"),
        [
            (
                c.label,
                c.codes,
                c.members,
                c.prevalence_per_1000,
                c.prior_prevalence_per_1000,
            )
            for c in r.conditions.chronic
        ],
        ("text", "text", "int", "tenths", "tenths"),
    )


def _monthly(r: AccountReport) -> Table:
    return Table(
        "monthly",
        "Monthly PMPM",
        ("month", "member months", "medical paid", "pharmacy paid", "paid PMPM", "allowed PMPM"),
        [
            (
                m.month,
                m.member_months,
                m.medical_paid,
                m.pharmacy_paid,
                m.paid_pmpm,
                m.allowed_pmpm,
            )
            for m in r.monthly
        ],
        ("month", "int", "money", "money", "money", "money"),
    )


def _findings(r: AccountReport) -> Table:
    return Table(
        "findings",
        "Findings",
        ("severity", "finding", "detail", "suggested action"),
        [(f.severity, f.title, f.detail, f.action) for f in r.findings],
        ("text", "text", "text", "text"),
    )


REPORT_TABLES: dict[str, Callable[[AccountReport], Table]] = {
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
        rows = (["" if v is None else v for v in row] for row in table.rows)
        return safe_files.csv_bytes(table.headers, rows), safe_files.CSV_CONTENT_TYPE
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active or book.create_sheet()
        sheet.title = table.name[:31]
        safe_files.append_row(sheet, table.headers)
        for row in table.rows:
            safe_files.append_row(sheet, [_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue(), (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    raise ValueError(f"unknown format {fmt!r}")
