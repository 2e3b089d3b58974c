"""Every write of the team app: one transaction, one audit row (side effects on commit)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account, Assignment
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import check_version
from clientdesk.inquiries.models import Inquiry
from clientdesk.team.certificates import certificate_pdf
from clientdesk.team.models import (
    AssignmentReason,
    Balance,
    Candidate,
    Certificate,
    Course,
    LearningPath,
    License,
    Module,
    ModuleKind,
    NeedStatus,
    Occurrence,
    Offer,
    OneToOne,
    Person,
    QualityReview,
    Question,
    QuizAttempt,
    RequestStatus,
    Requisition,
    Scorecard,
    SelfIdentification,
    Shift,
    Stage,
    StageChange,
    TimeOffRequest,
    TimeOffType,
    TrainingAssignment,
    TrainingNeed,
)
from clientdesk.team.rules import (
    AUTO_FAILS,
    CLOSED_STAGES,
    QUALITY_CRITERIA,
    STAGE_MOVES,
    quality_total,
    request_hours,
    score_quiz,
)

COMPETENCIES = ("Customer focus", "Benefits knowledge", "Problem solving", "Communication")


class TeamRuleError(ValueError):
    """A write the team's rules refuse; the message says why, in words for the page."""


# ── people, licenses, schedules ───────────────────────────────────────────────────────────

PERSON_FIELDS = [
    "manager",
    "title",
    "location",
    "onsite_account",
    "hire_date",
    "products",
    "languages",
    "segments",
    "capacity",
    "left_on",
    "leaving",
    "agent_id",
]


