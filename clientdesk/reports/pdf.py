"""The PDF: the report as HTML (a Django template), printed by WeasyPrint. Charts are the
same PNGs as in the deck, inlined as data URIs, so nothing is fetched."""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string

from clientdesk.reports.branding import branding
from clientdesk.reports.documents import ReportDocument, Section, Table, cell_text


def _png_src(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _table(t: Table) -> dict[str, Any]:
    rows = [
        [(cell_text(v, c.kind), c.kind != "text") for v, c in zip(row, t.columns, strict=True)]
        for row in t.rows
    ]
    return {"title": t.title, "note": t.note, "columns": t.columns, "rows": rows}


def _section(section: Section, images: dict[str, bytes]) -> dict[str, Any]:
    charts = [
        {"title": c.title, "src": _png_src(images[c.key])}
        for c in section.charts
        if c.key in images
    ]
    return {
        "title": section.title,
        "bullets": section.bullets,
        "charts": charts,
        "tables": [_table(t) for t in section.tables if t.rows],
    }


def _html(document: ReportDocument, images: dict[str, bytes]) -> str:
    sections = [_section(s, images) for s in document.sections]
    brand = branding()
    logo = (
        f"data:{brand.logo_type};base64,{base64.b64encode(brand.logo).decode()}"
        if brand.logo is not None
        else ""
    )
    return render_to_string(
        "reports/document.html",
        {
            "document": document,
            "sections": sections,
            "paid_through": cell_text(document.paid_through, "date"),
            "brand": brand,
            "logo": logo,
        },
    )


def render_pdf(document: ReportDocument, images: dict[str, bytes]) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only PDF runs need

    pdf: bytes = HTML(string=_html(document, images), base_url=None).write_pdf()
    return pdf
