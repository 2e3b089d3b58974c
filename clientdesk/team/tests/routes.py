"""Every route of the team app for the access matrix (web/tests/test_access_matrix.py).

HR data: a manager sees their team (mia manages alice and bob; oscar is ada's), an associate
their own records, executives the aggregates only, service operations nothing."""

from __future__ import annotations

import datetime as dt

from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.team.actions import (
    do_add_module,
    do_assign_course,
    do_complete_assignment,
    do_create_course,
    do_create_path,
    do_open_training_need,
    do_save_license,
    do_schedule_interview,
    do_start_quiz,
)
from clientdesk.team.models import (
    Course,
    LearningPath,
    License,
    QuizAttempt,
    Scorecard,
    TrainingAssignment,
)
from clientdesk.team.tests.cast import (
    alice_assignment,
    alice_request,
    hipaa,
    mia_candidate,
    team,
)
from clientdesk.testing import Cast
from clientdesk.web.tests.access import (
    BOOK,
    CREATE,
    OK,
    READ,
    SIGNED_IN,
    ApiRoute,
    Expect,
    Route,
    acme,
    no_args,
)

# The team's managers (mia, of alice and bob) and admins; everyone else is refused the page.
MANAGERS: Expect = CREATE
# Whoever may hold records of their own: not executives or service operations.
OWN: Expect = {**SIGNED_IN, "eve": 403, "sam": 403}
# One of alice's records: hers, her manager's and the admin's; anyone else: not found.
ALICES: Expect = {
    "ada": OK,
    "mia": OK,
    "alice": OK,
    "bob": 404,
    "oscar": 404,
    "eve": 404,
    "sam": 404,
}
# A quiz sitting is the taker's alone.
TAKERS: Expect = {**ALICES, "ada": 404, "mia": 404}
# Deciding alice's request: her manager or an admin; alice sees it but may not decide it.
DECIDE: Expect = {**ALICES, "alice": 403}
# Asking for time off needs a record of one's own (the cast's associates have one).
ASK: Expect = {
    "ada": 403,
    "mia": 403,
    "alice": OK,
    "bob": OK,
    "oscar": OK,
    "eve": 403,
    "sam": 403,
}
# One's own record by API: those without one (the cast's admin and manager) are told so.
ME: Expect = {**ASK, "ada": 404, "mia": 404}
# Coverage of an account: its team and managers (executives read aggregates only).
COVERAGE: Expect = {**READ, "eve": 403}


def alice(c: Cast) -> dict[str, int]:
    team(c)
    return {"user_id": c.alice.pk}


def alice_license(c: Cast) -> dict[str, int]:
    team(c)
    found = License.objects.filter(user=c.alice).first() or do_save_license(
        c.alice,
        {
            "state": "OH",
            "line": "health",
            "number": "OH-1",
            "issued_on": dt.date(2025, 1, 15),
            "expires_on": dt.date(2027, 1, 15),
            "ce_required": 24,
            "ce_earned": 6,
        },
        acting_user=c.mia,
    )
    return {"user_id": c.alice.pk, "license_id": found.pk}


def with_team(c: Cast) -> dict[str, int]:
    """No arguments, once the cast's records exist."""
    team(c)
    return {}


def course(c: Cast) -> dict[str, int]:
    return {"course_id": hipaa(c).pk}


def assignment(c: Cast) -> dict[str, int]:
    return {"assignment_id": alice_assignment(c).pk}


def quiz_module(c: Cast) -> dict[str, int]:
    a = alice_assignment(c)
    return {"assignment_id": a.pk, "module_id": a.course.modules.get(kind="quiz").pk}


def attempt(c: Cast) -> dict[str, int]:
    a = alice_assignment(c)
    found = QuizAttempt.objects.filter(assignment=a).first() or do_start_quiz(
        a, a.course.modules.get(kind="quiz"), now=dt.datetime.now(dt.UTC), acting_user=c.alice
    )
    return {"attempt_id": found.pk}


