"""Strategy API: calls to action, health, live measures and plans, with the pages' scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.audit.recording import snapshot
from clientdesk.lib.api_errors import form_errors
from clientdesk.lib.api_types import ChoiceOrBlank, InputSchema, RecordId, StaleEditOut, Text
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.people.requests import signed_in_user
from clientdesk.strategy import actions, queries
from clientdesk.strategy.access import access_call_by_id, access_plan_by_id
from clientdesk.strategy.forms import CallCloseForm, PlanForm
from clientdesk.strategy.models import (
    AccountPlan,
    CallStatus,
    CallToAction,
    HealthSnapshot,
)

router = Router(tags=["strategy"])


class TaskOut(Schema):
    id: int
    position: int
    text: str
    done: bool
    done_at: dt.datetime | None


class CallOut(Schema):
    id: int
    reference: str
    account_id: RecordId
    rule_key: str
    cause_key: str
    title: str
    reason: str
    urgency: str
    owner_id: RecordId | None
    due: dt.date | None
    status: str
    opened_at: dt.datetime
    version: int
    tasks: list[TaskOut]

    @staticmethod
    def resolve_tasks(obj: Any) -> list[Any]:
        return list(obj.tasks.all())


class RefusedOut(Schema):
    """409: the record's state refuses the change (the message says why); nothing saved."""

    detail: str


class TaskIn(InputSchema):
    done: bool


class CallStatusIn(InputSchema):
    status: CallStatus
    note: Text = ""
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )


class MeasureOut(Schema):
    key: str
    label: str
    unit: str
    better: str
    value: float | None
    detail: str
    score: float | None = None
    weight: float | None = None


class HealthOut(Schema):
    account_id: RecordId
    day: dt.date | None
    score: int | None
    band: str
    explanation: str
    override_band: str | None
    measures: list[MeasureOut]
    history: list[dict[str, Any]]


class ObjectiveOut(Schema):
    id: int
    title: str
    measure_key: str
    target: float
    better: str
    value: float | None
    value_detail: str
    status: str
    due: dt.date | None
    owner_id: RecordId | None


class PlanOut(Schema):
    id: int
    account_id: RecordId
    year: int
    status: str
    challenges: str
    sponsor_objectives: str
    strategy: str
    version: int
    objectives: list[ObjectiveOut]

    @staticmethod
    def resolve_objectives(obj: AccountPlan) -> list[Any]:
        return list(obj.objectives.all())

    @staticmethod
    def resolve_target(obj: Any) -> float:
        return float(obj.target)


class PlanIn(InputSchema):
    """The plan's text. A stale `version`, or a closed plan, answers 409."""

    challenges: Text = ""
    sponsor_objectives: Text = ""
    strategy: Text = ""
    version: Annotated[int, Field(ge=1, le=2**31)]


# The plan statuses (strategy PlanStatus's values), a Literal: implementations has a PlanStatus
# enum too, and the OpenAPI components are named by class, so one would hide the other.
AccountPlanStatus = Literal["draft", "approved", "closed"]


class PlanStatusIn(InputSchema):
    """draft → approved (a manager) → closed; approved back to draft to rework it. A move the
    plan's status does not allow answers 409."""

    status: AccountPlanStatus


@router.get("/calls", response=list[CallOut])
def list_calls(
    request: HttpRequest, status: ChoiceOrBlank[CallStatus] = CallStatus.OPEN, mine: bool = False
) -> Any:
    """Calls to action on the reader's accounts, 500 at most; `status` empty: every status."""
    return list(
        queries.calls_for(request.user, status=status, mine=mine).prefetch_related("tasks")[:500]
    )


@router.get("/calls/{call_id}", response=CallOut)
def get_call(request: HttpRequest, call_id: RecordId) -> Any:
    return access_call_by_id(request.user, call_id)


@router.post("/calls/{call_id}/tasks/{task_id}", response=CallOut)
def tick_task(request: HttpRequest, call_id: RecordId, task_id: RecordId, payload: TaskIn) -> Any:
    call = access_call_by_id(request.user, call_id, need=Need.WRITE)
    task = call.tasks.filter(pk=task_id).first()
    if task is None:
        raise HttpError(404, "No such task.")
    actions.do_tick_task(task, payload.done, acting_user=signed_in_user(request))
    return call


