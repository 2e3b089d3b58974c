"""Reading another survey tool's CSV export (Qualtrics, LimeSurvey, anything with one row per
response) through a column mapping: every row is either a response to load or a rejection
with its reason. Pure of the database except for finding accounts.

The mapping names, for each of our fields, the export's column: ``account`` (the sponsor's
group number or our account id) and ``answered_at`` are required; ``nps`` (0-10), ``csat``
(1-5), ``ces`` (1-7), ``verbatim``, ``contact_role`` and ``response_id`` (the tool's own id,
to refuse a row imported twice) are optional. A tool's preset fills the usual columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone

from clientdesk.accounts.models import Account

FIELDS = ("account", "answered_at", "nps", "csat", "ces", "verbatim", "contact_role", "response_id")
REQUIRED = ("account", "answered_at")
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
PRESETS: dict[str, dict[str, str]] = {
    "qualtrics": {"response_id": "ResponseId", "answered_at": "EndDate"},
    "limesurvey": {"response_id": "id", "answered_at": "submitdate"},
}
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%m/%d/%Y %H:%M", "%m/%d/%Y")
MAX_ROWS = 200_000


class MappingError(ValueError):
    pass


def parse_mapping(text: str | Mapping[str, str], tool: str = "") -> dict[str, str]:
    """Our field → the export's column, from JSON (or a dict), over the tool's preset."""
    raw = json.loads(text) if isinstance(text, str) else dict(text)
    if not isinstance(raw, dict):
        raise MappingError('the mapping is a JSON object: {"account": "Group", ...}')
    if tool and tool not in PRESETS:
        raise MappingError(f"unknown tool {tool!r} (known: {', '.join(PRESETS)})")
    mapping = {**PRESETS.get(tool, {}), **{str(k): str(v) for k, v in raw.items()}}
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise MappingError(f"unknown field {sorted(unknown)[0]!r} (fields: {', '.join(FIELDS)})")
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise MappingError(f"the mapping needs {', '.join(missing)}")
    if not any(f in mapping for f in SCALES):
        raise MappingError("the mapping needs at least one score: nps, csat or ces")
    return mapping


@dataclass(frozen=True)
class Row:
    """One response to load."""

    line: int
    account_id: int
    answered_at: dt.datetime
    nps: int | None
    csat: int | None
    ces: int | None
    verbatim: str
    contact_role: str
    response_id: str


@dataclass
class Parsed:
    rows: list[Row] = field(default_factory=list)
    rejections: list[dict[str, object]] = field(default_factory=list)
    read: int = 0

    def reject(self, line: int, reason: str) -> None:
        self.rejections.append({"row": line, "reason": reason})


def _moment(text: str) -> dt.datetime | None:
    text = text.strip()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
        for fmt in DATE_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)  # noqa: DTZ007  (made aware below)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment.astimezone(dt.UTC)


def _accounts(references: Iterable[str]) -> dict[str, int]:
    refs = {r.strip() for r in references if r.strip()}
    found = dict(
        Account.objects.filter(group_number__in={r.upper() for r in refs}).values_list(
            "group_number", "id"
        )
    )
    out = {r: found[r.upper()] for r in refs if r.upper() in found}
    ids = {int(r) for r in refs if r.isdigit() and r not in out}
    for pk in Account.objects.filter(pk__in=ids).values_list("id", flat=True):
        out[str(pk)] = pk
    return out


def parse_export(
    data: bytes | str, mapping: Mapping[str, str], *, seen_ids: Iterable[str] = ()
) -> Parsed:
    """Every row of the export loaded or rejected (line numbers count the header as 1)."""
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    reader = csv.DictReader(io.StringIO(text))
    parsed = Parsed()
    columns = set(reader.fieldnames or [])
    absent = [c for c in mapping.values() if c not in columns]
    if absent:
        raise MappingError(f"the export has no column {absent[0]!r}")
    records = list(reader)[:MAX_ROWS]
    accounts = _accounts(r.get(mapping["account"], "") or "" for r in records)
    seen = set(seen_ids)
    for number, record in enumerate(records, start=2):
        parsed.read += 1

        def get(name: str, record: Mapping[str, str | None] = record) -> str:
            column = mapping.get(name)
            return (record.get(column) or "").strip() if column else ""

        reference = get("account")
        account_id = accounts.get(reference)
        if account_id is None:
            parsed.reject(number, f"no account {reference!r}" if reference else "no account")
            continue
        moment = _moment(get("answered_at"))
        if moment is None:
            parsed.reject(number, f"answered_at {get('answered_at')!r} is not a date and time")
            continue
        scores: dict[str, int | None] = {}
        bad = ""
        for name, (low, high) in SCALES.items():
            value = get(name)
            if not value:
                scores[name] = None
                continue
            try:
                number_value = int(float(value))
            except ValueError:
                bad = f"{name} {value!r} is not a number"
                break
            if not low <= number_value <= high or float(value) != number_value:
                bad = f"{name} {value!r} is outside {low}-{high}"
                break
            scores[name] = number_value
        if bad:
            parsed.reject(number, bad)
            continue
        if all(v is None for v in scores.values()):
            parsed.reject(number, "no score (nps, csat or ces)")
            continue
        response_id = get("response_id")
        if response_id and response_id in seen:
            parsed.reject(number, f"response {response_id!r} is already loaded")
            continue
        if response_id:
            seen.add(response_id)
        parsed.rows.append(
            Row(
                number,
                account_id,
                moment,
                scores["nps"],
                scores["csat"],
                scores["ces"],
                get("verbatim"),
                get("contact_role")[:24],
                response_id[:120],
            )
        )
    return parsed
