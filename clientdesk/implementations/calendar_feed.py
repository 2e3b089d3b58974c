"""An iCalendar (RFC 5545) feed of a plan's milestones, for the owners' calendars.

Written by hand: all-day VEVENTs need a dozen lines, and the text rules (escaping, folding at
75 octets, CRLF) are in ``_text`` and ``_fold``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Milestone:
    uid: str
    day: dt.date
    summary: str
    description: str = ""


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not parts else 74
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def milestones_ics(name: str, milestones: Iterable[Milestone], *, stamp: dt.datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//clientdesk//implementations//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    stamp_text = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for m in milestones:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{m.uid}",
            f"DTSTAMP:{stamp_text}",
            f"DTSTART;VALUE=DATE:{m.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{m.day + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_text(m.summary)}",
        ]
        if m.description:
            lines.append(f"DESCRIPTION:{_text(m.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