@transaction.atomic
def do_save_person(
    user: User,
    data: Mapping[str, Any],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> Person:
    """Create or update a person's HR record. A new person gets the courses required at
    hire, due the course's days after the later of the hire date and today. An update
    based on an older version than the stored one (``expected_version``; None: not checked)
    raises StaleEdit and saves nothing; a saved change adds one to the version."""
    person = Person.objects.select_for_update().filter(user=user).first()
    before = snapshot(person, PERSON_FIELDS) if person is not None else None
    created = person is None
    if person is None:
        person = Person(user=user, hire_date=data["hire_date"])
    else:
        check_version(person, expected_version)
    for name in PERSON_FIELDS:
        if name in data:
            setattr(person, name, data[name])
    if person.location != "onsite":
        person.onsite_account = None
    if person.agent_id and (
        Person.objects.filter(agent_id=person.agent_id).exclude(user=user).exists()
    ):
        raise TeamRuleError(f"The agent id {person.agent_id} is someone else's.")
    if not created:
        if snapshot(person, PERSON_FIELDS) == before:
            return person
        person.version += 1
    person.save()
    record_audit(
        actor=acting_user,
        action="team.person.create" if created else "team.person.update",
        obj=person,
        before=before,
        after=snapshot(person, PERSON_FIELDS),
    )
    if created:
        today = timezone.localdate()
        start = max(person.hire_date, today)
        for course in Course.objects.filter(at_hire=True):
            _assign(
                course,
                user,
                due_on=start + dt.timedelta(days=course.days_to_complete),
                reason=AssignmentReason.HIRE,
                today=today,
                acting_user=acting_user,
            )
        # Already on account teams: those accounts' onboarding paths too.
        for account_id in Assignment.objects.filter(user=user).values_list("account_id", flat=True):
            do_assign_account_paths(
                user, Account.objects.get(pk=account_id), today=today, acting_user=acting_user
            )
    return person


@transaction.atomic
def do_assign_account_paths(
    user: User, account: Account, *, today: dt.date, acting_user: User | None
) -> list[TrainingAssignment]:
    """Someone joins an account's team: the courses of the account's learning paths (its
    onboarding: the plan, special handling, directives) are assigned to them, each due the
    course's days from today. Only people with a team record (still with us) get them; a
    course they already have open is kept as it is."""
    if not Person.objects.filter(user=user, left_on=None).exists():
        return []
    courses = Course.objects.filter(paths__account=account).distinct().order_by("code")
    made = [
        a
        for a in (
            _assign(
                course,
                user,
                due_on=today + dt.timedelta(days=course.days_to_complete),
                reason=AssignmentReason.PATH,
                today=today,
                acting_user=acting_user,
            )
            for course in courses
        )
        if a is not None
    ]
    if made:
        record_audit(
            actor=acting_user,
            action="team.path.assign_on_joining",
            obj=user.team_person,
            account=account,
            detail={"courses": [a.course.code for a in made], "due_on": [a.due_on for a in made]},
        )
    return made


def assign_paths_on_joining(
    sender: type[Assignment], instance: Assignment, created: bool, raw: bool = False, **_: Any
) -> None:
    """``post_save`` of an account-team assignment (accounts.actions.do_assign, inside its
    transaction): a new member of the account team gets the account's paths. The accounts
    app does not know the team app; the team app listens (connected in apps.py)."""
    if created and not raw:
        do_assign_account_paths(
            instance.user, instance.account, today=timezone.localdate(), acting_user=None
        )


LICENSE_FIELDS = ["state", "number", "line", "issued_on", "expires_on", "ce_required", "ce_earned"]


@transaction.atomic
def do_save_license(
    user: User,
    data: Mapping[str, Any],
    *,
    acting_user: User | None,
    license_id: int | None = None,
    expected_version: int | None = None,
) -> License:
    """Record a new license, or change (renew) one. With ``license_id``: that license of the
    user's (its edit page, the API's PATCH), refused as StaleEdit when the stored version is
    newer than ``expected_version`` (None: not checked); a saved change adds one to the
    version. Without: a new license; one of a state and line the user already holds is
    refused (renewing it is a change of that license, made knowing its version), as is
    moving a license onto another's state and line."""
    license_: License | None = None
    if license_id is not None:
        license_ = License.objects.select_for_update().filter(user=user, pk=license_id).first()
        if license_ is None:
            raise TeamRuleError("No such license of theirs.")
        check_version(license_, expected_version)
    before = snapshot(license_, LICENSE_FIELDS) if license_ is not None else None
    if license_ is None:
        license_ = License(user=user)
    for name in LICENSE_FIELDS:
        if name in data:
            setattr(license_, name, data[name])
    if license_.expires_on <= license_.issued_on:
        raise TeamRuleError("A license expires after it is issued.")
    clash = License.objects.filter(user=user, state=license_.state, line=license_.line)
    if clash.exclude(pk=license_.pk).exists():
        raise TeamRuleError(
            f"They already hold a {license_.state} {license_.get_line_display().lower()} "
            "license: change or renew that one."
        )
    if before is not None:
        if snapshot(license_, LICENSE_FIELDS) == before:
            return license_
        license_.version += 1
    license_.save()
    record_audit(
        actor=acting_user,
        action="team.license.save",
        obj=license_,
        object_label=f"{user.get_username()} {license_}",
        before=before,
        after=snapshot(license_, LICENSE_FIELDS) | {"version": license_.version},
    )
    return license_


@transaction.atomic
def do_set_schedule(
    user: User,
    shifts: Iterable[Mapping[str, Any]],
    *,
    acting_user: User | None,
    expected_version: int | None = None,
) -> list[Shift]:
    """Replace a person's weekly schedule (one shift per weekday at most). Given
    `expected_version` (the person's `schedule_version` the page showed), a schedule someone
    saved since raises StaleEdit and nothing changes."""
    person = Person.objects.select_for_update(of=("self",)).filter(user=user).first()
    if person is not None:
        check_version(
            person,
            expected_version,
            field="schedule_version",
            what=f"{user.get_full_name() or user.get_username()}'s schedule",
        )
        person.schedule_version += 1
        person.save(update_fields=["schedule_version"])
    before = [str(s) for s in Shift.objects.filter(user=user)]
    Shift.objects.filter(user=user).delete()
    made = [Shift.objects.create(user=user, **dict(shift)) for shift in shifts]
    record_audit(
        actor=acting_user,
        action="team.schedule.set",
        object_type="auth.user",
        object_id=str(user.pk),
        object_label=user.get_username(),
        before={"shifts": before},
        after={"shifts": [f"{s}{' onsite' if s.onsite else ''}" for s in made]},
    )
    return made


@transaction.atomic
def do_record_occurrence(
    user: User, on: dt.date, kind: str, *, note: str = "", acting_user: User
) -> Occurrence:
    occurrence = Occurrence.objects.create(
        user=user, on=on, kind=kind, note=note, recorded_by=acting_user
    )
    record_audit(
        actor=acting_user,
        action="team.occurrence.record",
        obj=occurrence,
        object_label=f"{user.get_username()}: {occurrence}",
        after={"on": on, "kind": kind},
    )
    return occurrence


# ── curriculum and training ───────────────────────────────────────────────────────────────

COURSE_FIELDS = [
    "code",
    "title",
    "description",
    "compliance",
    "recurrence",
    "at_hire",
    "days_to_complete",
    "passing_score",
    "guards_member_data",
]


@transaction.atomic
def do_create_course(data: Mapping[str, Any], *, acting_user: User | None) -> Course:
    course = Course.objects.create(**{k: data[k] for k in COURSE_FIELDS if k in data})
    record_audit(
        actor=acting_user,
        action="team.course.create",
        obj=course,
        after=snapshot(course, COURSE_FIELDS),
    )
    return course


@transaction.atomic
def do_add_module(
    course: Course,
    data: Mapping[str, Any],
    *,
    questions: Iterable[Mapping[str, Any]] = (),
    acting_user: User | None,
) -> Module:
    """Add a module at the end of a course; a quiz comes with its questions (prompt,
    choices, the right choice's index)."""
    last = course.modules.order_by("-order").values_list("order", flat=True).first()
    module = Module.objects.create(
        course=course,
        order=(last or 0) + 1,
        kind=data["kind"],
        title=data["title"],
        body=data.get("body", ""),
        url=data.get("url", ""),
    )
    questions = list(questions)
    for index, q in enumerate(questions):
        choices = [str(c) for c in q["choices"]]
        if not 0 <= int(q["answer"]) < len(choices) or len(choices) < 2:
            raise TeamRuleError("A question has two choices or more, one of them right.")
        Question.objects.create(
            module=module, order=index, prompt=q["prompt"], choices=choices, answer=q["answer"]
        )
    if module.kind == ModuleKind.QUIZ and not module.questions.exists():
        raise TeamRuleError("A quiz needs at least one question.")
    record_audit(
        actor=acting_user,
        action="team.module.add",
        obj=module,
        after={**snapshot(module, ["course", "kind", "title", "url"]), "questions": len(questions)},
    )
    return module


def _assign(
    course: Course,
    user: User,
    *,
    due_on: dt.date,
    reason: str,
    today: dt.date,
    acting_user: User | None,
) -> TrainingAssignment | None:
    if TrainingAssignment.objects.filter(user=user, course=course, completed_on=None).exists():
        return None
    return TrainingAssignment.objects.create(
        user=user,
        course=course,
        reason=reason,
        assigned_on=today,
        due_on=due_on,
        assigned_by=acting_user,
    )


@transaction.atomic
def do_assign_course(
    course: Course,
    users: Iterable[User],
    *,
    due_on: dt.date,
    today: dt.date,
    reason: str = AssignmentReason.MANUAL,
    acting_user: User | None,
) -> list[TrainingAssignment]:
    """Assign a course to people, due on a date. Someone who already has it open keeps the
    assignment they have (one open assignment per course and person)."""
    if due_on < today:
        raise TeamRuleError("The due date has passed.")
    made = [
        a
        for a in (
            _assign(course, u, due_on=due_on, reason=reason, today=today, acting_user=acting_user)
            for u in users
        )
        if a is not None
    ]
    record_audit(
        actor=acting_user,
        action="team.course.assign",
        obj=course,
        detail={
            "users": [a.user_id for a in made],
            "due_on": due_on,
            "reason": reason,
        },
    )
    return made


@transaction.atomic
def do_create_path(
    name: str,
    courses: Iterable[Course],
    *,
    account: Account | None = None,
    acting_user: User | None,
) -> LearningPath:
    """A learning path: courses for a role (no account) or for onboarding to one sponsor."""
    path = LearningPath.objects.create(name=name, account=account)
    path.courses.set(list(courses))
    record_audit(
        actor=acting_user,
        action="team.path.create",
        obj=path,
        account=account,
        after={"name": name, "courses": sorted(path.courses.values_list("code", flat=True))},
    )
    return path


@transaction.atomic
def do_assign_path(
    path: LearningPath,
    users: Iterable[User],
    *,
    due_on: dt.date,
    today: dt.date,
    acting_user: User | None,
) -> list[TrainingAssignment]:
    """Assign every course of a path to people, due on one date."""
    people = list(users)
    made: list[TrainingAssignment] = []
    for course in path.courses.order_by("code"):
        made += do_assign_course(
            course,
            people,
            due_on=due_on,
            today=today,
            reason=AssignmentReason.PATH,
            acting_user=acting_user,
        )
    return made


@transaction.atomic
def do_record_policy_change(
    course: Course, users: Iterable[User], *, today: dt.date, acting_user: User | None
) -> list[TrainingAssignment]:
    """A material policy change: the course's version goes up and everyone affected must take
    it again within the course's days."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    course.policy_version += 1
    course.save(update_fields=["policy_version"])
    return do_assign_course(
        course,
        users,
        due_on=today + dt.timedelta(days=course.days_to_complete),
        today=today,
        reason=AssignmentReason.POLICY,
        acting_user=acting_user,
    )


@transaction.atomic
def do_start_quiz(
    assignment: TrainingAssignment, module: Module, *, now: dt.datetime, acting_user: User
) -> QuizAttempt:
    """A new sitting of a quiz (or the one already started and not yet submitted)."""
    if module.course_id != assignment.course_id or module.kind != ModuleKind.QUIZ:
        raise TeamRuleError("This quiz is not part of the course.")
    if assignment.user_id != acting_user.pk:
        raise TeamRuleError("Only the person assigned takes the quiz.")
    if assignment.completed_on is not None:
        raise TeamRuleError("This course is already completed.")
    open_ = QuizAttempt.objects.filter(
        assignment=assignment, module=module, submitted_at=None
    ).first()
    if open_ is not None:
        return open_
    return QuizAttempt.objects.create(assignment=assignment, module=module, started_at=now)


@transaction.atomic
def do_submit_quiz(
    attempt: QuizAttempt, answers: Mapping[str, int], *, now: dt.datetime, acting_user: User
) -> QuizAttempt:
    """Score a sitting on the server and close it; a sitting is submitted once only."""
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("assignment__course", "module")
        .get(pk=attempt.pk)
    )
    if attempt.assignment.user_id != acting_user.pk:
        raise TeamRuleError("Only the person assigned takes the quiz.")
    if attempt.submitted_at is not None:
        raise TeamRuleError("This attempt was already submitted; start a new one.")
    key = {str(q.pk): q.answer for q in attempt.module.questions.all()}
    given = {qid: int(answers[qid]) for qid in key if qid in answers}
    attempt.answers = given
    attempt.score = score_quiz(given, key)
    attempt.passed = attempt.score >= attempt.assignment.course.passing_score
    attempt.submitted_at = now
    attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
    record_audit(
        actor=acting_user,
        action="team.quiz.submit",
        obj=attempt.assignment,
        detail={"module": attempt.module_id, "score": attempt.score, "passed": attempt.passed},
    )
    return attempt


@transaction.atomic
def do_complete_assignment(
    assignment: TrainingAssignment,
    *,
    today: dt.date,
    acting_user: User,
    now: dt.datetime | None = None,
) -> TrainingAssignment:
    """Complete a course: every quiz passed; the score is the lowest of the best scores of
    its quizzes (none for a course without a quiz). Its certificate is made there and then
    (``issue_certificate``), with the holder's name as it is at ``now``."""
    assignment = (
        TrainingAssignment.objects.select_for_update()
        .select_related("course", "user")
        .get(pk=assignment.pk)
    )
    if assignment.user_id != acting_user.pk:
        raise TeamRuleError("Only the person assigned completes the course.")
    if assignment.completed_on is not None:
        raise TeamRuleError("This course is already completed.")
    best: list[int] = []
    for module in assignment.course.modules.filter(kind=ModuleKind.QUIZ):
        scores = [
            a.score
            for a in assignment.attempts.filter(module=module, passed=True)
            if a.score is not None
        ]
        if not scores:
            raise TeamRuleError(f"Pass the quiz “{module.title}” first.")
        best.append(max(scores))
    assignment.completed_on = today
    assignment.score = min(best) if best else None
    assignment.save(update_fields=["completed_on", "score"])
    certificate = issue_certificate(assignment, now=now or timezone.now(), acting_user=acting_user)
    record_audit(
        actor=acting_user,
        action="team.course.complete",
        obj=assignment,
        after={
            "completed_on": today,
            "score": assignment.score,
            "certificate": certificate.number,
            "holder_name": certificate.holder_name,
        },
    )
    return assignment


def issue_certificate(
    assignment: TrainingAssignment, *, now: dt.datetime, acting_user: User | None
) -> Certificate:
    """The certificate of a course just completed: its number, the holder's name, the
    course, the completion date and score as they are now, kept as they are. Called inside
    the completing action's transaction (its audit row says so)."""
    if assignment.completed_on is None:
        raise TeamRuleError("The course is not completed yet.")
    return Certificate.objects.create(
        assignment=assignment,
        number=assignment.certificate_number,
        holder_name=assignment.user.get_full_name() or assignment.user.get_username(),
        course_code=assignment.course.code,
        course_title=assignment.course.title,
        policy_version=assignment.course.policy_version,
        completed_on=assignment.completed_on,
        score=assignment.score,
        issued_at=now,
        issued_by=acting_user,
    )


@transaction.atomic
def do_print_certificate(
    certificate: Certificate, *, now: dt.datetime, acting_user: User | None
) -> Certificate:
    """Print a certificate's PDF from what it stored when it was issued (not from today's
    record), once: keep it as a file with its SHA-256 and hand out that file from then on.
    Printing again returns the one printed."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.sha256:
        return certificate
    pdf = certificate_pdf(certificate)
    certificate.sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.size = len(pdf)
    certificate.printed_at = now
    certificate.file.save(f"{certificate.number}.pdf", ContentFile(pdf), save=False)
    # The file is written before the row; a rolled-back row must not leave it behind.
    name = str(certificate.file.name)
    try:
        certificate.save(update_fields=["file", "sha256", "size", "printed_at"])
        record_audit(
            actor=acting_user,
            action="team.certificate.print",
            obj=certificate.assignment,
            after={"number": certificate.number, "sha256": certificate.sha256, "size": len(pdf)},
        )
    except Exception:
        certificate.file.storage.delete(name)
        raise
    return certificate


@transaction.atomic
def do_open_training_need(
    topic: str,
    evidence: list[str],
    people: Iterable[User],
    *,
    today: dt.date,
    acting_user: User | None,
) -> TrainingNeed:
    """Open a training need (topic, evidence, who), or add to the open one of the same topic."""
    need = TrainingNeed.objects.filter(topic__iexact=topic.strip(), status=NeedStatus.OPEN).first()
    created = need is None
    if need is None:
        need = TrainingNeed.objects.create(
            topic=topic.strip(), evidence=[], opened_on=today, opened_by=acting_user
        )
    need.evidence = sorted(set(need.evidence) | set(evidence))
    need.save(update_fields=["evidence"])
    need.people.add(*people)
    record_audit(
        actor=acting_user,
        action="team.need.open" if created else "team.need.update",
        obj=need,
        after={
            "evidence": need.evidence,
            "people": sorted(need.people.values_list("id", flat=True)),
        },
    )
    return need


@transaction.atomic
def do_address_need(
    need: TrainingNeed,
    course: Course,
    module_data: Mapping[str, Any],
    *,
    due_on: dt.date,
    today: dt.date,
    acting_user: User | None,
    questions: Iterable[Mapping[str, Any]] = (),
) -> Module:
    """Turn a training need into a module of a course and assign the course to the people
    the need names."""
    need = TrainingNeed.objects.select_for_update().get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise TeamRuleError("This need has already been addressed.")
    people = list(need.people.all())
    if not people:
        raise TeamRuleError("Name who needs the training first.")
    module = do_add_module(course, module_data, questions=list(questions), acting_user=acting_user)
    need.module = module
    need.status = NeedStatus.ADDRESSED
    need.addressed_on = today
    need.save(update_fields=["module", "status", "addressed_on"])
    do_assign_course(
        course,
        people,
        due_on=due_on,
        today=today,
        reason=AssignmentReason.NEED,
        acting_user=acting_user,
    )
    record_audit(
        actor=acting_user,
        action="team.need.address",
        obj=need,
        after={"module": module.pk, "course": course.pk, "due_on": due_on},
    )
    return module


@transaction.atomic
def do_review_inquiry(
    inquiry: Inquiry,
    scores: Mapping[str, int],
    auto_fail: Iterable[str],
    *,
    month: dt.date,
    notes: str = "",
    now: dt.datetime,
    acting_user: User,
) -> QualityReview:
    """Score a resolved inquiry on the scorecard (each criterion 0 to 5, weighted; any
    auto-fail item makes it 0). One review per reviewer; a second reviewer's review of the
    same inquiry is the calibration."""
    if inquiry.owner_id is None or inquiry.resolved_at is None:
        raise TeamRuleError("Only a resolved inquiry with an owner is reviewed.")
    if inquiry.owner_id == acting_user.pk:
        raise TeamRuleError("No one reviews their own inquiry.")
    if set(scores) != set(QUALITY_CRITERIA) or any(not 0 <= int(v) <= 5 for v in scores.values()):
        raise TeamRuleError("Score every criterion from 0 to 5.")
    fails = [f for f in AUTO_FAILS if f in set(auto_fail)]
    if QualityReview.objects.filter(inquiry=inquiry, reviewer=acting_user).exists():
        raise TeamRuleError("You have already reviewed this inquiry.")
    clean = {c: int(scores[c]) for c in QUALITY_CRITERIA}
    review = QualityReview.objects.create(
        inquiry=inquiry,
        associate_id=inquiry.owner_id,
        reviewer=acting_user,
        month=month.replace(day=1),
        scores=clean,
        auto_fail=fails,
        total=quality_total(clean, fails),
        notes=notes,
        reviewed_at=now,
    )
    record_audit(
        actor=acting_user,
        action="team.quality.review",
        obj=review,
        account=inquiry.account,
        after={"scores": clean, "auto_fail": fails, "total": review.total},
    )
    return review


# ── time off ──────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_request_time_off(
    user: User,
    kind: TimeOffType,
    first_day: dt.date,
    last_day: dt.date,
    *,
    note: str = "",
    acting_user: User,
) -> TimeOffRequest:
    if last_day < first_day:
        raise TeamRuleError("The last day comes after the first.")
    hours = request_hours(first_day, last_day)
    if hours == 0:
        raise TeamRuleError("Those days are not working days.")
    overlapping = TimeOffRequest.objects.filter(
        user=user,
        status__in=(RequestStatus.REQUESTED, RequestStatus.APPROVED),
        first_day__lte=last_day,
        last_day__gte=first_day,
    )
    if overlapping.exists():
        raise TeamRuleError("You already asked for time off on some of those days.")
    request = TimeOffRequest.objects.create(
        user=user, kind=kind, first_day=first_day, last_day=last_day, hours=hours, note=note
    )
    record_audit(
        actor=acting_user,
        action="team.time_off.request",
        obj=request,
        after=snapshot(request, ["kind", "first_day", "last_day", "hours"]),
    )
    manager = Person.objects.filter(user=user).values_list("manager__email", flat=True).first()
    if manager:
        mail = _time_off_mail(request, kind, manager)
        transaction.on_commit(mail.send)
    return request


def _time_off_mail(request: TimeOffRequest, kind: TimeOffType, to: str) -> EmailMessage:
    """The manager's notice of a request to decide (the days, the hours, the type; no note:
    the reason stays on the page)."""
    who = request.user.get_full_name() or request.user.get_username()
    days = (
        f"{request.first_day:%a %b %-d, %Y}"
        if request.first_day == request.last_day
        else f"{request.first_day:%a %b %-d} to {request.last_day:%a %b %-d, %Y}"
    )
    body = (
        f"{who} asks for {kind.name.lower()}: {days}, {request.hours} hours.\n\n"
        f"Approve or decline it on {reverse('team:time_off')}\n\nclientdesk"
    )
    return EmailMessage(
        f"Time off to approve: {who}, {days}", body, settings.DEFAULT_FROM_EMAIL, [to]
    )


@transaction.atomic
def do_decide_time_off(
    request: TimeOffRequest, *, approve: bool, acting_user: User, version: int | None = None
) -> TimeOffRequest:
    """Approve (taking the hours from the balance) or decline a request, once."""
    request = TimeOffRequest.objects.select_for_update().get(pk=request.pk)
    check_version(request, version)
    if request.status != RequestStatus.REQUESTED:
        raise TeamRuleError(f"This request is already {request.get_status_display().lower()}.")
    if approve:
        balance, _ = Balance.objects.select_for_update().get_or_create(
            user_id=request.user_id, kind_id=request.kind_id
        )
        if request.kind.accrual_hours > 0 and balance.hours < request.hours:
            raise TeamRuleError(
                f"The balance is {balance.hours} hours; the request takes {request.hours}."
            )
        if request.kind.accrual_hours > 0:
            balance.hours -= request.hours
            balance.save(update_fields=["hours"])
    request.status = RequestStatus.APPROVED if approve else RequestStatus.DECLINED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.version += 1
    request.save(update_fields=["status", "decided_by", "decided_at", "version"])
    record_audit(
        actor=acting_user,
        action="team.time_off.decide",
        obj=request,
        after={"status": request.status, "hours": request.hours},
    )
    return request


# ── recruiting ────────────────────────────────────────────────────────────────────────────


@transaction.atomic
def do_create_requisition(data: Mapping[str, Any], *, acting_user: User) -> Requisition:
    requisition = Requisition.objects.create(
        title=data["title"],
        location=data["location"],
        reason=data["reason"],
        approved_on=data["approved_on"],
        hiring_manager=data.get("hiring_manager") or acting_user,
    )
    record_audit(
        actor=acting_user,
        action="team.requisition.create",
        obj=requisition,
        after=snapshot(requisition, ["title", "location", "reason", "approved_on"]),
    )
    return requisition


@transaction.atomic
def do_add_candidate(
    requisition: Requisition, data: Mapping[str, Any], *, today: dt.date, acting_user: User
) -> Candidate:
    applied_on = data.get("applied_on") or today
    candidate = Candidate.objects.create(
        requisition=requisition,
        name=data["name"],
        email=data.get("email", ""),
        source=data["source"],
        applied_on=applied_on,
        stage_since=applied_on,
    )
    StageChange.objects.create(candidate=candidate, to_stage=Stage.APPLIED, on=applied_on)
    record_audit(
        actor=acting_user,
        action="team.candidate.add",
        obj=candidate,
        detail={"requisition": requisition.pk, "source": candidate.source},
    )
    return candidate


@transaction.atomic
def do_move_candidate(
    candidate: Candidate, to_stage: str, *, reason: str = "", today: dt.date, acting_user: User
) -> Candidate:
    """Move a candidate along applied → screened → interviewed → offer → hired, or close the
    file (declined or rejected, with a reason). An offer needs a submitted scorecard; a hire
    needs an offer, which it marks accepted, and fills the requisition."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if to_stage not in STAGE_MOVES.get(candidate.stage, ()):
        raise TeamRuleError(
            f"A candidate cannot go from {candidate.get_stage_display()} to "
            f"{Stage(to_stage).label if to_stage in Stage.values else to_stage}."
        )
    if to_stage in {Stage.DECLINED, Stage.REJECTED} and not reason.strip():
        raise TeamRuleError("Say why the file is closed.")
    if to_stage == Stage.OFFER and not candidate.scorecards.exclude(submitted_at=None).exists():
        raise TeamRuleError("An offer follows at least one submitted interview scorecard.")
    if to_stage == Stage.HIRED:
        offer = Offer.objects.filter(candidate=candidate).first()
        if offer is None:
            raise TeamRuleError("Make the offer first.")
        offer.accepted_on = today
        offer.save(update_fields=["accepted_on"])
        Requisition.objects.filter(pk=candidate.requisition_id, filled_on=None).update(
            filled_on=today
        )
    StageChange.objects.create(
        candidate=candidate, from_stage=candidate.stage, to_stage=to_stage, on=today, reason=reason
    )
    before = candidate.stage
    candidate.stage = to_stage
    candidate.stage_since = today
    candidate.closed_reason = reason if to_stage in CLOSED_STAGES else ""
    candidate.save(update_fields=["stage", "stage_since", "closed_reason"])
    record_audit(
        actor=acting_user,
        action="team.candidate.move",
        obj=candidate,
        before={"stage": before},
        after={"stage": to_stage, "reason": reason},
    )
    return candidate


