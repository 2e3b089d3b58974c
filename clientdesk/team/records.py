"""One person's HR record as a page shows it (already access-checked and audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from clientdesk.team.access import may_manage_person
from clientdesk.team.models import (
    Balance,
    Occurrence,
    OneToOne,
    Person,
    Shift,
    TimeOffRequest,
    TrainingAssignment,
)
from clientdesk.team.queries import LicenseRow, adherence_of, licenses_of, roster
from clientdesk.team.rules import Adherence, attendance_points


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    load: Any
    licenses: list[LicenseRow]
    training: QuerySet[TrainingAssignment]
    shifts: QuerySet[Shift]
    balances: QuerySet[Balance]
    requests: QuerySet[TimeOffRequest]
    one_to_ones: QuerySet[OneToOne] | None  # the reader's own notes, when they manage them
    today: dt.date
    occurrences: list[Occurrence]
    points: Decimal
    points_step: str
    adherence: Adherence


def person_record(person: Person, reader: Any, today: dt.date) -> PersonRecord:
    people = Person.objects.filter(pk=person.pk)
    rows = roster(people, today)
    occurrences = list(Occurrence.objects.filter(user_id=person.user_id)[:50])
    points, step = attendance_points([(o.on, o.points) for o in occurrences], today)
    return PersonRecord(
        person=person,
        load=rows[0] if rows else None,
        licenses=licenses_of([person.user_id], today),
        training=TrainingAssignment.objects.filter(user_id=person.user_id)
        .select_related("course")
        .order_by("completed_on", "due_on"),
        shifts=Shift.objects.filter(user_id=person.user_id),
        balances=Balance.objects.filter(user_id=person.user_id).select_related("kind"),
        requests=TimeOffRequest.objects.filter(user_id=person.user_id)
        .select_related("kind")
        .order_by("-first_day")[:20],
        one_to_ones=OneToOne.objects.filter(user_id=person.user_id, manager_id=reader.pk or 0)
        if may_manage_person(reader, person)
        else None,
        today=today,
        occurrences=occurrences,
        points=points,
        points_step=step,
        adherence=adherence_of(reader, person, today),
    )
