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
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from clientdesk.audit.conflicts import ConflictRow
from clientdesk.lib import formatting
from clientdesk.people.pickers import person_name

if TYPE_CHECKING:
    from clientdesk.guarantees.actions import Attestation
    from clientdesk.guarantees.models import GuaranteeResult

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


def _figure(value: Any) -> str:
    """A count or a score as entered: 2,850 or 4.25 (up to the 4 places stored)."""
    amount = formatting.to_decimal(value)
    if amount is None:
        return formatting.DASH
    if amount == amount.to_integral_value():
        return formatting.count(amount)
    return formatting.number(amount, min(4, -int(amount.normalize().as_tuple().exponent)))


def _text(value: Any) -> str:
    return formatting.DASH if value in (None, "") else str(value)


@dataclass(frozen=True)
class AttestationConflict:
    """An attestation refused as stale, beside the result stored now: `rows` for the table
    (differing lines marked), `field_messages` for the form's fields that differ."""

    rows: list[ConflictRow]
    field_messages: dict[str, str]


def attestation_conflict(
    saved: GuaranteeResult,
    yours: Attestation,
    *,
    your_figure: Decimal | None,
    by: str,
    on: dt.date,
) -> AttestationConflict:
    """The stored result and the refused attestation side by side: the figures, the result,
    what it rests on, who recorded it and when."""
    g = saved.guarantee
    evidence = saved.evidence or {}
    recorded_by = saved.attested_by
    recorded_on = evidence.get("attested_on")
    figures: list[tuple[str, str | None, str, str]]
    if g.definition.unit == "percent":
        figures = [
            ("Met (count)", "numerator", _figure(saved.numerator), _figure(yours.numerator)),
            ("Due (count)", "denominator", _figure(saved.denominator), _figure(yours.denominator)),
        ]
    else:
        score, responses = (saved.actual, saved.sample_size) if saved.sample_size else (None, None)
        figures = [
            ("Score", "value", _figure(score), _figure(yours.value)),
            ("Responses", "sample_size", _figure(responses), _figure(yours.sample_size)),
        ]
    suffix = g.definition.unit_suffix
    mine = formatting.DASH if your_figure is None else formatting.number(your_figure, g.decimals)
    status = saved.get_status_display() if saved.pk else "Nothing recorded"
    when = _day(recorded_on) if recorded_on else formatting.DASH
    lines: list[tuple[str, str | None, str, str]] = [
        ("Period", None, saved.period_label, yours.period_label),
        ("Status", None, status, "Attested"),
        *figures,
        ("Result", None, saved.actual_display if saved.pk else formatting.DASH, mine + suffix),
        ("Evidence", "evidence", _text(evidence.get("evidence")), _text(yours.evidence)),
        ("Reference", "reference", _text(evidence.get("reference")), _text(yours.reference)),
        (
            "Recorded by",
            None,
            person_name(recorded_by) if recorded_by else _text(evidence.get("attested_by")),
            by,
        ),
        ("Recorded on", None, when, formatting.date(on)),
    ]
    return AttestationConflict(
        rows=[ConflictRow(label, a, b, a != b) for label, _, a, b in lines],
        field_messages={
            field: f"Saved now: {a}" for _, field, a, b in lines if field is not None and a != b
        },
    )
