"""Implementation pages. Each view: check access, parse, call one action or query, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import save_or_conflict
from clientdesk.implementations import actions, queries
from clientdesk.implementations.access import (
    access_implementation,
    access_task,
    can_approve,
    can_edit,
    require_template_manager,
)
from clientdesk.implementations.calendar_feed import Milestone, milestones_ics
from clientdesk.implementations.charts import gantt_spec
from clientdesk.implementations.evidence import plan_state
from clientdesk.implementations.forms import (
    GoLiveForm,
    ImplementationForm,
    PlanFileForm,
    PlanForm,
    ReviewForm,
    TaskForm,
    TemplateImportForm,
    TestRoundForm,
)
from clientdesk.implementations.models import Implementation, OwnerTeam, Task, Template
from clientdesk.implementations.plan_files import read_plan, write_csv, write_xlsx
from clientdesk.implementations.readiness import LABELS, WEIGHTS
from clientdesk.implementations.scheduling import ScheduleError
from clientdesk.implementations.survey_timing import after_days
from clientdesk.lake.gateway import LakeError
from clientdesk.lake.rejects import can_review_loads
from clientdesk.lib.downloads import file_download
from clientdesk.people.requests import signed_in_user

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _today() -> dt.date:
    return timezone.localdate()


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_TYPES:
        raise Http404("No such format.")


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Open implementations by effective date and readiness."""
    today = _today()
    try:
        states = queries.board(request.user, today, reader=request.user)
        lake_note = ""
    except LakeError as error:
        states = queries.board(request.user, today, reader=None)
        lake_note = f"The lake could not be read ({error}); members loaded are not shown."
    return render(
        request,
        "implementations/board.html",
        {"states": states, "today": today, "lake_note": lake_note},
    )