def completed(c: Cast) -> dict[str, int]:
    """Alice's completed code-of-conduct course (a document only): a certificate to read."""
    team(c)
    done = TrainingAssignment.objects.filter(user=c.alice, course__code="COC").first()
    if done is None:
        coc = Course.objects.filter(code="COC").first() or do_create_course(
            {"code": "COC", "title": "Code of conduct", "compliance": True}, acting_user=c.mia
        )
        do_add_module(coc, {"kind": "document", "title": "The code"}, acting_user=c.mia)
        (done,) = do_assign_course(
            coc, [c.alice], due_on=dt.date(2099, 1, 1), today=dt.date(2026, 1, 5), acting_user=c.mia
        )
        do_complete_assignment(done, today=dt.date(2026, 1, 6), acting_user=c.alice)
    return {"assignment_id": done.pk}


def path(c: Cast) -> dict[str, int]:
    team(c)
    found = LearningPath.objects.first() or do_create_path(
        "Associate onboarding", [hipaa(c)], account=c.acme, acting_user=c.mia
    )
    return {"path_id": found.pk}


def inquiry(c: Cast) -> dict[str, int]:
    team(c)
    return {"inquiry_id": acme_inquiry(c).pk}


def need(c: Cast) -> dict[str, int]:
    team(c)
    found = do_open_training_need(
        "Prior authorization", ["P-1"], [c.alice], today=dt.date(2026, 12, 1), acting_user=c.mia
    )
    return {"need_id": found.pk}


def time_off_request(c: Cast) -> dict[str, int]:
    return {"request_id": alice_request(c).pk}


def requisition(c: Cast) -> dict[str, int]:
    return {"requisition_id": mia_candidate(c).requisition_id}


def candidate(c: Cast) -> dict[str, int]:
    return {"candidate_id": mia_candidate(c).pk}


def scorecard(c: Cast) -> dict[str, int]:
    cand = mia_candidate(c)
    card = Scorecard.objects.filter(candidate=cand).first() or do_schedule_interview(
        cand, c.mia, dt.date(2026, 10, 20), acting_user=c.mia
    )
    return {"scorecard_id": card.pk}


SCORES = {"recommend": "yes", "c0": "4", "c1": "4", "c2": "3", "c3": "5"}