@transaction.atomic
def do_schedule_interview(
    candidate: Candidate, interviewer: User, on: dt.date, *, acting_user: User
) -> Scorecard:
    if candidate.stage in CLOSED_STAGES:
        raise TeamRuleError("This candidate's file is closed.")
    card = Scorecard.objects.create(candidate=candidate, interviewer=interviewer, scheduled_on=on)
    record_audit(
        actor=acting_user,
        action="team.interview.schedule",
        obj=candidate,
        detail={"interviewer": interviewer.pk, "on": on},
    )
    return card


@transaction.atomic
def do_submit_scorecard(
    card: Scorecard, scores: Mapping[str, int], recommend: bool, *, acting_user: User
) -> Scorecard:
    """The interviewer scores every competency from 1 to 5, once."""
    card = Scorecard.objects.select_for_update().get(pk=card.pk)
    if card.interviewer_id != acting_user.pk:
        raise TeamRuleError("Only the interviewer scores the interview.")
    if card.submitted_at is not None:
        raise TeamRuleError("This scorecard was already submitted.")
    missing = [c for c in COMPETENCIES if c not in scores]
    if missing or any(not 1 <= int(scores[c]) <= 5 for c in COMPETENCIES):
        raise TeamRuleError("Score every competency from 1 to 5.")
    card.scores = {c: int(scores[c]) for c in COMPETENCIES}
    card.recommend = recommend
    card.submitted_at = timezone.now()
    card.save(update_fields=["scores", "recommend", "submitted_at"])
    record_audit(
        actor=acting_user,
        action="team.interview.score",
        obj=card.candidate,
        detail={"scorecard": card.pk, "recommend": recommend},
    )
    return card


