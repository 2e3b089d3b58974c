"""The team on the named cast, built through the real actions: mia manages alice and bob;
oscar is managed by ada (so he is outside mia's team)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clientdesk.team.actions import (
    do_add_candidate,
    do_add_module,
    do_assign_course,
    do_create_course,
    do_create_requisition,
    do_request_time_off,
    do_save_person,
)
from clientdesk.team.models import (
    Candidate,
    Course,
    Person,
    TimeOffRequest,
    TimeOffType,
    TrainingAssignment,
)
from clientdesk.testing import Cast

HIRED = dt.date(2024, 3, 4)


def team(c: Cast) -> dict[str, Person]:
    """Records for alice, bob (mia's reports) and oscar (ada's), once."""
    if Person.objects.filter(user=c.alice).exists():
        return {p.user.username: p for p in Person.objects.select_related("user")}
    alice = do_save_person(
        c.alice,
        {
            "manager": c.mia,
            "location": "onsite",
            "onsite_account": c.acme,
            "hire_date": HIRED,
            "products": ["medical", "pharmacy"],
            "languages": ["English", "Spanish"],
            "segments": ["commercial"],
            "capacity": 4,
        },
        acting_user=c.mia,
    )
    bob = do_save_person(
        c.bob,
        {"manager": c.mia, "location": "remote", "hire_date": dt.date(2025, 6, 2)},
        acting_user=c.mia,
    )
    oscar = do_save_person(
        c.oscar,
        {"manager": c.ada, "location": "remote", "hire_date": dt.date(2023, 1, 9)},
        acting_user=c.ada,
    )
    return {"alice": alice, "bob": bob, "oscar": oscar}


QUIZ = [
    {"prompt": "Minimum necessary applies to", "choices": ["Treatment", "Payment"], "answer": 1},
    {"prompt": "A breach is reported within", "choices": ["60 days", "1 year"], "answer": 0},
]


def hipaa(c: Cast) -> Course:
    found = Course.objects.filter(code="HIPAA").first()
    if found is not None:
        return found
    course = do_create_course(
        {
            "code": "HIPAA",
            "title": "HIPAA privacy and security",
            "compliance": True,
            "recurrence": "yearly",
            "days_to_complete": 30,
            "passing_score": 80,
            "guards_member_data": True,
        },
        acting_user=c.mia,
    )
    do_add_module(
        course,
        {"kind": "document", "title": "Our privacy policy", "body": "Read it."},
        acting_user=c.mia,
    )
    do_add_module(course, {"kind": "quiz", "title": "Check"}, questions=QUIZ, acting_user=c.mia)
    return course


def alice_assignment(c: Cast) -> TrainingAssignment:
    team(c)
    course = hipaa(c)
    found = TrainingAssignment.objects.filter(user=c.alice, course=course).first()
    if found is not None:
        return found
    return do_assign_course(
        course,
        [c.alice],
        due_on=dt.date(2026, 12, 31),
        today=dt.date(2026, 12, 1),
        acting_user=c.mia,
    )[0]


def vacation() -> TimeOffType:
    kind, _ = TimeOffType.objects.get_or_create(
        code="PTO",
        defaults={
            "name": "Paid time off",
            "accrual_hours": Decimal("10"),
            "max_balance": Decimal("160"),
        },
    )
    return kind


def alice_request(c: Cast) -> TimeOffRequest:
    team(c)
    found = TimeOffRequest.objects.filter(user=c.alice).first()
    if found is not None:
        return found
    return do_request_time_off(
        c.alice, vacation(), dt.date(2027, 1, 4), dt.date(2027, 1, 5), acting_user=c.alice
    )


def mia_candidate(c: Cast) -> Candidate:
    found = Candidate.objects.first()
    if found is not None:
        return found
    requisition = do_create_requisition(
        {
            "title": "Client-based associate, Ohio",
            "location": "onsite",
            "reason": "growth",
            "approved_on": dt.date(2026, 10, 1),
        },
        acting_user=c.mia,
    )
    return do_add_candidate(
        requisition,
        {"name": "Jordan Ellis", "email": "jordan@example.org", "source": "referral"},
        today=dt.date(2026, 10, 12),
        acting_user=c.mia,
    )
