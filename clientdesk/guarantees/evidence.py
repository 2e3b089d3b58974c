"""A result's evidence in words and dates, as a manager or a sponsor's auditor reads it.

The stored evidence (`GuaranteeResult.evidence`) is the machine record: component sums under
their column names, dates in ISO, batch ids. This module turns it into labelled lines: what
was counted, over which days and data, and the sums behind the figure, with every component
named in words and sums of squares (kept for the confidence interval) left to the record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientdesk.lib import formatting

FEEDS = {
    "calls": "call-center calls",
    "ivr": "IVR sessions",
    "claims": "claim processing",
    "surveys": "survey responses",
    "eligibility": "eligibility files",
    "events": "records kept in clientdesk",
}

COMPONENTS = {
    "offered": "Calls offered",
    "answered": "Answered",
    "wait_sum": "Seconds waited (sum)",
    "fcr": "Resolved on the first contact",
    "abandoned": "Abandoned",
    "sessions": "IVR sessions",
    "contained": "Contained in the IVR",
    "opted_out": "Opted out to an agent",
    "ivr_abandoned": "Abandoned in the IVR",
    "transferred": "Transferred",
    "csat_n": "Satisfaction answers",
    "satisfied": "Satisfied (4 or 5)",
    "csat_sum": "Satisfaction scores (sum)",
    "originals": "Original claims",
    "auto": "Auto-adjudicated",
    "unflagged": "Original claims with no auto-adjudication flag (left out of its rate)",
    "audited": "Claims audited",
    "audited_ok": "Audited without error",
    "paid_sum": "Dollars paid on audited claims",
    "err_sum": "Dollars paid in error",
    "files": "Eligibility files",
    "met": "Events that met the promise",
    "events": "Events counted",
}
_PATTERNS = (
    (re.compile(r"short_(\d+)"), "Abandoned within {} s (not counted)"),
    (re.compile(r"within_(\d+)"), "Answered within {} s"),
    (re.compile(r"tat_(\d+)"), "Finalized within {} days"),
    (re.compile(r"timely_(\d+)"), "Loaded within {} business days"),
)
# Kept for the interval's variance, not for reading.
_RECORD_ONLY = frozenset(
    {"wait_sumsq", "csat_sumsq", "paid_sq", "err_sq", "paid_err", "days_with_data", "squares"}
    | {"first_data_day", "last_data_day"}
)


_SHOWN_ABOVE = frozenset(
    {"definition", "feed", "scope", "measured", "days_with_data", "first_data_day"}
    | {"last_data_day", "batches", "time_zone", "fees_counted_on", "monthly_fees", "interval"}
    | {"components", "level", "engine"}
)


@dataclass(frozen=True)
class Line:
    label: str
    text: str


def component_label(key: str) -> str | None:
    """A component's name in words, or None for one kept only for the record."""
    if key in _RECORD_ONLY:
        return None
    if key in COMPONENTS:
        return COMPONENTS[key]
    for pattern, words in _PATTERNS:
        match = pattern.fullmatch(key)
        if match:
            return words.format(match.group(1))
    return key.replace("_", " ").capitalize()


def _day(text: Any) -> str:
    try:
        return formatting.date(dt.date.fromisoformat(str(text)))
    except ValueError:
        return str(text)


def _days(pair: Any) -> str:
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return f"{_day(pair[0])} – {_day(pair[1])}"
    return formatting.DASH


def _count(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return formatting.number(value, 1)
    return formatting.count(value)


def evidence_lines(evidence: Mapping[str, Any]) -> list[Line]:
    """The evidence of one result, line by line, in words."""
    lines: list[Line] = []
    definition = evidence.get("definition") or {}
    if definition.get("numerator"):
        lines.append(Line("Counted", str(definition["numerator"])))
    if definition.get("denominator"):
        lines.append(Line("Out of", str(definition["denominator"])))
    if definition.get("exclusions"):
        lines.append(Line("Left out", str(definition["exclusions"])))
    if definition.get("dated_by"):
        lines.append(Line("Dated by", str(definition["dated_by"])))
    if "feed" in evidence:
        feed = FEEDS.get(str(evidence["feed"]), str(evidence["feed"]))
        lines.append(Line("Data", f"{feed}, {evidence.get('scope', '')}".rstrip(", ")))
    if "measured" in evidence:
        lines.append(Line("Measured", _days(evidence["measured"])))
    if "days_with_data" in evidence:
        first, last = evidence.get("first_data_day"), evidence.get("last_data_day")
        span = f", {_day(first)} – {_day(last)}" if first and last else ""
        lines.append(Line("Days with data", f"{_count(evidence['days_with_data'])}{span}"))
    batches = evidence.get("batches") or []
    if batches:
        lines.append(Line("Lake loads", ", ".join(f"#{b}" for b in batches)))
    if evidence.get("time_zone"):
        lines.append(Line("Days in", str(evidence["time_zone"]).replace("_", " ")))
    if "fees_counted_on" in evidence:
        fees = formatting.money(evidence.get("monthly_fees"))
        lines.append(Line("Fees at risk", f"{fees} a month, {_days(evidence['fees_counted_on'])}"))
    if evidence.get("interval"):
        lines.append(Line("Interval", f"95 % {evidence['interval']}"))
    for key, value in (evidence.get("components") or {}).items():
        label = component_label(key)
        if label is not None:
            lines.append(Line(label, _count(value)))
    for key, value in evidence.items():  # an attested result's own evidence, as written
        if key not in _SHOWN_ABOVE and value not in (None, "", [], {}):
            lines.append(Line(key.replace("_", " ").capitalize(), _plain(value)))
    return lines


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _day(value)
    return str(value)
