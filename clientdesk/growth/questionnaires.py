"""Consultants' questionnaires: read the questions out of their XLSX or DOCX file, and write
the answers back into the same file, so the consultant gets their own layout filled in.

XLSX: on each sheet, the first row (of the first 20) with a cell headed "Question" is the
header; a cell headed "Answer" or "Response" is where answers go; optional "Section" and
"No."/"#"/"Ref" columns. Without a section column, the sheet's name is the section.
DOCX: every table whose first row has a "Question" and an "Answer"/"Response" cell; the
section is the heading paragraph above the table.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from clientdesk.lib.exports import safe_cell

HEADER_ROWS = 20
QUESTION = re.compile(r"^\s*(question|requirement|question text)\b", re.IGNORECASE)
ANSWER = re.compile(r"^\s*(answer|response|vendor response|bidder response)\b", re.IGNORECASE)
SECTION = re.compile(r"^\s*(section|category|topic)\b", re.IGNORECASE)
NUMBER = re.compile(r"^\s*(no\.?|#|number|ref\.?|item|id)\s*$", re.IGNORECASE)
MAX_QUESTIONS = 2000


class QuestionnaireError(ValueError):
    """The file cannot be read as a questionnaire; the message says why, for the user."""


@dataclass
class Parsed:
    """Sections in file order, each with its questions (number, text, location)."""

    format: str
    sections: list[tuple[str, list[tuple[str, str, dict[str, Any]]]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.sections)

    def add(self, section: str, number: str, text: str, location: dict[str, Any]) -> None:
        section = section.strip() or "General"
        if not self.sections or self.sections[-1][0] != section:
            existing = next((s for s in self.sections if s[0] == section), None)
            if existing is None:
                self.sections.append((section, []))
            else:
                existing[1].append((number, text, location))
                return
        self.sections[-1][1].append((number, text, location))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def format_of(name: str) -> str:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return "xlsx"
    if lower.endswith(".docx"):
        return "docx"
    raise QuestionnaireError(f"{name}: send the questionnaire as .xlsx or .docx.")


def read_questionnaire(name: str, content: bytes) -> Parsed:
    kind = format_of(name)
    parsed = read_xlsx(name, content) if kind == "xlsx" else read_docx(name, content)
    if parsed.count == 0:
        raise QuestionnaireError(f"{name}: the question column has no questions under it.")
    if parsed.count > MAX_QUESTIONS:
        raise QuestionnaireError(f"{name}: {parsed.count} questions; at most {MAX_QUESTIONS}.")
    return parsed


def read_xlsx(name: str, content: bytes) -> Parsed:
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise QuestionnaireError(f"{name} is not a readable XLSX workbook ({error}).") from None
    parsed = Parsed("xlsx")
    headed = False
    for sheet in book.worksheets:
        header: dict[str, int] | None = None
        header_row = 0
        for row_index, row in enumerate(
            sheet.iter_rows(min_row=1, max_row=HEADER_ROWS, values_only=True), start=1
        ):
            found = _columns([_text(v) for v in row])
            if "question" in found:
                header, header_row = found, row_index
                break
        if header is None:
            continue
        headed = True
        if "answer" not in header:
            raise QuestionnaireError(
                f"{name}, sheet {sheet.title!r}: row {header_row} has a Question column but no "
                "Answer or Response column to fill in."
            )
        for row_index, row in enumerate(
            sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
        ):
            cells = [_text(v) for v in row]
            text = cells[header["question"]] if header["question"] < len(cells) else ""
            if not text:
                continue
            section = (
                cells[header["section"]]
                if "section" in header and header["section"] < len(cells)
                else sheet.title
            )
            number = (
                cells[header["number"]]
                if "number" in header and header["number"] < len(cells)
                else ""
            )
            parsed.add(
                section or sheet.title,
                number,
                text,
                {"sheet": sheet.title, "row": row_index, "column": header["answer"] + 1},
            )
    if not headed:
        raise QuestionnaireError(
            f"{name}: no sheet has a column headed 'Question' in its first {HEADER_ROWS} rows."
        )
    return parsed


def _columns(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(cells):
        if not value:
            continue
        for key, pattern in (
            ("question", QUESTION),
            ("answer", ANSWER),
            ("section", SECTION),
            ("number", NUMBER),
        ):
            if key not in found and pattern.match(value):
                found[key] = index
                break
    return found


def _open_docx(name: str, content: bytes) -> Any:
    try:
        return Document(io.BytesIO(content))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise QuestionnaireError(f"{name} is not a readable DOCX document ({error}).") from None


def _body_items(document: Any) -> list[Paragraph | Table]:
    items: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            items.append(Paragraph(child, document))
        elif tag == "tbl":
            items.append(Table(child, document))
    return items


def read_docx(name: str, content: bytes) -> Parsed:
    document = _open_docx(name, content)
    parsed = Parsed("docx")
    section = "General"
    table_index = -1
    headed = False
    for item in _body_items(document):
        if isinstance(item, Paragraph):
            style = item.style.name if item.style is not None else ""
            if style.lower().startswith("heading") and item.text.strip():
                section = item.text.strip()
            continue
        table_index += 1
        if not item.rows:
            continue
        header = _columns([cell.text.strip() for cell in item.rows[0].cells])
        if "question" not in header:
            continue
        headed = True
        if "answer" not in header:
            raise QuestionnaireError(
                f"{name}, table {table_index + 1}: a Question column but no Answer or Response "
                "column to fill in."
            )
        for row_index, row in enumerate(item.rows[1:], start=1):
            cells = [cell.text.strip() for cell in row.cells]
            text = cells[header["question"]] if header["question"] < len(cells) else ""
            if not text:
                continue
            number = cells[header["number"]] if "number" in header else ""
            parsed.add(
                section,
                number,
                text,
                {"table": table_index, "row": row_index, "column": header["answer"]},
            )
    if not headed:
        raise QuestionnaireError(
            f"{name}: no table has a header row with a 'Question' and an 'Answer' column."
        )
    return parsed


def write_answers(kind: str, content: bytes, answers: list[tuple[dict[str, Any], str]]) -> bytes:
    """The original file with every answer written into its answer cell."""
    out = io.BytesIO()
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(content))
        for location, answer in answers:
            sheet = book[str(location["sheet"])]
            sheet.cell(row=int(location["row"]), column=int(location["column"])).value = safe_cell(
                answer
            )
        book.save(out)
    else:
        document = _open_docx("questionnaire", content)
        tables = [i for i in _body_items(document) if isinstance(i, Table)]
        for location, answer in answers:
            table = tables[int(location["table"])]
            table.rows[int(location["row"])].cells[int(location["column"])].text = answer
        document.save(out)
    return out.getvalue()
