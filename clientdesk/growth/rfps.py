"""An RFP end to end: import the consultant's questionnaire with library suggestions for every
question, and export it filled in, in the consultant's own file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User

from clientdesk.growth.actions import do_create_rfp
from clientdesk.growth.library import suggest
from clientdesk.growth.models import Rfp
from clientdesk.growth.questionnaires import read_questionnaire, write_answers
from clientdesk.lib.business_calendar import (
    BusinessCalendar,
    business_duration,
    business_window,
)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def import_rfp(
    name: str, content: bytes, meta: Mapping[str, Any], *, now: dt.datetime, acting_user: User
) -> Rfp:
    """Read the questionnaire (QuestionnaireError says what is wrong with a bad file), rank
    the library's answers for every question, and store the RFP."""
    parsed = read_questionnaire(name, content)
    texts = [text for _, items in parsed.sections for _, text, _ in items]
    ranked = suggest(texts)
    nested: list[list[list[list[float]]]] = []
    cursor = 0
    for _, items in parsed.sections:
        nested.append(ranked[cursor : cursor + len(items)])
        cursor += len(items)
    return do_create_rfp(
        meta,
        source_name=name,
        source_format=parsed.format,
        source_file=content,
        sections=parsed.sections,
        suggestions=nested,
        now=now,
        acting_user=acting_user,
    )


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


def export_rfp(rfp: Rfp) -> Export:
    """The consultant's file with every answer written in its answer cell."""
    answers = [(q.location, q.answer) for q in rfp.questions.all() if q.answer]
    content = write_answers(rfp.source_format, bytes(rfp.source_file), answers)
    stem = rfp.source_name.rsplit(".", 1)[0]
    return Export(
        f"{stem} - answered.{rfp.source_format}", CONTENT_TYPES[rfp.source_format], content
    )


# The house calendar (Monday to Friday 08:00-18:00 New York, US federal holidays), as leads use.
RFP_CALENDAR = BusinessCalendar()


def _hours(value: dt.timedelta) -> Decimal:
    return (Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.1"))


def section_deadline(due: dt.date, calendar: BusinessCalendar = RFP_CALENDAR) -> dt.datetime:
    """Close of business on the due date, or on the last business day before it when the
    date itself is a weekend or holiday."""
    day = due
    for _ in range(366):
        window = business_window(day, calendar)
        if window is not None:
            return window[1]
        day -= dt.timedelta(days=1)
    raise ValueError("the calendar has no business day in the year before the due date")


@dataclass(frozen=True)
class SectionClock:
    """A section's SLA in business hours: the business time from the RFP's import to close
    of business on the section's due date (allowed), and the business time used so far, to
    the section's approval (the clock stops there) or to now."""

    allowed: dt.timedelta
    used: dt.timedelta
    stopped: bool

    @property
    def breached(self) -> bool:
        return self.used > self.allowed

    @property
    def allowed_hours(self) -> Decimal:
        return _hours(self.allowed)

    @property
    def used_hours(self) -> Decimal:
        return _hours(self.used)

    @property
    def left_hours(self) -> Decimal:
        """Business hours left; negative once late (by that many hours)."""
        return _hours(self.allowed - self.used)

    @property
    def late_hours(self) -> Decimal:
        return -self.left_hours


def section_clock(
    started: dt.datetime,
    due: dt.date,
    approved_at: dt.datetime | None,
    now: dt.datetime,
    calendar: BusinessCalendar = RFP_CALENDAR,
) -> SectionClock:
    deadline = section_deadline(due, calendar)
    stop = approved_at or now
    return SectionClock(
        business_duration(started, deadline, calendar),
        business_duration(started, stop, calendar),
        approved_at is not None,
    )


@dataclass(frozen=True)
class SectionProgress:
    section_id: int
    name: str
    answered: int
    total: int
    approved: bool
    from_library: int
    due: dt.date | None = None
    days_left: int | None = None  # to the section's due date; negative once past it
    clock: SectionClock | None = None  # in business hours, when read at a moment

    @property
    def late(self) -> bool:
        if self.clock is not None:
            return self.clock.breached
        return self.days_left is not None and self.days_left < 0 and not self.approved

    @property
    def percent(self) -> int:
        return self.answered * 100 // self.total if self.total else 100


def progress(
    rfp: Rfp, today: dt.date | None = None, *, now: dt.datetime | None = None
) -> list[SectionProgress]:
    """Per section: answered, from the library, approved, the days to its due date and, read
    at `now`, its SLA clock in business hours."""
    if now is not None and today is None:
        today = now.astimezone(RFP_CALENDAR.zone).date()
    rows = []
    for section in rfp.sections.prefetch_related("questions"):
        questions = list(section.questions.all())
        due = section.due or rfp.final_due
        rows.append(
            SectionProgress(
                section.pk,
                section.name,
                sum(1 for q in questions if q.answer),
                len(questions),
                section.approved_at is not None,
                sum(1 for q in questions if q.from_library_id is not None),
                due,
                (due - today).days if today and due else None,
                section_clock(rfp.created_at, due, section.approved_at, now)
                if now is not None and due
                else None,
            )
        )
    return rows
