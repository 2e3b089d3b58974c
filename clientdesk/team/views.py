"""The Team area's pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import access_account_by_id
from clientdesk.audit.conflicts import (
    ConflictRow,
    conflict_context,
    posted_version,
    save_or_conflict,
)
from clientdesk.audit.updating import StaleEdit
from clientdesk.inquiries.models import Inquiry
from clientdesk.lib.downloads import file_download
from clientdesk.lib.periods import PeriodError, month_start, parse_month
from clientdesk.people.requests import signed_in_user
from clientdesk.team import actions
from clientdesk.team.access import (
    access_assignment_by_id,
    access_candidate_by_id,
    access_person_by_id,
    access_request_by_id,
    access_requisition_by_id,
    has_own_records,
    managed_people,
    manages_team,
    may_manage_person,
    reads_team_aggregates,
    requisitions_visible_to,
)
from clientdesk.team.actions import TeamRuleError
from clientdesk.team.calendar import person_calendar
from clientdesk.team.certificates import CertificateAltered, stored_certificate
from clientdesk.team.forms import (
    AddressNeedForm,
    AssignForm,
    CandidateForm,
    CourseForm,
    DecisionForm,
    EraseForm,
    InterviewForm,
    LicenseForm,
    ModuleForm,
    MoveForm,
    OccurrenceForm,
    OfferForm,
    OneToOneForm,
    OpenNeedForm,
    PathForm,
    PersonForm,
    RequisitionForm,
    ReviewForm,
    ScorecardForm,
    SelfIdForm,
    ShiftsForm,
    TimeOffForm,
)
from clientdesk.team.matrix_html import matrix_rows
from clientdesk.team.models import (
    Candidate,
    Certificate,
    Course,
    LearningPath,
    License,
    ModuleKind,
    Person,
    QuizAttempt,
    Scorecard,
    Stage,
    TimeOffRequest,
    TrainingNeed,
)
from clientdesk.team.panels import COVERAGE_DAYS
from clientdesk.team.queries import (
    account_coverage,
    attrition,
    calibration,
    compliance_matrix,
    coverage_gaps,
    expiring_licenses,
    findings_without_need,
    licenses_of,
    member_data_refusal,
    need_effect,
    open_needs,
    pending_requests,
    quality_findings,
    quality_month,
    recruiting_summary,
    retention,
    roster,
    self_id_report,
    team_adherence,
    team_aggregates,
)
from clientdesk.team.records import person_record


def _today() -> dt.date:
    return timezone.localdate()


def _require_manager(request: HttpRequest) -> User:
    if not manages_team(request.user):
        raise PermissionDenied("The team's records are for its managers.")
    return signed_in_user(request)


def _team_users(request: HttpRequest) -> Any:
    return User.objects.filter(
        team_person__in=managed_people(request.user), team_person__left_on=None
    ).order_by("last_name", "first_name")


def _refused(request: HttpRequest, error: TeamRuleError | StaleEdit) -> None:
    messages.error(request, str(error))


def _form_errors(form: BaseForm) -> str:
    return "; ".join(str(e) for v in form.errors.values() for e in v)


def _run(request: HttpRequest, act: Callable[[], str]) -> bool:
    """Run one action; its message on success, or the rule that refused it (or the newer
    version saved meanwhile), for the page."""
    try:
        done = act()
    except (TeamRuleError, StaleEdit) as error:
        _refused(request, error)
        return False
    messages.success(request, done)
    return True


def _submit(
    request: HttpRequest,
    form: BaseForm,
    act: Callable[[dict[str, Any]], str],
    invalid: str,
    *,
    with_errors: bool = False,
) -> bool:
    """A posted form: the action on its cleaned data, or what is wrong with it (``invalid``,
    followed by the form's own field errors ``with_errors``)."""
    if not form.is_valid():
        messages.error(request, f"{invalid} {_form_errors(form)}" if with_errors else invalid)
        return False
    return _run(request, lambda: act(form.cleaned_data))


def _person_post(
    request: HttpRequest,
    user_id: int,
    form_class: type[BaseForm],
    act: Callable[[User, dict[str, Any], User], object],
    done: str,
    invalid: str,
    *,
    with_errors: bool = False,
) -> HttpResponse:
    """A manager's change to one person's record, back to that record."""
    acting = _require_manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)

    def change(data: dict[str, Any]) -> str:
        act(person.user, data, acting)
        return done

    _submit(request, form_class(request.POST), change, invalid, with_errors=with_errors)
    return redirect("team:person", user_id=user_id)