@transaction.atomic
def do_make_offer(
    candidate: Candidate,
    salary: Decimal,
    start_on: dt.date,
    *,
    today: dt.date,
    acting_user: User,
) -> Offer:
    if candidate.stage != Stage.OFFER:
        raise TeamRuleError("Move the candidate to Offer first.")
    offer, _ = Offer.objects.update_or_create(
        candidate=candidate, defaults={"salary": salary, "start_on": start_on, "made_on": today}
    )
    record_audit(
        actor=acting_user,
        action="team.offer.make",
        obj=candidate,
        detail={"start_on": start_on},
    )
    return offer


@transaction.atomic
def do_erase_candidate(candidate: Candidate, *, reason: str, acting_user: User | None) -> None:
    """Delete a candidate's file for good (on request, or at the end of the retention period):
    the file, its history, scorecards and offer. The audit row keeps no personal data."""
    detail = {
        "requisition": candidate.requisition_id,
        "stage": candidate.stage,
        "reason": reason,
    }
    candidate_id = candidate.pk
    candidate.delete()
    record_audit(
        actor=acting_user,
        action="team.candidate.erase",
        object_type="team.candidate",
        object_id=str(candidate_id),
        object_label=f"Candidate {candidate_id}",
        detail=detail,
    )


@transaction.atomic
def do_record_self_id(
    requisition: Requisition, data: Mapping[str, str], *, acting_user: User | None
) -> None:
    """Store a voluntary self-identification apart from any candidate."""
    SelfIdentification.objects.create(
        requisition=requisition,
        **{k: data.get(k, "") for k in ("gender", "ethnicity", "veteran", "disability")},
    )
    record_audit(
        actor=acting_user,
        action="team.self_id.record",
        object_type="team.selfidentification",
        object_id="",
        object_label=f"REQ-{requisition.pk}",
    )


@transaction.atomic
def do_record_one_to_one(
    user: User, held_on: dt.date, notes: str, *, acting_user: User
) -> OneToOne:
    meeting = OneToOne.objects.create(user=user, manager=acting_user, held_on=held_on, notes=notes)
    record_audit(
        actor=acting_user,
        action="team.one_to_one.record",
        obj=meeting,
        object_label=f"one-to-one with {user.get_username()}",
        after={"held_on": held_on},  # the notes stay out of the trail: they are private
    )
    return meeting
