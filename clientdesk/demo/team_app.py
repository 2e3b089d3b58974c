"""The demo's team records, through the team app's audited actions: a record for each demo
associate (manager, location, hire date, skills), licenses in the states they serve (one
lapsed, two expiring), the compliance curriculum (HIPAA yearly with a quiz, fraud/waste/abuse,
code of conduct) with a year of completions and a few overdue, schedules, time off with
accruals and requests to approve, two requisitions with candidates, one-to-ones, and a
problem whose training finding waits on the training-needs page.

Dates are relative to the day the demo is built, so the lists read the same any day."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.utils import timezone

from clientdesk.accounts.models import Account, Assignment
from clientdesk.demo.team import DEMO_USERS
from clientdesk.insights.actions import do_open_problem, do_update_problem
from clientdesk.insights.models import EmergingIssue
from clientdesk.people.roles import Role
from clientdesk.team import actions
from clientdesk.team.models import Course, Person, TimeOffType, TrainingAssignment
from clientdesk.team.runs import run_accruals, run_reminders

SEED = 2026_20
LANGUAGES = [["English"], ["English", "Spanish"], ["English", "Mandarin"], ["English"]]
HIPAA_QUIZ = [
    {
        "prompt": "A sponsor's benefits manager asks for a member's diagnosis. You share",
        "choices": ["the diagnosis", "nothing without the member's authorization", "a summary"],
        "answer": 1,
    },
    {
        "prompt": "You emailed a claim listing to the wrong sponsor. You report it",
        "choices": ["at once, to the privacy office", "at the next team meeting", "never"],
        "answer": 0,
    },
    {
        "prompt": "The minimum-necessary rule applies to a disclosure for",
        "choices": ["treatment", "payment and operations", "the member themself"],
        "answer": 1,
    },
]
FWA_QUIZ = [
    {
        "prompt": "A provider bills the same service twice a day for months. This is",
        "choices": ["routine", "a possible fraud to report to the SIU", "the sponsor's problem"],
        "answer": 1,
    },
]


def load_team(*, today: dt.date | None = None, say: Callable[[str], object] = print) -> None:
    """Build the team's demo records once (nothing when they exist already)."""
    if Person.objects.exists():
        return
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311  (demo data, not a secret)
    users = {u.username: User.objects.get(username=u.username) for u in DEMO_USERS}
    manager = users["manager"]
    associates = [users[u.username] for u in DEMO_USERS if u.role == Role.ASSOCIATE]
    _former(manager, today)
    courses = _curriculum(manager)  # before the records: at-hire courses are assigned with them
    people = _people(associates, manager, today, rng)
    _licenses(associates, manager, today, rng)
    _training(associates, courses, manager, today, rng)
    _time(associates, manager, today)
    _recruiting(manager, today, rng)
    _one_to_ones(associates, manager, today)
    _finding(manager)
    reminders = run_reminders(today, acting_user=manager)
    say(
        f"team: {len(people)} people, {len(courses)} courses, "
        f"{reminders.overdue} overdue assignments, {reminders.reassigned} yearly re-assigned"
    )


def _people(
    associates: list[User], manager: User, today: dt.date, rng: random.Random
) -> list[Person]:
    made = []
    for index, user in enumerate(associates):
        served = list(
            Account.objects.filter(assignments__user=user).order_by("group_number").distinct()
        )
        lead = Assignment.objects.filter(user=user, role="lead").order_by("account__group_number")
        onsite = lead.first().account if index < 2 and lead.exists() else None  # type: ignore[union-attr]
        products = sorted(
            {p for a in served for c in a.contracts.all() for p in c.products} or {"medical"}
        )
        made.append(
            actions.do_save_person(
                user,
                {
                    "manager": manager,
                    "title": "Senior client-based associate"
                    if index < 3
                    else "Client-based associate",
                    "location": "onsite" if onsite else "remote",
                    "onsite_account": onsite,
                    "hire_date": today - dt.timedelta(days=200 + 260 * index + rng.randint(0, 90)),
                    "products": products,
                    "languages": LANGUAGES[index % len(LANGUAGES)],
                    "segments": sorted({a.segment for a in served}),
                    "capacity": 6,
                    # The synthetic call records name the account team's agents CM01..CM08
                    # by the same round-robin as assign_demo_team (synth/ops_pipeline.py).
                    "agent_id": f"CM{index + 1:02d}",
                },
                acting_user=manager,
            )
        )
    return made


