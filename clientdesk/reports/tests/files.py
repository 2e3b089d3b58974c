"""Reading generated report files back, as a person's software would."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from pptx import Presentation
from pypdf import PdfReader


def deck_slides(content: bytes) -> list[dict[str, Any]]:
    """Each slide: its title, its text, its tables (as lists of rows of cell text), notes."""
    slides = []
    for slide in Presentation(io.BytesIO(content)).slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        texts, tables = [], []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                tables.append([[c.text for c in row.cells] for row in shape.table.rows])
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append(
            {
                "title": title,
                "text": "\n".join(texts),
                "tables": tables,
                "notes": notes,
                "pictures": sum(1 for s in slide.shapes if s.shape_type == 13),
            }
        )
    return slides


def workbook(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def sheet_rows(wb: Workbook, name: str) -> list[list[Any]]:
    """The data rows under the header row (row 4) of a table sheet."""
    return [list(r) for r in wb[name].iter_rows(min_row=5, values_only=True)]


def row_by_label(rows: list[list[Any]], label: str) -> list[Any]:
    return next(r for r in rows if r[0] == label)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
