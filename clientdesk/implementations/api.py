"""Implementations API: plans per account with their schedule, forecast and readiness; task
updates; approval; templates; scheduling a plan file without storing it.

Account-scoped like the pages: reading needs the account; creating plans and updating tasks
need the account team (WRITE); approving needs MANAGE. A task's named owner may update it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.implementations import actions
from clientdesk.implementations.access import access_implementation, access_task
from clientdesk.implementations.evidence import PlanState, plan_state
from clientdesk.implementations.forms import MAX_UPLOAD, ImplementationForm, TaskForm
from clientdesk.implementations.models import (
    Implementation,
    OwnerTeam,
    TaskStatus,
    Template,
    TemplateKind,
)
from clientdesk.implementations.plan_files import read_csv
from clientdesk.implementations.readiness import EligibilityRound
from clientdesk.implementations.schedule_report import schedule_json
from clientdesk.implementations.scheduling import ScheduleError
from clientdesk.lake.gateway import LakeError
from clientdesk.lib.api_errors import field_error, form_errors
from clientdesk.lib.api_types import (
    CalendarDate,
    ChoiceOrBlank,
    InputSchema,
    Omittable,
    RecordId,
    Said,
    StaleEditOut,
    Text,
)
from clientdesk.people.requests import signed_in_user

router = Router(tags=["implementations"])


class ImplementationOut(Schema):
    id: int
    account_id: int
    name: str
    kind: str
    status: str
    effective_date: dt.date
    start_date: dt.date | None
    project_length_business_days: int
    baseline_saved_at: dt.datetime | None
    went_live_on: dt.date | None
    survey_after_days: int | None
    survey_sent_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_project_length_business_days(obj: Implementation) -> int:
        return obj.project_length


class ImplementationIn(InputSchema):
    """A new plan. `template` is an active template's code: one that is not answers 404 (a
    body naming a record, as a path id does). A rule across fields, refused 422: without a
    template the plan needs its `kind` (on non_field_errors)."""

    name: Annotated[Said, Field(max_length=160)]
    effective_date: CalendarDate
    template: Annotated[Text, Field(max_length=40)] = ""
    kind: ChoiceOrBlank[TemplateKind] = ""


class ImplementationTaskIn(InputSchema):
    """Only the fields sent change; null is not offered (the schema hides the None that only
    marks "not sent"). A rule across the plan's tasks, refused 422 on `predecessors`: links
    in MS Project notation (`4FS+3;2SS+4`, lags up to 2,000 business days) naming tasks of
    the plan, with no cycle. An actual finish before the actual start is refused 422."""

    status: Omittable[TaskStatus] = None
    percent_done: Omittable[Annotated[int, Field(ge=0, le=100)]] = None
    actual_start: Omittable[CalendarDate] = None
    actual_finish: Omittable[CalendarDate] = None
    owner_team: Omittable[ChoiceOrBlank[OwnerTeam]] = None
    duration: Omittable[Annotated[int, Field(ge=0, le=2000)]] = None
    predecessors: Omittable[Annotated[Text, Field(max_length=300)]] = None
    notes: Omittable[Text] = None
    blocker: Omittable[Annotated[Text, Field(max_length=300)]] = None
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )


# How the schema names and describes a plan sent as CSV text: its rules span rows, which no JSON
# Schema pattern can say, so a format's name and this text say them (the fuzzer draws plans of
# this format: web/tests/fuzz_formats.py).
PLAN_CSV_FORMAT = "ms-project-plan-csv"
PLAN_CSV_DESCRIPTION = (
    "A plan as CSV text (UTF-8) in MS Project's columns: a header row, then one task per row. "
    "Required columns ID, Name (or Task Name), Duration (5, 5d, 5 days, 2 wks; 0 = a milestone; "
    "whole business days, at most 2,000); optional Predecessors (MS Project notation, e.g. "
    "4FS+3;2SS+4; lags at most 2,000 business days), Owner team, Kind, Source, Status, "
    "% Complete (0 to 100), Actual Start, Actual Finish (YYYY-MM-DD or M/D/YYYY, the finish "
    "not before the start), Notes, Blocker; columns matched by name, case-insensitively. "
    "Across rows: IDs unique, every predecessor a task of the plan and not the task itself, "
    "no cycle; at most 5,000 tasks. A plan that breaks a rule is refused (422) with the row "
    "named."
)


class ImplementationScheduleIn(InputSchema):
    csv: Annotated[
        str,
        WithJsonSchema(
            {
                "type": "string",
                "format": PLAN_CSV_FORMAT,
                "contentMediaType": "text/csv",
                "description": PLAN_CSV_DESCRIPTION,
            }
        ),
    ]
    effective_date: CalendarDate


def _state_out(state: PlanState) -> dict[str, Any]:
    fc = state.forecast
    implementation = state.implementation
    return {
        **ImplementationOut.from_orm(implementation).dict(),
        "forecast_go_live": fc.go_live,
        "business_days_lost": fc.days_lost,
        "late_tasks": list(fc.late_refs),
        "readiness": {
            "score": state.readiness.score,
            "band": state.readiness.band,
            "components": state.readiness.components,
            "flags": list(state.readiness.flags),
        },
        "test_rounds": [_round_out(r) for r in state.test_rounds],
        "tasks": [
            {
                "id": t.pk,
                "ref": t.ref,
                "name": t.name,
                "owner_team": t.owner_team,
                "duration": t.duration,
                "predecessors": t.predecessors,
                "kind": t.kind,
                "status": t.status,
                "percent_done": t.percent_done,
                "actual_start": t.actual_start,
                "actual_finish": t.actual_finish,
                "early_start": t.early_start,
                "early_finish": t.early_finish,
                "late_start": t.late_start,
                "late_finish": t.late_finish,
                "start_date": t.start_date,
                "finish_date": t.finish_date,
                "late_finish_date": t.late_finish_date,
                "slack": t.slack,
                "critical": t.critical,
                "forecast_finish": fc.tasks[t.ref].finish,
                "forecast_slack": fc.tasks[t.ref].slack,
                "late": fc.tasks[t.ref].late,
                "slipped_business_days": fc.tasks[t.ref].slipped,
                "notes": t.notes,
                "blocker": t.blocker,
                "version": t.version,
            }
            for t in state.tasks
        ],
    }


def _round_out(r: EligibilityRound) -> dict[str, Any]:
    out: dict[str, Any] = {
        "round": r.number,
        "batch_id": r.batch_id or None,
        "loaded_on": r.loaded_on,
        "file": r.source_name,
        "format": r.source_format,
        "rows_read": r.rows_read,
        "rows_rejected": r.rows_rejected,
        "reasons": [{"reason": k, "rows": n} for k, n in r.reasons],
        "accepted_share": round(r.accepted_share, 4),
        "passed": r.passed,
        "failures": list(r.failures),
    }
    if r.source_format == "x12":
        out["acceptance"] = {
            "sets_accepted": r.sets_accepted,
            "sets_accepted_with_errors": r.sets_with_errors,
            "sets_rejected": r.sets_rejected,
            "member_records": r.member_records,
            "member_records_not_loaded": r.member_records_not_loaded,
            "spans_loaded": r.rows_loaded,
            "spans_rejected": r.rows_rejected,
            "members_loaded": r.members_loaded,
            "transaction_sets": list(r.transaction_sets),
            "envelope_findings": list(r.envelope_findings),
        }
    return out


def _state(request: HttpRequest, implementation: Implementation) -> PlanState:
    today = timezone.localdate()
    try:
        return plan_state(implementation, today, reader=request.user)
    except LakeError:
        return plan_state(implementation, today, reader=None)


@router.get("/templates", response=list[dict[str, Any]])
def list_templates(request: HttpRequest) -> Any:
    return [
        {
            "code": t.code,
            "name": t.name,
            "kind": t.kind,
            "source": t.source,
            "tasks": [
                {
                    "id": task.ref,
                    "name": task.name,
                    "duration": task.duration,
                    "predecessors": task.predecessors,
                    "owner_team": task.owner_team,
                    "kind": task.kind,
                    "source": task.source,
                }
                for task in t.tasks.all()
            ],
            "lessons": [lesson.text for lesson in t.lessons.all()],
        }
        for t in Template.objects.prefetch_related("tasks", "lessons")
    ]


@router.post("/schedule", response=dict[str, Any])
def schedule(request: HttpRequest, payload: ImplementationScheduleIn) -> Any:
    """Schedule a plan given as CSV text, without storing it (the CLI's `schedule`). A plan
    that cannot be read or scheduled answers 422 with the field-level errors of every route
    (the row named in the message, on `csv`)."""
    try:
        return schedule_json(read_csv(payload.csv.encode("utf-8")), payload.effective_date)
    except ScheduleError as error:
        raise field_error("csv", error) from None


@router.get("/accounts/{account_id}", response=list[ImplementationOut])
def list_implementations(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    return list(Implementation.objects.filter(account=account))


@router.post("/accounts/{account_id}", response={201: dict[str, Any]})
def create_implementation(
    request: HttpRequest, account_id: RecordId, payload: ImplementationIn
) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    template = Template.objects.filter(code=payload.template).first() if payload.template else None
    form = ImplementationForm(
        {
            "name": payload.name,
            "effective_date": payload.effective_date,
            "kind": payload.kind,
            "template": template.pk if template else "",
        }
    )
    if payload.template and (template is None or not template.is_active):
        raise HttpError(404, "template: no such template, or not one in use.")
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    implementation = actions.do_create_implementation(
        account,
        name=data["name"],
        kind=data["kind"],
        effective_date=data["effective_date"],
        template=data["template"],
        acting_user=signed_in_user(request),
    )
    return Status(201, _state_out(_state(request, implementation)))


@router.get("/accounts/{account_id}/{implementation_id}", response=dict[str, Any])
def get_implementation(
    request: HttpRequest, account_id: RecordId, implementation_id: RecordId
) -> Any:
    implementation = access_implementation(request.user, account_id, implementation_id)
    return _state_out(_state(request, implementation))


@router.post("/accounts/{account_id}/{implementation_id}/approve", response=dict[str, Any])
def approve(request: HttpRequest, account_id: RecordId, implementation_id: RecordId) -> Any:
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.MANAGE
    )
    implementation = actions.do_approve(
        implementation, now=timezone.now(), acting_user=signed_in_user(request)
    )
    return _state_out(_state(request, implementation))


@router.patch(
    "/accounts/{account_id}/{implementation_id}/tasks/{task_id}",
    response={200: dict[str, Any], 409: StaleEditOut},
)
def update_task(
    request: HttpRequest,
    account_id: RecordId,
    implementation_id: RecordId,
    task_id: RecordId,
    payload: ImplementationTaskIn,
) -> Any:
    """Change a task; with `version`, a task saved by someone else since answers 409 with
    the stored task and its version (nothing saved)."""
    task = access_task(request.user, account_id, implementation_id, task_id)
    sent = {k: v for k, v in payload.dict().items() if v is not None and k != "version"}
    form = TaskForm(sent)
    if not form.is_valid():
        raise form_errors(form)
    try:
        saved = saved_or_409(
            lambda: actions.do_update_task(
                task,
                form.changes(sent),
                today=timezone.localdate(),
                acting_user=signed_in_user(request),
                expected_version=payload.version,
            )
        )
    except ScheduleError as error:
        form.add_error("predecessors", str(error))
        raise form_errors(form) from None
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        raise form_errors(form) from None
    if isinstance(saved, Status):
        return saved
    return _state_out(_state(request, task.implementation))


class RoundFileIn(InputSchema):
    file_name: str = Field(..., min_length=1, max_length=200, description="The file's name.")
    content: str = Field(
        ...,
        min_length=1,
        max_length=MAX_UPLOAD,
        description="The file as text: an X12 834 (starting with ISA), or a CSV with the "
        "lake's eligibility columns (file_name ending .csv); this sponsor's members only.",
    )


@router.post(
    "/accounts/{account_id}/{implementation_id}/test-rounds",
    response={200: dict[str, Any], 201: dict[str, Any]},
)
def load_test_round(
    request: HttpRequest,
    account_id: RecordId,
    implementation_id: RecordId,
    payload: RoundFileIn,
) -> Any:
    """Load an eligibility test file as the plan's next test round (the page's upload): 201
    with the round (pass or fail, and for an 834 its acceptance report) and the plan; 200
    when the file was already loaded as a test (no new round); 422 naming `content` when it
    cannot be loaded (not an 834 or CSV, another sponsor's members, malformed)."""
    implementation = access_implementation(
        request.user, account_id, implementation_id, need=Need.WRITE
    )
    try:
        loaded = actions.do_load_test_file(
            implementation,
            payload.content.encode("utf-8"),
            payload.file_name,
            acting_user=signed_in_user(request),
        )
    except actions.RoundFileError as error:
        raise field_error("content", error) from None
    state = _state(request, implementation)
    if loaded.round is None:
        return Status(200, {"message": loaded.message, "round": None, "plan": _state_out(state)})
    made = next((r for r in state.test_rounds if r.record_id == loaded.round.pk), None)
    return Status(
        201,
        {
            "message": loaded.message,
            "round": _round_out(made) if made is not None else None,
            "plan": _state_out(state),
        },
    )