def _former(manager: User, today: dt.date) -> None:
    """A former associate, for attrition: left voluntarily last year."""
    former, _ = User.objects.get_or_create(
        username="former1",
        defaults={"first_name": "Dana", "last_name": "Morrow", "is_active": False},
    )
    former.groups.set([Group.objects.get(name=Role.ASSOCIATE.value)])
    actions.do_save_person(
        former,
        {
            "manager": manager,
            "location": "remote",
            "hire_date": today - dt.timedelta(days=1400),
            "left_on": dt.date(today.year - 1, 9, 30),
            "leaving": "voluntary",
        },
        acting_user=manager,
    )


def _licenses(associates: list[User], manager: User, today: dt.date, rng: random.Random) -> None:
    special = {0: -12, 1: 25, 2: 75}  # one lapsed, one within 30 days, one within 90
    for index, user in enumerate(associates):
        states = sorted(
            set(Account.objects.filter(assignments__user=user).values_list("state", flat=True))
        )
        for number, state in enumerate(states):
            days = special.get(index) if number == 0 else None
            expires = today + dt.timedelta(days=days if days is not None else rng.randint(200, 700))
            actions.do_save_license(
                user,
                {
                    "state": state,
                    "line": "health",
                    "number": f"{state}-{rng.randint(100000, 999999)}",
                    "issued_on": expires - dt.timedelta(days=730),
                    "expires_on": expires,
                    "ce_required": 24,
                    "ce_earned": rng.choice([6, 12, 18, 24, 24]),
                },
                acting_user=manager,
            )


def _curriculum(manager: User) -> list[Course]:
    hipaa = actions.do_create_course(
        {
            "code": "HIPAA",
            "title": "HIPAA privacy and security",
            "description": "45 CFR 164.530(b) and 164.308(a)(5): at hire, yearly, and after "
            "a material policy change.",
            "compliance": True,
            "recurrence": "yearly",
            "at_hire": True,
            "days_to_complete": 30,
            "passing_score": 80,
            "guards_member_data": True,
        },
        acting_user=manager,
    )
    actions.do_add_module(
        hipaa,
        {
            "kind": "document",
            "title": "Our privacy and security policies",
            "body": "Member data is used for the member's plan alone, the minimum necessary.",
        },
        acting_user=manager,
    )
    actions.do_add_module(
        hipaa,
        {
            "kind": "video",
            "title": "Handling a sponsor's request for member data",
            "url": "https://www.hhs.gov/hipaa/for-professionals/privacy/index.html",
        },
        acting_user=manager,
    )
    actions.do_add_module(
        hipaa, {"kind": "quiz", "title": "Check"}, questions=HIPAA_QUIZ, acting_user=manager
    )
    fwa = actions.do_create_course(
        {
            "code": "FWA",
            "title": "Fraud, waste and abuse",
            "compliance": True,
            "recurrence": "yearly",
            "days_to_complete": 45,
        },
        acting_user=manager,
    )
    actions.do_add_module(
        fwa,
        {
            "kind": "link",
            "title": "CMS fraud, waste and abuse training",
            "url": "https://www.cms.gov/outreach-and-education/medicare-learning-network-mln",
        },
        acting_user=manager,
    )
    actions.do_add_module(
        fwa, {"kind": "quiz", "title": "Check"}, questions=FWA_QUIZ, acting_user=manager
    )
    coc = actions.do_create_course(
        {"code": "COC", "title": "Code of conduct", "compliance": True, "at_hire": True},
        acting_user=manager,
    )
    actions.do_add_module(
        coc,
        {"kind": "document", "title": "The code", "body": "Read and attest."},
        acting_user=manager,
    )
    onboarding = actions.do_create_course(
        {"code": "ONB", "title": "Onboarding to a sponsor: plan, special handling, directives"},
        acting_user=manager,
    )
    actions.do_add_module(
        onboarding,
        {
            "kind": "document",
            "title": "The sponsor's plan and special handling",
            "body": "Read the account page's Overview: handling instructions, contacts, contracts.",
        },
        acting_user=manager,
    )
    actions.do_create_path("New associate", [hipaa, coc, fwa, onboarding], acting_user=manager)
    first = Account.objects.order_by("group_number").first()
    if first is not None:
        actions.do_create_path(
            f"Onboarding to {first.name}", [onboarding], account=first, acting_user=manager
        )
    return [hipaa, fwa, coc, onboarding]


