"""A vendor's participant list: the sponsor's members enrolled in its program, read from the
vendor's CSV or XLSX file. The first row (of the first 20) with a member-id column is the
header; "enrolment start" (or "start", "enrolled", "program start") and optionally
"enrolment end" (or "end", "disenrolled", "termed") give the dates. Each bad row is
rejected with its reason and the member id masked; a file that cannot be read at all gets
a `ParticipantFileError` saying why.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

HEADER_ROWS = 20
MAX_ROWS = 50_000
MEMBER = re.compile(
    r"^\s*(member[\s_-]*(id|number|no\.?)|subscriber[\s_-]*id|mbr[\s_-]*id)\s*$", re.I
)
START = re.compile(
    r"^\s*((enrol+(ment)?|program|participation)[\s_-]*start([\s_-]*date)?|start([\s_-]*date)?"
    r"|enrol+ed([\s_-]*on)?|enrol+ment[\s_-]*date)\s*$",
    re.I,
)
END = re.compile(
    r"^\s*((enrol+(ment)?|program|participation)[\s_-]*end([\s_-]*date)?|end([\s_-]*date)?"
    r"|disenrol+ed([\s_-]*on)?|termed([\s_-]*on)?|term[\s_-]*date)\s*$",
    re.I,
)
MEMBER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y%m%d")


class ParticipantFileError(ValueError):
    """The file cannot be read as a participant list; the message says why, for the user."""


def mask_member_id(value: str) -> str:
    """`W12345678901` -> `W1••••••••01`: enough to tell rows apart, not to identify."""
    text = value.strip()
    if len(text) <= 4:
        return "•" * len(text)
    return text[:2] + "•" * (len(text) - 4) + text[-2:]


@dataclass(frozen=True)
class Row:
    line: int  # row number in the file
    member_id: str
    enrolled_on: dt.date
    ended_on: dt.date | None


@dataclass
class ParsedList:
    format: str
    rows_read: int = 0
    rows: list[Row] = field(default_factory=list)
    # (row number in the file, masked member id, reason)
    rejections: list[tuple[int, str, str]] = field(default_factory=list)

    def reject(self, line: int, member_id: str, reason: str) -> None:
        self.rejections.append((line, mask_member_id(member_id), reason))


def _date(value: Any) -> dt.date | str | None:
    """A cell as a date; None when empty; the text itself when it is not a date."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return text


def _records(name: str, data: bytes) -> tuple[str, list[tuple[int, list[Any]]]]:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
            raise ParticipantFileError(
                "This is not a readable XLSX workbook; save it from Excel as .xlsx."
            ) from error
        sheet = book.worksheets[0]
        rows = [
            (n, list(values))
            for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            if n <= MAX_ROWS + HEADER_ROWS + 1
        ]
        book.close()
        return "xlsx", rows
    if lower.endswith(".csv") or lower.endswith(".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as error:
                raise ParticipantFileError("The CSV is not UTF-8 or Windows text.") from error
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        return "csv", [(n, list(values)) for n, values in enumerate(reader, start=1)]
    raise ParticipantFileError("Upload the vendor's list as a CSV or XLSX file.")


def read_participant_list(name: str, data: bytes, *, today: dt.date) -> ParsedList:
    """The participants of a vendor's file, each bad row rejected with its reason."""
    if not data:
        raise ParticipantFileError("The file is empty.")
    file_format, records = _records(name, data)
    header_at = None
    columns: dict[str, int] = {}
    for number, values in records[:HEADER_ROWS]:
        cells = ["" if v is None else str(v) for v in values]
        member_at = next((i for i, c in enumerate(cells) if MEMBER.match(c)), None)
        if member_at is None:
            continue
        start_at = next((i for i, c in enumerate(cells) if START.match(c)), None)
        if start_at is None:
            raise ParticipantFileError(
                f"Row {number} names the member id but no enrolment start column "
                "(headed 'Enrollment start', 'Start date' or 'Enrolled')."
            )
        columns = {"member": member_at, "start": start_at}
        end_at = next((i for i, c in enumerate(cells) if END.match(c)), None)
        if end_at is not None:
            columns["end"] = end_at
        header_at = number
        break
    if header_at is None:
        raise ParticipantFileError(
            f"No header row in the first {HEADER_ROWS} rows has a member id column "
            "(headed 'Member ID')."
        )
    parsed = ParsedList(file_format)
    seen: dict[str, int] = {}
    for number, values in records:
        if number <= header_at or not any(v not in (None, "") for v in values):
            continue
        parsed.rows_read += 1
        if parsed.rows_read > MAX_ROWS:
            raise ParticipantFileError(f"The list has more than {MAX_ROWS:,} rows; split it.")

        def cell(key: str, values: list[Any] = values) -> Any:
            index = columns.get(key)
            return values[index] if index is not None and index < len(values) else None

        member = "" if cell("member") is None else str(cell("member")).strip()
        if member.endswith(".0") and member[:-2].isdigit():  # a number Excel stored as a float
            member = member[:-2]
        if not member:
            parsed.reject(number, "", "no member id")
            continue
        if not MEMBER_ID.match(member):
            parsed.reject(number, member, "the member id is not 1-40 letters, digits or dashes")
            continue
        start = _date(cell("start"))
        end = _date(cell("end"))
        if start is None:
            parsed.reject(number, member, "no enrolment start")
            continue
        if isinstance(start, str):
            parsed.reject(number, member, "the enrolment start is not a date (YYYY-MM-DD)")
            continue
        if isinstance(end, str):
            parsed.reject(number, member, "the enrolment end is not a date (YYYY-MM-DD)")
            continue
        if start > today:
            parsed.reject(number, member, "the enrolment start is in the future")
            continue
        if end is not None and end < start:
            parsed.reject(number, member, "the enrolment end is before its start")
            continue
        if member in seen:
            parsed.reject(number, member, f"the member is listed already (row {seen[member]})")
            continue
        seen[member] = number
        parsed.rows.append(Row(number, member, start, end))
    if parsed.rows_read == 0:
        raise ParticipantFileError("The list has a header but no rows.")
    return parsed