ROUTES = [
    Route("team:roster", "get", no_args, MANAGERS),
    Route("team:me", "get", no_args, OWN),
    Route("team:overview", "get", no_args, BOOK),
    Route("team:person", "get", alice, ALICES),
    Route("team:person_edit", "get", alice, MANAGERS),
    Route("team:person_edit", "post", alice, MANAGERS, data={"title": ""}),
    Route(
        "team:license_save",
        "post",
        alice,
        MANAGERS,
        data={"state": "OH", "line": "health", "number": "L1"},
    ),
    Route("team:license_edit", "get", alice_license, MANAGERS),
    Route("team:license_edit", "post", alice_license, MANAGERS, data={"state": "OH"}),
    Route("team:schedule_save", "post", alice, MANAGERS, data={"days": "0"}),
    Route("team:one_to_one", "post", alice, MANAGERS, data={"held_on": "2026-12-01"}),
    Route("team:occurrence", "post", alice, MANAGERS, data={"kind": "tardy"}),
    Route("team:licenses", "get", no_args, MANAGERS),
    Route("team:courses", "get", no_args, MANAGERS),
    Route("team:courses", "post", no_args, MANAGERS, data={"code": ""}),
    Route("team:course", "get", course, MANAGERS),
    Route("team:path_create", "post", no_args, MANAGERS, data={"name": ""}),
    Route("team:path_assign", "post", path, MANAGERS, data={"due_on": "2099-01-01"}),
    Route("team:module_create", "post", course, MANAGERS, data={"kind": "document"}),
    Route("team:course_assign", "post", course, MANAGERS, data={"due_on": "2099-01-01"}),
    Route("team:policy_change", "post", course, MANAGERS),
    Route("team:matrix", "get", no_args, MANAGERS),
    Route("team:assignment", "get", assignment, ALICES),
    Route("team:quiz_start", "post", quiz_module, ALICES),
    Route("team:complete", "post", assignment, ALICES),
    Route("team:certificate", "get", completed, ALICES),
    Route("team:quiz", "get", attempt, TAKERS),
    Route("team:quiz_submit", "post", attempt, TAKERS),
    Route("team:needs", "get", no_args, MANAGERS),
    Route("team:need_open", "post", no_args, MANAGERS, data={"topic": ""}),
    Route("team:need_address", "post", need, MANAGERS, data={"title": ""}),
    Route("team:time_off", "get", no_args, OWN),
    Route("team:time_off_request", "post", with_team, ASK, data={"kind": ""}),
    Route("team:time_off_decide", "post", time_off_request, DECIDE, data={"decision": "decline"}),
    Route("team:coverage", "get", acme, COVERAGE),
    Route("team:calendar", "get", no_args, OWN),
    Route("team:recruiting", "get", no_args, MANAGERS),
    Route("team:recruiting", "post", no_args, MANAGERS, data={"title": ""}),
    Route("team:requisition", "get", requisition, MANAGERS),
    Route("team:candidate_create", "post", requisition, MANAGERS, data={"name": ""}),
    Route("team:self_id", "post", requisition, MANAGERS, data={"gender": ""}),
    Route("team:candidate", "get", candidate, MANAGERS),
    Route("team:candidate_move", "post", candidate, MANAGERS, data={"stage": "screened"}),
    Route("team:interview_schedule", "post", candidate, MANAGERS, data={"on": ""}),
    Route("team:offer", "post", candidate, MANAGERS, data={"salary": ""}),
    Route("team:candidate_erase", "post", candidate, MANAGERS, data={"reason": "asked"}),
    Route("team:scorecard_submit", "post", scorecard, MANAGERS, data=SCORES),
    Route("team:quality", "get", no_args, MANAGERS),
    Route("team:quality_review", "post", inquiry, MANAGERS, data={"month": ""}),
    Route("team:retention", "get", no_args, MANAGERS),
    Route("team:adherence", "get", no_args, MANAGERS),
]

WRONG_METHODS = [
    ("team:matrix", "post", no_args),
    ("team:time_off_decide", "get", time_off_request),
    ("team:candidate_erase", "get", candidate),
    ("team:quiz_submit", "get", attempt),
]

API_ROUTES = [
    ApiRoute("/team/me", "get", with_team, ME),
    ApiRoute("/team/matrix", "get", no_args, MANAGERS),
    ApiRoute("/team/people/{user_id}", "get", alice, MANAGERS),
    ApiRoute("/team/people/{user_id}", "patch", alice, MANAGERS, body={"title": "Lead"}),
    ApiRoute("/team/people/{user_id}/licenses", "get", alice, MANAGERS),
    ApiRoute(
        "/team/people/{user_id}/licenses",
        "post",
        alice,
        MANAGERS,
        body={
            "state": "KY",
            "number": "KY-1",
            "issued_on": "2025-01-15",
            "expires_on": "2027-01-15",
        },
    ),
    ApiRoute(
        "/team/people/{user_id}/licenses/{license_id}",
        "patch",
        alice_license,
        MANAGERS,
        body={"ce_earned": 12},
    ),
    ApiRoute(
        "/team/courses/{course_id}/assignments",
        "post",
        course,
        MANAGERS,
        body={"user_ids": [999_999], "due_on": "2001-01-01"},  # passed: 422, after access
    ),
    ApiRoute("/team/time-off/pending", "get", no_args, MANAGERS),
    ApiRoute(
        "/team/time-off",
        "post",
        with_team,
        ASK,
        body={"kind": "none", "first_day": "2027-01-05", "last_day": "2027-01-04"},  # 422
    ),
    ApiRoute(
        "/team/time-off/{request_id}/decision",
        "post",
        time_off_request,
        DECIDE,
        body={"approve": False},
    ),
    ApiRoute(
        "/team/candidates/{candidate_id}/stage",
        "post",
        candidate,
        MANAGERS,
        body={"stage": "screened"},
    ),
]
