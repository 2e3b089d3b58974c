"""Strategies for the string formats the API's schema names beyond JSON Schema's own.

A format is how an OpenAPI schema says "a string, and this kind of string" where no pattern can:
the schedule route's `csv` is a plan in MS Project's columns (`format: ms-project-plan-csv`,
described in the schema), whose rules span rows (every predecessor a task of the plan, no
cycle). Registered with schemathesis (`schemathesis.openapi.format`), the fuzzer's positive
cases are plans the format allows, drawn over all its columns and notations; its negative cases
are still whatever the schema forbids.
"""

from __future__ import annotations

import csv
import io

import schemathesis
from hypothesis import strategies as st

from clientdesk.implementations.api import PLAN_CSV_FORMAT
from clientdesk.implementations.models import OwnerTeam, TaskKind, TaskStatus
from clientdesk.implementations.scheduling import MAX_DURATION, MAX_LAG

# Text a cell may hold: printable, any script; the CSV writer quotes commas, quotes and breaks.
_CELL_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30
)
_IDS = st.from_regex(r"\A[A-Za-z0-9_.\-]{1,8}\Z")


def _unit(days: int, draw: st.DrawFn) -> str:
    """A number of business days in one of the notations the plan reads."""
    if days % 5 == 0 and draw(st.booleans()):
        weeks = days // 5
        return f"{weeks}{draw(st.sampled_from(['w', ' wks', ' weeks', 'wk', ' week']))}"
    return f"{days}{draw(st.sampled_from(['', 'd', ' days', ' day', 'wd']))}"


def _choice(choices: type[OwnerTeam | TaskKind | TaskStatus], draw: st.DrawFn) -> str:
    choice = draw(st.sampled_from(list(choices)))
    return str(draw(st.sampled_from([choice.value, choice.label, choice.label.upper()])))


@st.composite
def plan_csvs(draw: st.DrawFn) -> str:
    """A plan: a header with the required columns (and some optional ones, any order, any
    case), then 1 to 12 tasks, each linked only to tasks above it (so never a cycle)."""
    optional = draw(
        st.lists(
            st.sampled_from(
                ["Predecessors", "Owner team", "Kind", "Status", "% Complete", "Notes", "Blocker"]
            ),
            unique=True,
        )
    )
    columns = draw(st.permutations(["ID", "Task Name", "Duration", *optional]))
    ids = draw(st.lists(_IDS, min_size=1, max_size=12, unique_by=str.lower))
    ids = list(dict.fromkeys(ids))  # distinct as the plan compares them (exactly)
    rows = []
    for position, ref in enumerate(ids):
        links = []
        if position:
            for before in draw(st.lists(st.sampled_from(ids[:position]), max_size=3, unique=True)):
                kind = draw(st.sampled_from(["", "FS", "SS", "FF", "SF", "fs"]))
                lag = draw(st.integers(-MAX_LAG // 5, MAX_LAG // 5) | st.just(0))
                links.append(f"{before}{kind}{f'{lag:+d}' if lag else ''}")
        status = _choice(TaskStatus, draw)
        cells = {
            "ID": ref,
            "Task Name": draw(_CELL_TEXT),
            "Duration": _unit(draw(st.integers(0, MAX_DURATION // 5)), draw),
            "Predecessors": draw(st.sampled_from([";", ","])).join(links),
            "Owner team": _choice(OwnerTeam, draw) if draw(st.booleans()) else "",
            "Kind": _choice(TaskKind, draw),
            "Status": status,
            "% Complete": f"{draw(st.integers(0, 100))}%",
            "Notes": draw(_CELL_TEXT),
            "Blocker": draw(_CELL_TEXT),
        }
        rows.append([cells[column] for column in columns])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def register_formats() -> None:
    """Teach schemathesis the API's own string formats (idempotent)."""
    schemathesis.openapi.format(PLAN_CSV_FORMAT, plan_csvs())
