"""An RFP end to end: import the consultant's questionnaire with library suggestions for every
question, and export it filled in, in the consultant's own file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User

from clientdesk.growth.actions import do_create_rfp
from clientdesk.growth.library import suggest
from clientdesk.growth.models import Rfp
from clientdesk.growth.questionnaires import read_questionnaire, write_answers

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

    @property
    def late(self) -> bool:
        return self.days_left is not None and self.days_left < 0 and not self.approved

    @property
    def percent(self) -> int:
        return self.answered * 100 // self.total if self.total else 100


def progress(rfp: Rfp, today: dt.date | None = None) -> list[SectionProgress]:
    """Per section: answered, from the library, approved, and the clock to its due date."""
    rows = []
    for section in rfp.sections.prefetch_related("questions"):
        questions = list(section.questions.all())
        rows.append(
            SectionProgress(
                section.pk,
                section.name,
                sum(1 for q in questions if q.answer),
                len(questions),
                section.approved_at is not None,
                sum(1 for q in questions if q.from_library_id is not None),
                section.due,
                (section.due - today).days if today and section.due else None,
            )
        )
    return rows