@login_required
@require_GET
def team_tasks(request: HttpRequest) -> HttpResponse:
    team = request.GET.get("team", "")
    if team and team not in OwnerTeam.values:
        raise Http404("No such team.")
    tasks = list(queries.team_tasks(request.user, team)[:500])
    return render(
        request,
        "implementations/tasks.html",
        {"tasks": tasks, "team": team, "teams": OwnerTeam.choices, "today": _today()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = ImplementationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            implementation = actions.do_create_implementation(
                account,
                name=data["name"],
                kind=data["kind"],
                effective_date=data["effective_date"],
                template=data["template"],
                acting_user=signed_in_user(request),
            )
        except ScheduleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Plan created: {implementation.name}.")
            return redirect(queries.plan_url(implementation))
    return render(request, "implementations/create.html", {"account": account, "form": form})


def _plan_context(request: HttpRequest, implementation: Implementation) -> dict[str, Any]:
    today = _today()
    lake_note = ""
    try:
        state = plan_state(implementation, today, reader=request.user)
    except LakeError as error:
        state = plan_state(implementation, today, reader=None)
        lake_note = f"The lake could not be read ({error}); members loaded are not shown."
    fc = state.forecast
    rows = [(t, fc.tasks[t.ref]) for t in state.tasks]
    components = [
        (LABELS[key], WEIGHTS[key], value) for key, value in state.readiness.components.items()
    ]
    return {
        "account": implementation.account,
        "implementation": implementation,
        "state": state,
        "rows": rows,
        "components": components,
        "today": today,
        "lake_note": lake_note,
        "gantt": gantt_spec(
            state.tasks,
            fc,
            today=today,
            effective=implementation.effective_date,
            baseline=implementation.baseline or None,
        ),
        "hypercare": queries.hypercare(implementation, today, reader=request.user),
        "can_edit": can_edit(request.user, implementation),
        "can_review_loads": can_review_loads(request.user),
        "can_approve": can_approve(request.user, implementation),
        "statuses": Task._meta.get_field("status").choices,
        "file_form": PlanFileForm(),
        "test_form": TestRoundForm(),
        "plan_form": PlanForm(
            initial={
                "name": implementation.name,
                "effective_date": implementation.effective_date,
                "survey_after_days": implementation.survey_after_days,
            }
        ),
        "survey_after_days": after_days(implementation.survey_after_days),
        "live_form": GoLiveForm(initial={"went_live_on": implementation.effective_date}),
        "review_form": ReviewForm(initial={"review_notes": implementation.review_notes}),
        "lessons": implementation.template.lessons.all()[:10] if implementation.template else [],
    }


@login_required
@require_GET
def detail(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(request.user, account_id, implementation_id)
    return render(request, "implementations/detail.html", _plan_context(request, implementation))


def _back(implementation: Implementation) -> HttpResponse:
    return redirect(queries.plan_url(implementation))


@login_required
@require_POST
def import_plan(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    form = PlanFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Not imported: {form.errors.as_text()}")
        return _back(implementation)
    upload = form.cleaned_data["file"]
    try:
        plan = read_plan(upload.read(), upload.name)
        actions.do_import_plan(
            implementation, plan, filename=upload.name, acting_user=signed_in_user(request)
        )
    except ScheduleError as error:
        messages.error(request, f"Not imported: {error}")
        return _back(implementation)
    messages.success(request, f"Imported {len(plan.rows)} tasks from {upload.name}.")
    for warning in plan.warnings[:5]:
        messages.warning(request, warning)
    return _back(implementation)


@login_required
@require_POST
def load_test_file(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    form = TestRoundForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Not loaded: {form.errors.as_text()}")
        return _back(implementation)
    upload = form.cleaned_data["file"]
    try:
        result = actions.do_load_test_file(
            implementation, upload.read(), upload.name, acting_user=signed_in_user(request)
        )
    except actions.RoundFileError as error:
        messages.error(request, f"Not loaded: {error}")
        return _back(implementation)
    if result.figures is not None and result.figures.passed:
        messages.success(request, result.message)
    else:  # already loaded as a test, or a failed round
        messages.warning(request, result.message)
    return _back(implementation)


def _save_form(
    request: HttpRequest,
    implementation: Implementation,
    form: Form,
    save: Callable[[dict[str, Any], User], object],
    saved: str,
) -> HttpResponse:
    """A posted plan form: saved through its action with a message, or refused with the
    form's field errors; back to the plan either way."""
    if form.is_valid():
        save(form.cleaned_data, signed_in_user(request))
        messages.success(request, saved)
    else:
        messages.error(request, f"Not saved: {form.errors.as_text()}")
    return _back(implementation)


def _save_or_conflict(
    request: HttpRequest,
    implementation: Implementation,
    form: Form,
    save: Callable[[int | None], object],
    *,
    title: str,
    sent: Any,
) -> HttpResponse | None:
    """`audit.conflicts.save_or_conflict` for the plan page's small forms: None when saved;
    someone saved first: 409, the stored version beside the editor's values (only the fields
    the form sent: a task row sends a few), kept in the form with the stored version, to save
    again or cancel."""
    for name in [n for n in form.fields if n not in sent]:
        del form.fields[name]
        form.cleaned_data.pop(name, None)
    context: dict[str, Any] = {
        "account": implementation.account,
        "implementation": implementation,
        "form": form,
        "title": title,
        "action": request.path,
        "next": request.POST.get("next", ""),
    }
    return save_or_conflict(
        request, form, save, template="implementations/conflict.html", context=context
    )


@login_required
@require_POST
def update_plan(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    form = PlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not saved: {form.errors.as_text()}")
        return _back(implementation)
    changes = form.changes(request.POST)
    try:
        conflict = _save_or_conflict(
            request,
            implementation,
            form,
            lambda version: actions.do_update_plan(
                implementation,
                changes,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            title="Name, effective date and survey day",
            sent=request.POST,
        )
    except (ScheduleError, ValidationError) as error:
        messages.error(request, f"Not saved: {error}")
        return _back(implementation)
    if conflict is not None:
        return conflict
    messages.success(request, "Plan updated and rescheduled.")
    return _back(implementation)


@login_required
@require_POST
def approve(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.MANAGE
    )
    actions.do_approve(implementation, now=timezone.now(), acting_user=signed_in_user(request))
    messages.success(request, "Plan approved; its baseline is saved.")
    return _back(implementation)


@login_required
@require_POST
def go_live(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    try:
        return _save_form(
            request,
            implementation,
            GoLiveForm(request.POST),
            lambda data, user: actions.do_go_live(
                implementation, on=data["went_live_on"], acting_user=user
            ),
            "Live: hypercare watches the first 90 days.",
        )
    except ValueError as refused:  # live or closed since the page was read
        messages.error(request, str(refused))
        return _back(implementation)


@login_required
@require_POST
def review(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Not saved: {form.errors.as_text()}")
        return _back(implementation)
    notes, lesson, close = (form.cleaned_data[k] for k in ("review_notes", "lesson", "close"))
    conflict = _save_or_conflict(
        request,
        implementation,
        form,
        lambda version: actions.do_record_review(
            implementation,
            notes=notes,
            lesson=lesson,
            close=close,
            acting_user=signed_in_user(request),
            expected_version=version,
        ),
        title="Post-go-live review",
        sent=[*request.POST, "close"],
    )
    if conflict is not None:
        return conflict
    messages.success(request, "Review saved.")
    return _back(implementation)


@login_required
@require_POST
def update_task(
    request: HttpRequest, account_id: int, implementation_id: int, task_id: int
) -> HttpResponse:
    task = access_task(request.user, account_id, implementation_id, task_id)
    form = TaskForm(request.POST)
    target = request.POST.get("next") or queries.plan_url(task.implementation)
    if not target.startswith("/") or target.startswith("//"):
        target = queries.plan_url(task.implementation)
    if not form.is_valid():
        messages.error(request, f"Task {task.ref} not saved: {form.errors.as_text()}")
        return redirect(target)
    changes = form.changes(request.POST)
    try:
        conflict = _save_or_conflict(
            request,
            task.implementation,
            form,
            lambda version: actions.do_update_task(
                task,
                changes,
                today=_today(),
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            title=f"Task {task.ref} {task.name}",
            sent=request.POST,
        )
    except (ScheduleError, ValidationError) as error:
        messages.error(request, f"Task {task.ref} not saved: {error}")
        return redirect(target)
    if conflict is not None:
        return conflict
    messages.success(request, f"Task {task.ref} saved.")
    return redirect(target)


def _plan_rows(implementation: Implementation) -> list[list[Any]]:
    return [
        [
            t.ref,
            t.name,
            t.duration,
            t.predecessors,
            t.get_owner_team_display(),
            t.kind,
            t.start_date,
            t.finish_date,
            t.late_finish_date,
            t.slack,
            "yes" if t.critical else "no",
            t.get_status_display(),
            t.percent_done,
            t.actual_start,
            t.actual_finish,
            t.notes,
            t.blocker,
            t.source,
        ]
        for t in implementation.tasks.all()
    ]


@login_required
@require_GET
def export(request: HttpRequest, account_id: int, implementation_id: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    implementation = access_implementation(request.user, account_id, implementation_id)
    rows = _plan_rows(implementation)
    content = write_csv(rows) if fmt == "csv" else write_xlsx(rows, title="Plan")
    return file_download(
        content,
        filename=f"plan-{implementation.account.group_number}-{implementation.pk}.{fmt}",
        content_type=EXPORT_TYPES[fmt],
    )


@login_required
@require_GET
def milestones(request: HttpRequest, account_id: int, implementation_id: int) -> HttpResponse:
    """The plan's milestones (and critical finishes) as an iCalendar feed."""
    implementation = access_implementation(request.user, account_id, implementation_id)
    items = [
        Milestone(
            uid=f"implementation-{implementation.pk}-task-{t.pk}@clientdesk",
            day=t.finish_date,
            summary=f"{implementation.account.name}: {t.name}",
            description=f"{t.get_owner_team_display()} · {t.get_status_display()}",
        )
        for t in implementation.tasks.all()
        if t.duration == 0 and t.finish_date is not None
    ]
    content = milestones_ics(str(implementation), items, stamp=timezone.now())
    return file_download(
        content,
        filename=f"milestones-{implementation.account.group_number}-{implementation.pk}.ics",
        content_type="text/calendar",
    )


@login_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "implementations/templates.html",
        {
            "templates": Template.objects.prefetch_related("tasks", "lessons"),
            "form": TemplateImportForm(),
        },
    )


@login_required
@require_GET
def template_export(request: HttpRequest, template_id: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    template = Template.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404("No such template.")
    rows = [
        [t.ref, t.name, t.duration, t.predecessors, t.get_owner_team_display(), t.kind]
        + [""] * 11
        + [t.source]
        for t in template.tasks.all()
    ]
    content = write_csv(rows) if fmt == "csv" else write_xlsx(rows, title="Template")
    return file_download(
        content, filename=f"template-{template.code}.{fmt}", content_type=EXPORT_TYPES[fmt]
    )


@login_required
@require_POST
def template_import(request: HttpRequest) -> HttpResponse:
    require_template_manager(request.user)
    form = TemplateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"Not imported: {form.errors.as_text()}")
        return redirect("implementations:templates")
    upload = form.cleaned_data["file"]
    try:
        plan = read_plan(upload.read(), upload.name)
        template = actions.do_create_template(
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            plan=plan,
            acting_user=signed_in_user(request),
        )
    except ScheduleError as error:
        messages.error(request, f"Not imported: {error}")
        return redirect("implementations:templates")
    messages.success(request, f"Template {template.name} imported with {len(plan.rows)} tasks.")
    return redirect("implementations:templates")