# ── roster and people ─────────────────────────────────────────────────────────────────────


@login_required
@require_GET
def roster_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    rows = roster(managed_people(request.user), _today())
    unlisted = User.objects.filter(
        groups__name="Associate", team_person__isnull=True, is_active=True
    ).order_by("last_name")
    return render(request, "team/roster.html", {"rows": rows, "unlisted": unlisted})


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    if not has_own_records(request.user):
        raise PermissionDenied("You have no team record.")
    person = Person.objects.filter(user_id=request.user.pk or 0).first()
    if person is None:
        return render(request, "team/person.html", {"record": None, "own": True})
    access_person_by_id(request.user, int(person.user_id))
    return render(
        request,
        "team/person.html",
        {
            "record": person_record(person, request.user, _today()),
            "own": True,
            "member_data_closed": member_data_refusal(person.user, timezone.now()),
            "time_off_form": TimeOffForm(),
        },
    )


@login_required
@require_GET
def person_page(request: HttpRequest, user_id: int) -> HttpResponse:
    person = access_person_by_id(request.user, user_id)
    manages = may_manage_person(request.user, person)
    return render(
        request,
        "team/person.html",
        {
            "record": person_record(person, request.user, _today()),
            "own": person.user_id == request.user.pk,
            "manages": manages,
            "member_data_closed": member_data_refusal(person.user, timezone.now()),
            "license_form": LicenseForm(),
            "shifts_form": ShiftsForm(initial=ShiftsForm.initial_of(person.user.shifts.all())),
            "one_to_one_form": OneToOneForm(initial={"held_on": _today()}),
            "occurrence_form": OccurrenceForm(initial={"on": _today()}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    """Create a person's record (for an associate without one) or change it."""
    acting = _require_manager(request)
    person = Person.objects.filter(user_id=user_id).first()
    if person is not None:
        person = access_person_by_id(request.user, user_id, manage=True)
        user = person.user
    else:
        found = User.objects.filter(pk=user_id, is_active=True, groups__name="Associate").first()
        if found is None:
            raise Http404("No such associate.")
        user = found
    form = PersonForm(request.POST or None, instance=person, initial={"manager": acting.pk})
    context: dict[str, Any] = {
        "form": form,
        "subject": user,
        "person": person,
        "edit_version": person.version if person is not None else None,
    }
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_person(
                user,
                form.cleaned_data,
                acting_user=acting,
                expected_version=posted_version(request),
            )
        except StaleEdit as stale:
            context.update(conflict_context(stale, form))
            return render(request, "team/person_form.html", context, status=409)
        except TeamRuleError as error:
            form.add_error("agent_id", str(error))
            return render(request, "team/person_form.html", context)
        messages.success(request, "Record saved.")
        return redirect("team:person", user_id=user.pk)
    return render(request, "team/person_form.html", context)


@login_required
@require_POST
def license_save(request: HttpRequest, user_id: int) -> HttpResponse:
    return _person_post(
        request,
        user_id,
        LicenseForm,
        lambda user, data, acting: actions.do_save_license(user, data, acting_user=acting),
        "License saved.",
        "License not saved:",
        with_errors=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def license_edit(request: HttpRequest, user_id: int, license_id: int) -> HttpResponse:
    """Change or renew one license of a person (their manager). The page posts the version it
    showed: a license saved by someone else since is refused (409, both versions shown)."""
    acting = _require_manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)
    license_ = License.objects.filter(user=person.user, pk=license_id).first()
    if license_ is None:
        raise Http404("No such license of theirs.")
    form = LicenseForm(request.POST or None, instance=license_)
    context: dict[str, Any] = {
        "form": form,
        "subject": person.user,
        "license": license_,
        "edit_version": license_.version,
    }
    if request.method == "POST" and form.is_valid():
        try:
            refused = save_or_conflict(
                request,
                form,
                lambda version: actions.do_save_license(
                    person.user,
                    form.cleaned_data,
                    acting_user=acting,
                    license_id=license_id,
                    expected_version=version,
                ),
                template="team/license_form.html",
                context=context,
            )
        except TeamRuleError as error:
            form.add_error(None, str(error))
            return render(request, "team/license_form.html", context, status=422)
        if refused is not None:
            return refused
        messages.success(request, "License saved.")
        return redirect("team:person", user_id=user_id)
    status = 422 if request.method == "POST" else 200
    return render(request, "team/license_form.html", context, status=status)


@login_required
@require_POST
def schedule_save(request: HttpRequest, user_id: int) -> HttpResponse:
    """The week replaced as a whole, from the version of it the page showed: a schedule
    someone saved since answers 409 with both weeks side by side."""
    acting = _require_manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)
    form = ShiftsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Schedule not saved: check the days and hours.")
        return redirect("team:person", user_id=user_id)
    try:
        actions.do_set_schedule(
            person.user,
            form.shifts(),
            acting_user=acting,
            expected_version=posted_version(request),
        )
    except StaleEdit as stale:
        form.add_error(None, str(stale))
        stored = ShiftsForm.described(ShiftsForm.initial_of(person.user.shifts.all()))
        yours = ShiftsForm.described(form.cleaned_data)
        rows = [
            ConflictRow(
                str(form.fields[name].label), stored[name], yours[name], stored[name] != yours[name]
            )
            for name in ("days", "onsite_days", "starts", "ends")
        ]
        context = {
            "form": form,
            "title": f"The schedule of {person.user.get_full_name()}",
            "action": request.path,
            "back": reverse("team:person", args=[user_id]),
            "conflict_rows": rows,
            "edit_version": stale.version,
        }
        return render(request, "audit/stale_save.html", context, status=409)
    messages.success(request, "Schedule saved.")
    return redirect("team:person", user_id=user_id)


@login_required
@require_POST
def one_to_one(request: HttpRequest, user_id: int) -> HttpResponse:
    def record(user: User, data: dict[str, Any], acting: User) -> object:
        return actions.do_record_one_to_one(
            user, data["held_on"], data["notes"], acting_user=acting
        )

    return _person_post(
        request, user_id, OneToOneForm, record, "One-to-one recorded.", "Give the meeting's date."
    )


@login_required
@require_POST
def occurrence(request: HttpRequest, user_id: int) -> HttpResponse:
    def record(user: User, data: dict[str, Any], acting: User) -> object:
        return actions.do_record_occurrence(
            user, data["on"], data["kind"], note=data["note"], acting_user=acting
        )

    return _person_post(
        request,
        user_id,
        OccurrenceForm,
        record,
        "Occurrence recorded.",
        "Give the day and the kind.",
    )


@login_required
@require_GET
def licenses_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    ids = managed_people(request.user).values_list("user_id", flat=True)
    today = _today()
    return render(
        request,
        "team/licenses.html",
        {"rows": licenses_of(ids, today), "alerts": expiring_licenses(ids, today)},
    )


# ── curriculum and training ───────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def courses(request: HttpRequest) -> HttpResponse:
    acting = _require_manager(request)
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        course = actions.do_create_course(form.cleaned_data, acting_user=acting)
        return redirect("team:course", course_id=course.pk)
    listed = Course.objects.prefetch_related("modules").order_by("-compliance", "code")
    paths = LearningPath.objects.select_related("account").prefetch_related("courses")
    return render(
        request,
        "team/courses.html",
        {
            "courses": listed,
            "form": form,
            "paths": paths.order_by("name"),
            "path_form": PathForm(),
            "assign_form": AssignForm(
                people=_team_users(request),
                initial={"due_on": _today() + dt.timedelta(days=30)},
            ),
        },
    )


@login_required
@require_POST
def path_create(request: HttpRequest) -> HttpResponse:
    acting = _require_manager(request)

    def create(data: dict[str, Any]) -> str:
        actions.do_create_path(
            data["name"], data["courses"], account=data["account"], acting_user=acting
        )
        return "Learning path created."

    _submit(
        request, PathForm(request.POST), create, "Give the path a name and at least one course."
    )
    return redirect("team:courses")


@login_required
@require_POST
def path_assign(request: HttpRequest, path_id: int) -> HttpResponse:
    acting = _require_manager(request)
    path = LearningPath.objects.filter(pk=path_id).first()
    if path is None:
        raise Http404("No such path.")

    def assign(data: dict[str, Any]) -> str:
        made = actions.do_assign_path(
            path, data["people"], due_on=data["due_on"], today=_today(), acting_user=acting
        )
        return f"{len(made)} assignments made."

    form = AssignForm(request.POST, people=_team_users(request))
    _submit(request, form, assign, "Choose people and a due date.")
    return redirect("team:courses")


def _course(course_id: int) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise Http404("No such course.")
    return course


@login_required
@require_GET
def course_page(request: HttpRequest, course_id: int) -> HttpResponse:
    _require_manager(request)
    course = _course(course_id)
    return render(
        request,
        "team/course.html",
        {
            "course": course,
            "modules": course.modules.prefetch_related("questions"),
            "module_form": ModuleForm(),
            "assign_form": AssignForm(
                people=_team_users(request),
                initial={"due_on": _today() + dt.timedelta(days=course.days_to_complete)},
            ),
            "assignments": course.assignments.filter(
                user__team_person__in=managed_people(request.user)
            )
            .select_related("user")
            .order_by("completed_on", "due_on")[:200],
            "today": _today(),
        },
    )


@login_required
@require_POST
def module_create(request: HttpRequest, course_id: int) -> HttpResponse:
    acting = _require_manager(request)
    course = _course(course_id)

    def add(data: dict[str, Any]) -> str:
        actions.do_add_module(course, data, questions=data["question_list"], acting_user=acting)
        return "Module added."

    _submit(request, ModuleForm(request.POST), add, "Module not added:", with_errors=True)
    return redirect("team:course", course_id=course.pk)


@login_required
@require_POST
def course_assign(request: HttpRequest, course_id: int) -> HttpResponse:
    acting = _require_manager(request)
    course = _course(course_id)

    def assign(data: dict[str, Any]) -> str:
        made = actions.do_assign_course(
            course, data["people"], due_on=data["due_on"], today=_today(), acting_user=acting
        )
        return f"Assigned to {len(made)} people."

    form = AssignForm(request.POST, people=_team_users(request))
    _submit(request, form, assign, "Choose people and a due date.")
    return redirect("team:course", course_id=course.pk)


@login_required
@require_POST
def policy_change(request: HttpRequest, course_id: int) -> HttpResponse:
    acting = _require_manager(request)
    course = _course(course_id)
    made = actions.do_record_policy_change(
        course, list(_team_users(request)), today=_today(), acting_user=acting
    )
    messages.success(request, f"Policy change recorded; {len(made)} people must take it again.")
    return redirect("team:course", course_id=course.pk)


@login_required
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    found = compliance_matrix(managed_people(request.user), _today())
    return render(request, "team/matrix.html", {"matrix": found, "rows": matrix_rows(found)})


@login_required
@require_GET
def assignment_page(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment_by_id(request.user, assignment_id)
    modules = list(assignment.course.modules.all())
    passed = set(assignment.attempts.filter(passed=True).values_list("module_id", flat=True))
    return render(
        request,
        "team/assignment.html",
        {
            "a": assignment,
            "modules": modules,
            "passed": passed,
            "own": assignment.user_id == request.user.pk,
            "attempts": assignment.attempts.exclude(submitted_at=None).select_related("module"),
            "today": _today(),
        },
    )


@login_required
@require_POST
def quiz_start(request: HttpRequest, assignment_id: int, module_id: int) -> HttpResponse:
    assignment = access_assignment_by_id(request.user, assignment_id)
    module = assignment.course.modules.filter(pk=module_id, kind=ModuleKind.QUIZ).first()
    if module is None:
        raise Http404("No such quiz.")
    try:
        attempt = actions.do_start_quiz(
            assignment, module, now=timezone.now(), acting_user=signed_in_user(request)
        )
    except TeamRuleError as error:
        _refused(request, error)
        return redirect("team:assignment", assignment_id=assignment.pk)
    return redirect("team:quiz", attempt_id=attempt.pk)


def _attempt(request: HttpRequest, attempt_id: int) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.filter(pk=attempt_id, assignment__user_id=request.user.pk or 0)
        .select_related("assignment__course", "module")
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


@login_required
@require_GET
def quiz(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    return render(
        request,
        "team/quiz.html",
        {"attempt": attempt, "questions": attempt.module.questions.all()},
    )


@login_required
@require_POST
def quiz_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _attempt(request, attempt_id)
    answers = {}
    for q in attempt.module.questions.all():
        raw = request.POST.get(f"q{q.pk}", "")
        if raw.isdigit():
            answers[str(q.pk)] = int(raw)
    try:
        done = actions.do_submit_quiz(
            attempt, answers, now=timezone.now(), acting_user=signed_in_user(request)
        )
        if done.passed:
            messages.success(request, f"Passed with {done.score}%.")
        else:
            messages.error(
                request,
                f"Scored {done.score}%; {attempt.assignment.course.passing_score}% passes. "
                "Try again.",
            )
    except TeamRuleError as error:
        _refused(request, error)
    return redirect("team:assignment", assignment_id=attempt.assignment_id)


@login_required
@require_POST
def assignment_complete(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access_assignment_by_id(request.user, assignment_id)
    acting = signed_in_user(request)

    def complete() -> str:
        actions.do_complete_assignment(assignment, today=_today(), acting_user=acting)
        return "Course completed. Your certificate is ready."

    _run(request, complete)
    return redirect("team:assignment", assignment_id=assignment.pk)


@login_required
@require_GET
def certificate(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The certificate made when the course was completed: printed from what it stored
    (the name, course and date as they were then) and kept the first time it is opened,
    the kept file (checked against its SHA-256) every time after."""
    assignment = access_assignment_by_id(request.user, assignment_id)
    made = Certificate.objects.filter(assignment=assignment).first()
    if made is None:
        raise Http404("Not completed yet.")
    issued = actions.do_print_certificate(
        made, now=timezone.now(), acting_user=signed_in_user(request)
    )
    try:
        pdf = stored_certificate(issued)
    except CertificateAltered as altered:
        return render(
            request,
            "web/error.html",
            {"code": 409, "title": "Certificate altered", "text": str(altered)},
            status=409,
        )
    return file_download(
        pdf, filename=f"certificate-{issued.number}.pdf", content_type="application/pdf"
    )


@login_required
@require_GET
def needs(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    team = _team_users(request)
    return render(
        request,
        "team/needs.html",
        {
            "needs": [(n, need_effect(n, _today())) for n in open_needs()],
            "findings": findings_without_need(),
            "quality_findings": quality_findings(
                managed_people(request.user), (_today() - dt.timedelta(days=90)).replace(day=1)
            ),
            "open_form": OpenNeedForm(people=team),
            "address_form": AddressNeedForm(initial={"due_on": _today() + dt.timedelta(days=30)}),
        },
    )


@login_required
@require_POST
def need_open(request: HttpRequest) -> HttpResponse:
    acting = _require_manager(request)
    people = User.objects.filter(team_person__in=managed_people(request.user))

    def open_need(data: dict[str, Any]) -> str:
        actions.do_open_training_need(
            data["topic"], data["evidence"], data["people"], today=_today(), acting_user=acting
        )
        return "Training need opened."

    _submit(request, OpenNeedForm(request.POST, people=people), open_need, "Give the need a topic.")
    return redirect("team:needs")


@login_required
@require_POST
def need_address(request: HttpRequest, need_id: int) -> HttpResponse:
    acting = _require_manager(request)
    need = TrainingNeed.objects.filter(pk=need_id).first()
    if need is None:
        raise Http404("No such need.")

    def address(data: dict[str, Any]) -> str:
        actions.do_address_need(
            need,
            data["course"],
            data,
            questions=data["question_list"],
            due_on=data["due_on"],
            today=_today(),
            acting_user=acting,
        )
        return "Module made and assigned."

    _submit(request, AddressNeedForm(request.POST), address, "Module not made:", with_errors=True)
    return redirect("team:needs")


# ── time off and coverage ─────────────────────────────────────────────────────────────────


@login_required
@require_GET
def time_off(request: HttpRequest) -> HttpResponse:
    if not has_own_records(request.user):
        raise PermissionDenied("You have no team record.")
    mine = TimeOffRequest.objects.filter(user_id=request.user.pk or 0).select_related("kind")
    return render(
        request,
        "team/time_off.html",
        {
            "mine": mine.order_by("-first_day")[:50],
            "pending": pending_requests(request.user) if manages_team(request.user) else None,
            "form": TimeOffForm(),
            "has_record": Person.objects.filter(user_id=request.user.pk or 0).exists(),
        },
    )


@login_required
@require_POST
def time_off_request(request: HttpRequest) -> HttpResponse:
    if not Person.objects.filter(user_id=request.user.pk or 0).exists():
        raise PermissionDenied("You have no team record.")
    user = signed_in_user(request)

    def ask(data: dict[str, Any]) -> str:
        actions.do_request_time_off(
            user,
            data["kind"],
            data["first_day"],
            data["last_day"],
            note=data["note"],
            acting_user=user,
        )
        return "Time off requested."

    _submit(request, TimeOffForm(request.POST), ask, "Give the type and the days.")
    return redirect("team:time_off")


@login_required
@require_POST
def time_off_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = access_request_by_id(request.user, request_id, decide=True)
    acting = signed_in_user(request)

    def decide(data: dict[str, Any]) -> str:
        actions.do_decide_time_off(
            asked,
            approve=data["decision"] == "approve",
            version=data["version"],
            acting_user=acting,
        )
        return "Decision recorded."

    _submit(request, DecisionForm(request.POST), decide, "Approve or decline.")
    return redirect("team:time_off")


@login_required
@require_GET
def coverage(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    if not has_own_records(request.user):
        raise PermissionDenied("Coverage is for the account team and its managers.")
    return render(
        request,
        "team/coverage.html",
        {"account": account, "days": account_coverage(account, _today(), 28)},
    )


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The reader's own calendar (shifts, time off, training due) as an iCalendar feed."""
    if not has_own_records(request.user):
        raise PermissionDenied("You have no team record.")
    return HttpResponse(
        person_calendar(signed_in_user(request), _today()),
        content_type="text/calendar; charset=utf-8",
    )


# ── recruiting ────────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def recruiting(request: HttpRequest) -> HttpResponse:
    acting = _require_manager(request)
    form = RequisitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        req = actions.do_create_requisition(form.cleaned_data, acting_user=acting)
        return redirect("team:requisition", requisition_id=req.pk)
    return render(
        request,
        "team/recruiting.html",
        {
            "requisitions": requisitions_visible_to(request.user).prefetch_related("candidates"),
            "summary": recruiting_summary(request.user, _today()),
            "self_id": self_id_report(),
            "form": form,
            "stages": Stage,
        },
    )


@login_required
@require_GET
def requisition_page(request: HttpRequest, requisition_id: int) -> HttpResponse:
    _require_manager(request)
    req = access_requisition_by_id(request.user, requisition_id)
    return render(
        request,
        "team/requisition.html",
        {
            "req": req,
            "candidates": req.candidates.order_by("stage", "applied_on"),
            "form": CandidateForm(),
            "self_id_form": SelfIdForm(),
        },
    )


@login_required
@require_POST
def candidate_create(request: HttpRequest, requisition_id: int) -> HttpResponse:
    acting = _require_manager(request)
    req = access_requisition_by_id(request.user, requisition_id)
    form = CandidateForm(request.POST)
    if form.is_valid():
        candidate = actions.do_add_candidate(
            req, form.cleaned_data, today=_today(), acting_user=acting
        )
        return redirect("team:candidate", candidate_id=candidate.pk)
    messages.error(request, "Give the candidate's name and source.")
    return redirect("team:requisition", requisition_id=req.pk)


@login_required
@require_POST
def self_id(request: HttpRequest, requisition_id: int) -> HttpResponse:
    acting = _require_manager(request)
    req = access_requisition_by_id(request.user, requisition_id)
    form = SelfIdForm(request.POST)
    if form.is_valid():
        actions.do_record_self_id(req, form.cleaned_data, acting_user=acting)
        messages.success(request, "Self-identification stored apart from the candidate.")
    return redirect("team:requisition", requisition_id=req.pk)


@login_required
@require_GET
def candidate_page(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _require_manager(request)
    candidate = access_candidate_by_id(request.user, candidate_id)
    mine = candidate.scorecards.filter(interviewer_id=request.user.pk, submitted_at=None).first()
    return render(
        request,
        "team/candidate.html",
        {
            "c": candidate,
            "history": candidate.history.all(),
            "scorecards": candidate.scorecards.select_related("interviewer"),
            "offer": getattr(candidate, "offer", None),
            "move_form": MoveForm(),
            "interview_form": InterviewForm(initial={"on": _today()}),
            "my_card": mine,
            "scorecard_form": ScorecardForm(),
            "offer_form": OfferForm(),
            "erase_form": EraseForm(),
        },
    )


def _candidate_post(
    request: HttpRequest,
    candidate_id: int,
    form_class: type[BaseForm],
    act: Callable[[Candidate, dict[str, Any], User], object],
    done: str,
    invalid: str,
) -> HttpResponse:
    """A manager's step on one candidate's file, back to that file."""
    acting = _require_manager(request)
    candidate = access_candidate_by_id(request.user, candidate_id)

    def step(data: dict[str, Any]) -> str:
        act(candidate, data, acting)
        return done

    _submit(request, form_class(request.POST), step, invalid)
    return redirect("team:candidate", candidate_id=candidate.pk)


@login_required
@require_POST
def candidate_move(request: HttpRequest, candidate_id: int) -> HttpResponse:
    def move(candidate: Candidate, data: dict[str, Any], acting: User) -> object:
        return actions.do_move_candidate(
            candidate, data["stage"], reason=data["reason"], today=_today(), acting_user=acting
        )

    return _candidate_post(
        request, candidate_id, MoveForm, move, "Stage changed.", "Choose the next stage."
    )


@login_required
@require_POST
def interview_schedule(request: HttpRequest, candidate_id: int) -> HttpResponse:
    def schedule(candidate: Candidate, data: dict[str, Any], acting: User) -> object:
        return actions.do_schedule_interview(
            candidate, data["interviewer"], data["on"], acting_user=acting
        )

    return _candidate_post(
        request,
        candidate_id,
        InterviewForm,
        schedule,
        "Interview scheduled.",
        "Choose the interviewer and the day.",
    )


@login_required
@require_POST
def scorecard_submit(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    acting = _require_manager(request)
    card = Scorecard.objects.filter(
        pk=scorecard_id, candidate__requisition__in=requisitions_visible_to(request.user)
    ).first()
    if card is None:
        raise Http404("No such scorecard.")
    form = ScorecardForm(request.POST)

    def submit(data: dict[str, Any]) -> str:
        actions.do_submit_scorecard(card, form.scores(), data["recommend"], acting_user=acting)
        return "Scorecard submitted."

    _submit(request, form, submit, "Score every competency from 1 to 5.")
    return redirect("team:candidate", candidate_id=card.candidate_id)


@login_required
@require_POST
def offer(request: HttpRequest, candidate_id: int) -> HttpResponse:
    def make(candidate: Candidate, data: dict[str, Any], acting: User) -> object:
        return actions.do_make_offer(
            candidate, data["salary"], data["start_on"], today=_today(), acting_user=acting
        )

    return _candidate_post(
        request, candidate_id, OfferForm, make, "Offer made.", "Give the salary and the start day."
    )


@login_required
@require_POST
def candidate_erase(request: HttpRequest, candidate_id: int) -> HttpResponse:
    acting = _require_manager(request)
    candidate = access_candidate_by_id(request.user, candidate_id)
    form = EraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the file is erased (the request, or retention).")
        return redirect("team:candidate", candidate_id=candidate.pk)
    requisition_id = candidate.requisition_id
    actions.do_erase_candidate(candidate, reason=form.cleaned_data["reason"], acting_user=acting)
    messages.success(request, "The candidate's file is erased.")
    return redirect("team:requisition", requisition_id=requisition_id)


@login_required
@require_GET
def quality(request: HttpRequest) -> HttpResponse:
    """The month's quality sample per associate, the reviews, results and trend."""
    _require_manager(request)
    today = _today()
    try:
        month = (
            month_start(parse_month(request.GET.get("month", "")))
            if request.GET.get("month")
            else (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        )
    except PeriodError:
        raise Http404("Not a month.") from None
    rows = quality_month(managed_people(request.user), month, settings.QUALITY_SAMPLE_PERCENT / 100)
    reviews = [r for row in rows for r in row.reviews]
    reviewed = {(r.inquiry_id, r.reviewer_id) for r in reviews}
    return render(
        request,
        "team/quality.html",
        {
            "month": month,
            "rows": rows,
            "calibration": calibration(reviews),
            "reviewed": reviewed,
            "form": ReviewForm(initial={"month": month}),
            "rate": settings.QUALITY_SAMPLE_PERCENT,
        },
    )


@login_required
@require_POST
def quality_review(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    acting = _require_manager(request)
    inquiry = (
        Inquiry.objects.filter(pk=inquiry_id, owner__team_person__in=managed_people(request.user))
        .select_related("account")
        .first()
    )
    if inquiry is None:
        raise Http404("No such inquiry on your team.")
    form = ReviewForm(request.POST)

    def review(data: dict[str, Any]) -> str:
        actions.do_review_inquiry(
            inquiry,
            form.scores(),
            data["auto_fail"],
            month=data["month"],
            notes=data["notes"],
            now=timezone.now(),
            acting_user=acting,
        )
        return f"{inquiry.reference} reviewed."

    _submit(request, form, review, "Score every criterion from 0 to 5.")
    month = f"{form.cleaned_data['month']:%Y-%m}" if form.is_valid() else ""
    return redirect(reverse("team:quality") + (f"?month={month}" if month else ""))


# ── retention and aggregates ──────────────────────────────────────────────────────────────


@login_required
@require_GET
def retention_page(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    people = managed_people(request.user)
    today = _today()
    return render(
        request,
        "team/retention.html",
        {
            "rows": retention(people, request.user, today),
            "attrition": [attrition(people, today.year - 1), attrition(people, today.year)],
        },
    )


@login_required
@require_GET
def adherence(request: HttpRequest) -> HttpResponse:
    """The team's schedule adherence, one row a person, and the accounts left uncovered by
    approved time off in the next days: the manager's view of attendance and time."""
    _require_manager(request)
    people = managed_people(request.user)
    today = _today()
    return render(
        request,
        "team/adherence.html",
        {
            "rows": team_adherence(request.user, people, today),
            "gaps": coverage_gaps(people, today, COVERAGE_DAYS),
            "coverage_days": COVERAGE_DAYS,
        },
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The team in aggregate (no one named): for executives, managers and admins."""
    if not reads_team_aggregates(request.user):
        raise PermissionDenied("The team's figures are for managers and executives.")
    return render(request, "team/overview.html", {"figures": team_aggregates(_today())})