def _pass(assignment: TrainingAssignment, on: dt.date, user: User) -> None:
    moment = dt.datetime.combine(on, dt.time(15), tzinfo=dt.UTC)
    for module in assignment.course.modules.filter(kind="quiz"):
        attempt = actions.do_start_quiz(assignment, module, now=moment, acting_user=user)
        answers = {str(q.pk): q.answer for q in module.questions.all()}
        actions.do_submit_quiz(attempt, answers, now=moment, acting_user=user)
    actions.do_complete_assignment(assignment, today=on, acting_user=user)


def _training(
    associates: list[User],
    courses: list[Course],
    manager: User,
    today: dt.date,
    rng: random.Random,
) -> None:
    """At-hire assignments were made with the records (due in 30 days); most people have done
    them. Last year's HIPAA and FWA: most completed, two people overdue this year."""
    for index, user in enumerate(associates):
        for assignment in TrainingAssignment.objects.filter(user=user, completed_on=None):
            if index in (3, 6) and assignment.course.code == "HIPAA":
                continue  # still open
            _pass(assignment, today - dt.timedelta(days=rng.randint(1, 9)), user)
    hipaa, fwa = courses[0], courses[1]
    for index, user in enumerate(associates):
        start = today - dt.timedelta(days=380)
        if index in (3, 6):  # overdue: assigned last year's cycle, never done
            actions.do_assign_course(
                fwa,
                [user],
                due_on=today - dt.timedelta(days=10 + index),
                today=today - dt.timedelta(days=50),
                reason="yearly",
                acting_user=manager,
            )
            continue
        (done,) = actions.do_assign_course(
            fwa, [user], due_on=start + dt.timedelta(days=45), today=start, acting_user=manager
        )
        # Completed 11 to 12 months ago: some lapse within the month and come back.
        _pass(done, today - dt.timedelta(days=rng.randint(335, 364)), user)
    # HIPAA for index 3 and 6 is overdue: its at-hire due date was moved into the past.
    TrainingAssignment.objects.filter(course=hipaa, completed_on=None).update(
        due_on=today - dt.timedelta(days=5)
    )


def _time(associates: list[User], manager: User, today: dt.date) -> None:
    pto = TimeOffType.objects.create(
        code="PTO",
        name="Paid time off",
        accrual_hours=Decimal("6.67"),
        max_balance=Decimal("160"),
    )
    TimeOffType.objects.create(
        code="SICK", name="Sick leave", accrual_hours=Decimal("4"), max_balance=Decimal("80")
    )
    TimeOffType.objects.create(code="JURY", name="Jury duty")
    for index, user in enumerate(associates):
        onsite_days = {1, 3} if index < 2 else set()
        actions.do_set_schedule(
            user,
            [
                {
                    "weekday": day,
                    "starts": dt.time(8, 30),
                    "ends": dt.time(17),
                    "onsite": day in onsite_days,
                }
                for day in range(5)
            ],
            acting_user=manager,
        )
    run_accruals(today.replace(day=1), acting_user=manager)
    monday = today + dt.timedelta(days=7 - today.weekday())
    # The first onsite associate is out all next week: the sponsor's site is left empty.
    approved = actions.do_request_time_off(
        associates[0],
        pto,
        monday,
        monday + dt.timedelta(days=4),
        note="family",
        acting_user=associates[0],
    )
    actions.do_decide_time_off(approved, approve=True, acting_user=manager)
    actions.do_request_time_off(
        associates[2],
        pto,
        monday + dt.timedelta(days=14),
        monday + dt.timedelta(days=15),
        note="moving house",
        acting_user=associates[2],
    )
    actions.do_request_time_off(
        associates[1],
        pto,
        monday + dt.timedelta(days=8),
        monday + dt.timedelta(days=8),
        acting_user=associates[1],
    )


