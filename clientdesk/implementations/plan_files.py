"""Plans and templates as spreadsheets (CSV or XLSX), in the columns MS Project exports.

Reading: the first sheet (XLSX) or the file (CSV), a header row, one task per row. Columns are
matched by name, case-insensitively: ``ID``, ``Name`` (or ``Task Name``), ``Duration``
(``5``, ``5 days``, ``2 wks``, ``0`` for a milestone), ``Predecessors`` (``4FS+3;2SS+4``),
``Owner team`` (or ``Resource Names``), and optionally ``Kind``, ``Source``, ``Status``,
``% Complete``, ``Actual Start``, ``Actual Finish``, ``Notes``, ``Blocker``. Computed
columns a file exported from here carries (dates, slack, critical) are ignored on the way in.
A bad duration, an unknown predecessor or a cycle is refused with the row named; rows are
numbered as the spreadsheet numbers them (the header is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clientdesk.implementations.models import OwnerTeam, TaskKind, TaskStatus
from clientdesk.implementations.scheduling import (
    ScheduleError,
    TaskSpec,
    check_network,
    parse_duration,
    parse_predecessors,
)
from clientdesk.lib.exports import SafeCsvWriter, append_row

MAX_ROWS = 5_000

_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "task id", "unique id", "wbs"),
    "name": ("name", "task name", "task"),
    "duration": ("duration", "duration (business days)"),
    "predecessors": ("predecessors", "predecessor"),
    "owner_team": ("owner team", "owner", "team", "resource names", "resource"),
    "kind": ("kind", "task kind"),
    "source": ("source", "lead-time source"),
    "status": ("status",),
    "percent_done": ("% complete", "percent complete", "% done", "percent done"),
    "actual_start": ("actual start",),
    "actual_finish": ("actual finish",),
    "notes": ("notes",),
    "blocker": ("blocker", "blockers"),
}
REQUIRED = ("id", "name", "duration")


@dataclass(frozen=True)
class PlanRow:
    """One task as read from a sheet."""

    row: int
    ref: str
    name: str
    duration: int
    predecessors: str
    owner_team: str = ""
    kind: str = TaskKind.TASK
    source: str = ""
    status: str = TaskStatus.NOT_STARTED
    percent_done: int = 0
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    notes: str = ""
    blocker: str = ""

    def spec(self) -> TaskSpec:
        links = parse_predecessors(self.predecessors, row=self.row, task=self.ref)
        return TaskSpec(self.ref, self.duration, links, self.name, self.row)


@dataclass(frozen=True)
class PlanFile:
    rows: tuple[PlanRow, ...]
    warnings: tuple[str, ...] = field(default=())

    def specs(self) -> list[TaskSpec]:
        return [row.spec() for row in self.rows]


def _key(header: object) -> str:
    return re.sub(r"\s+", " ", str(header or "").strip().lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(value: str, choices: type[Any], default: str, row: int, what: str) -> str:
    if not value:
        return default
    wanted = _key(value).replace("-", " ").replace("_", " ")
    for choice in choices:
        if wanted in (_key(choice.value).replace("_", " "), _key(choice.label).replace("-", " ")):
            return str(choice.value)
    raise ScheduleError(f"{what} {value!r} is not one of: {', '.join(choices.labels)}", row=row)


def _date(value: Any, row: int, what: str) -> dt.date | None:
    if value in (None, "", "NA", "N/A"):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    text = re.sub(r"^[A-Za-z]{3}\s+", "", text)  # MS Project's "Mon 1/5/26"
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007  # a date, no time
        except ValueError:
            continue
    raise ScheduleError(f"{what} {value!r} is not a date (YYYY-MM-DD or M/D/YYYY)", row=row)


def _percent(value: Any, row: int) -> int:
    text = _text(value).rstrip("%").strip()
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError:
        raise ScheduleError(f"% complete {value!r} is not a number", row=row) from None
    if 0 < number < 1 and "." in text and not _text(value).endswith("%"):
        number *= 100  # a spreadsheet's 0.5 formatted as 50%
    if not 0 <= number <= 100:
        raise ScheduleError(f"% complete {value!r} must be between 0 and 100", row=row)
    return round(number)


def read_rows(records: Iterable[Sequence[Any]]) -> PlanFile:
    """Rows of cells (header first) → the plan, checked: every row valid, every predecessor
    known, no cycle."""
    iterator = iter(records)
    header = next(iterator, None)
    if header is None:
        raise ScheduleError("the file is empty")
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _key(cell)
        for key, aliases in _COLUMNS.items():
            if name in aliases and key not in columns:
                columns[key] = index
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        raise ScheduleError(f"row 1 lacks the column(s): {', '.join(missing)}", row=None)
    rows: list[PlanRow] = []
    warnings: list[str] = []
    for number, cells in enumerate(iterator, start=2):

        def cell(key: str, cells: Sequence[Any] = cells) -> Any:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        if not any(_text(value) for value in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ScheduleError(f"more than {MAX_ROWS:,} tasks", row=number)
        ref = _text(cell("id"))
        if not ref:
            raise ScheduleError("the task has no ID", row=number)
        name = _text(cell("name")) or ref
        duration = parse_duration(cell("duration"), row=number, task=ref)
        predecessors = _text(cell("predecessors"))
        parse_predecessors(predecessors, row=number, task=ref)
        team_text = _text(cell("owner_team"))
        try:
            team = _choice(team_text, OwnerTeam, "", number, "owner team")
        except ScheduleError:
            team = ""
            warnings.append(f"row {number}: owner {team_text!r} is not a team; left unassigned")
        status = _choice(
            _text(cell("status")), TaskStatus, TaskStatus.NOT_STARTED, number, "status"
        )
        actual_start = _date(cell("actual_start"), number, "actual start")
        actual_finish = _date(cell("actual_finish"), number, "actual finish")
        if actual_start and actual_finish and actual_finish < actual_start:
            raise ScheduleError("actual finish is before actual start", row=number, task=ref)
        rows.append(
            PlanRow(
                row=number,
                ref=ref,
                name=name[:200],
                duration=duration,
                predecessors=predecessors,
                owner_team=team,
                kind=_choice(_text(cell("kind")), TaskKind, TaskKind.TASK, number, "kind"),
                source=_text(cell("source"))[:300],
                status=status,
                percent_done=100
                if status == TaskStatus.DONE
                else _percent(cell("percent_done"), number),
                actual_start=actual_start,
                actual_finish=actual_finish,
                notes=_text(cell("notes")),
                blocker=_text(cell("blocker"))[:300],
            )
        )
    if not rows:
        raise ScheduleError("the file has no tasks")
    plan = PlanFile(tuple(rows), tuple(warnings))
    check_network(plan.specs())
    return plan


def read_csv(content: bytes) -> PlanFile:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScheduleError(
            f"not UTF-8 text (byte {error.start + 1}): save the file as UTF-8 CSV"
        ) from None
    try:
        return read_rows(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ScheduleError(f"not a CSV file: {error}") from None


def read_xlsx(content: bytes) -> PlanFile:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise ScheduleError(f"not an XLSX workbook ({error.__class__.__name__})") from None
    sheet = book.worksheets[0]
    return read_rows(sheet.iter_rows(values_only=True))


def read_plan(content: bytes, filename: str) -> PlanFile:
    """A CSV or XLSX file, by its name's extension (or its first bytes: XLSX is a zip)."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        return read_xlsx(content)
    return read_csv(content)


EXPORT_HEADER = (
    "ID",
    "Name",
    "Duration",
    "Predecessors",
    "Owner team",
    "Kind",
    "Start",
    "Finish",
    "Late finish",
    "Slack",
    "Critical",
    "Status",
    "% Complete",
    "Actual Start",
    "Actual Finish",
    "Notes",
    "Blocker",
    "Source",
)


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


def write_xlsx(rows: Iterable[Sequence[Any]], *, title: str = "Plan") -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Plan")
    append_row(sheet, EXPORT_HEADER)
    for row in rows:
        append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