@router.post("/calls/{call_id}/status", response={200: CallOut, 409: StaleEditOut})
def set_call_status(request: HttpRequest, call_id: RecordId, payload: CallStatusIn) -> Any:
    """Done, dismissed or open again, with a note. Given `version` (the one read), a call
    someone changed since answers 409 with the stored call. Reopening while the rule has
    opened another call for the same cause is refused by the call's state: 409 too, with the
    stored call (`{detail, version, saved}`, as a stale version)."""
    call = access_call_by_id(request.user, call_id, need=Need.WRITE)
    form = CallCloseForm(data=payload.dict(exclude={"version"}))
    if not form.is_valid():
        raise form_errors(form)
    try:
        return saved_or_409(
            lambda: actions.do_close_call(
                call,
                form.cleaned_data["status"],
                form.cleaned_data["note"],
                acting_user=signed_in_user(request),
                expected_version=payload.version,
            )
        )
    except ValueError as error:
        stored = CallToAction.objects.get(pk=call.pk)
        return Status(
            409, {"detail": str(error), "version": stored.version, "saved": snapshot(stored)}
        )


@router.get("/health/{account_id}", response=HealthOut)
def get_health(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    today = timezone.localdate()
    snaps = queries.history(account)
    latest: HealthSnapshot | None = snaps[-1] if snaps else None
    override = queries.active_override(account, today)
    return {
        "account_id": account.pk,
        "day": latest.day if latest else None,
        "score": latest.score if latest else None,
        "band": latest.band if latest else "",
        "explanation": latest.explanation if latest else "",
        "override_band": override.band if override else None,
        "measures": [
            {
                "key": line.key,
                "label": line.label,
                "unit": m.unit if (m := ACCOUNT_MEASURES.get(line.key)) else "",
                "better": m.better if m else "",
                "value": line.value,
                "detail": line.detail,
                "score": line.score,
                "weight": round(line.weight_share, 2),
            }
            for line in queries.measure_lines(latest)
        ],
        "history": [
            {"day": s.day.isoformat(), "score": s.score, "band": s.band, "change": s.explanation}
            for s in snaps
        ],
    }


@router.get("/measures/{account_id}", response=list[MeasureOut])
def get_measures(request: HttpRequest, account_id: RecordId) -> Any:
    """Every registered account measure, live as of today, for one account."""
    account = access_account_by_id(request.user, account_id)
    today = timezone.localdate()
    out = []
    for m in ACCOUNT_MEASURES:
        got = m.compute([account.pk], today).get(account.pk)
        out.append(
            {
                "key": m.key,
                "label": m.label,
                "unit": m.unit,
                "better": m.better,
                "value": float(got.value) if got is not None else None,
                "detail": got.detail if got is not None else "",
            }
        )
    return out


@router.get("/accounts/{account_id}/plans", response=list[PlanOut])
def list_plans(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    return list(AccountPlan.objects.filter(account=account).prefetch_related("objectives"))


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: RecordId) -> Any:
    return access_plan_by_id(request.user, plan_id)


@router.put("/plans/{plan_id}", response={200: PlanOut, 409: RefusedOut})
def update_plan(request: HttpRequest, plan_id: RecordId, payload: PlanIn) -> Any:
    """Save the plan's text; `version` is the one read: a stale one answers 409."""
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    form = PlanForm(data=payload.dict(), instance=plan)
    if not form.is_valid():
        raise form_errors(form)
    try:
        return actions.do_update_plan(
            plan,
            {f: form.cleaned_data[f] for f in actions.PLAN_FIELDS},
            payload.version,
            acting_user=signed_in_user(request),
        )
    except actions.StaleEdit as error:
        raise HttpError(409, str(error)) from None
    except ValueError as error:
        raise HttpError(409, str(error)) from None


@router.post("/plans/{plan_id}/status", response={200: PlanOut, 409: RefusedOut})
def set_plan_status(request: HttpRequest, plan_id: RecordId, payload: PlanStatusIn) -> Any:
    plan = access_plan_by_id(request.user, plan_id, need=Need.MANAGE)
    try:
        return actions.do_set_plan_status(plan, payload.status, acting_user=signed_in_user(request))
    except (ValueError, KeyError) as error:
        raise HttpError(409, str(error)) from None