def _recruiting(manager: User, today: dt.date, rng: random.Random) -> None:
    filled = actions.do_create_requisition(
        {
            "title": "Client-based associate, labor funds",
            "location": "remote",
            "reason": "backfill",
            "approved_on": today - dt.timedelta(days=120),
        },
        acting_user=manager,
    )
    hire = actions.do_add_candidate(
        filled,
        {
            "name": "Morgan Ruiz",
            "email": "morgan.ruiz@example.org",
            "source": "referral",
            "applied_on": today - dt.timedelta(days=110),
        },
        today=today - dt.timedelta(days=110),
        acting_user=manager,
    )
    day = today - dt.timedelta(days=104)
    actions.do_move_candidate(hire, "screened", today=day, acting_user=manager)
    card = actions.do_schedule_interview(
        hire, manager, day + dt.timedelta(days=6), acting_user=manager
    )
    actions.do_move_candidate(
        hire, "interviewed", today=day + dt.timedelta(days=6), acting_user=manager
    )
    actions.do_submit_scorecard(
        card,
        dict.fromkeys(actions.COMPETENCIES, 4),
        True,
        acting_user=manager,
    )
    hire = actions.do_move_candidate(
        hire, "offer", today=day + dt.timedelta(days=10), acting_user=manager
    )
    actions.do_make_offer(
        hire,
        Decimal("56000"),
        today - dt.timedelta(days=60),
        today=day + dt.timedelta(days=10),
        acting_user=manager,
    )
    actions.do_move_candidate(hire, "hired", today=day + dt.timedelta(days=14), acting_user=manager)
    other = actions.do_add_candidate(
        filled,
        {"name": "Casey Park", "source": "job_board", "applied_on": today - dt.timedelta(days=108)},
        today=today - dt.timedelta(days=108),
        acting_user=manager,
    )
    actions.do_move_candidate(
        other,
        "rejected",
        reason="No benefits experience",
        today=today - dt.timedelta(days=100),
        acting_user=manager,
    )
    growth = actions.do_create_requisition(
        {
            "title": "Client-based associate, public sector (onsite)",
            "location": "onsite",
            "reason": "growth",
            "approved_on": today - dt.timedelta(days=30),
        },
        acting_user=manager,
    )
    names = [
        ("Avery Chen", "career_site"),
        ("Jordan Ellis", "referral"),
        ("Riley Thompson", "agency"),
        ("Sam Patel", "job_board"),
    ]
    for index, (name, source) in enumerate(names):
        applied = today - dt.timedelta(days=25 - index * 3)
        candidate = actions.do_add_candidate(
            growth,
            {
                "name": name,
                "email": f"{name.split()[0].lower()}@example.org",
                "source": source,
                "applied_on": applied,
            },
            today=applied,
            acting_user=manager,
        )
        if index <= 2:
            actions.do_move_candidate(
                candidate, "screened", today=applied + dt.timedelta(days=3), acting_user=manager
            )
        if index <= 1:
            actions.do_schedule_interview(
                candidate, manager, today + dt.timedelta(days=index), acting_user=manager
            )
    for requisition in (filled, growth):
        for _ in range(7):
            actions.do_record_self_id(
                requisition,
                {
                    "gender": rng.choice(["Woman", "Woman", "Man", "Man", "Non-binary", ""]),
                    "ethnicity": rng.choice(["Hispanic or Latino", "White", "Black", "Asian", ""]),
                    "veteran": rng.choice(["yes", "no", "no", "no"]),
                    "disability": rng.choice(["yes", "no", "no", ""]),
                },
                acting_user=manager,
            )


def _one_to_ones(associates: list[User], manager: User, today: dt.date) -> None:
    for index, user in enumerate(associates[:5]):
        actions.do_record_one_to_one(
            user,
            today - dt.timedelta(days=14 + 20 * index),
            "Caseload and development goals reviewed.",
            acting_user=manager,
        )


def _finding(manager: User) -> None:
    """A problem record with a training topic: the training finding the manager turns into a
    module on the training-needs page."""
    issue = EmergingIssue.objects.exclude(account=None).order_by("-observed", "id").first()
    if issue is None:
        return
    problem = do_open_problem(issue, acting_user=manager)
    do_update_problem(
        problem,
        {"training_topic": "Prior authorization rules for imaging claims"},
        acting_user=manager,
    )
