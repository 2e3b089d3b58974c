"""Surveys API: surveys, sends, results and follow-ups, with the same scope rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from clientdesk.accounts.access import Need, access_account_by_id, accounts_visible_to
from clientdesk.accounts.models import ContactRole
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.lib.api_errors import field_error, form_errors
from clientdesk.lib.api_types import (
    CalendarDate,
    InputSchema,
    Omittable,
    RecordId,
    StaleEditOut,
    Text,
)
from clientdesk.people.requests import signed_in_user
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, roles_of
from clientdesk.surveys import actions
from clientdesk.surveys.access import (
    access_follow_up_by_id,
    access_schedule_by_id,
    access_survey_by_id,
    follow_ups_visible_to,
    require_reader,
    schedules_visible_to,
)
from clientdesk.surveys.forms import FollowUpForm, ScheduleEditForm
from clientdesk.surveys.models import FollowUpStatus, Language, Survey, SurveySchedule
from clientdesk.surveys.queries import (
    MEASURE_MONTHS,
    Dimension,
    months_back,
    open_follow_ups,
    results,
)
from clientdesk.surveys.satisfaction import Figures
from clientdesk.surveys.tasks import enqueue_send

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    name: str
    kind: str
    is_active: bool
    version: int
    questions: list[dict[str, Any]]


def _survey_out(survey: Survey) -> dict[str, Any]:
    version = survey.current_version()
    return {
        "id": survey.pk,
        "name": survey.name,
        "kind": survey.kind,
        "is_active": survey.is_active,
        "version": version.number,
        "questions": version.questions,
    }


@router.get("/", response=list[SurveyOut])
def list_surveys(request: HttpRequest) -> Any:
    require_reader(request.user)
    return [_survey_out(s) for s in Survey.objects.all()]


class SendIn(InputSchema):
    """Contacts of the account, at least one; one that is not answers 404 (a body naming a
    record, as a path id does). A retired survey is refused 422 on `survey_id`."""

    contact_ids: list[RecordId] = Field(min_length=1)
    language: Language = Language.EN


class SendOut(Schema):
    id: int
    account_id: RecordId | None
    status: str
    invited: int
    skipped: int


@router.post("/{survey_id}/accounts/{account_id}/sends", response={201: SendOut})
def send_survey(
    request: HttpRequest, survey_id: RecordId, account_id: RecordId, payload: SendIn
) -> Any:
    """Send the survey to some of the account's contacts (the worker mails them)."""
    survey = access_survey_by_id(request.user, survey_id)
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contacts = list(account.contacts.filter(pk__in=payload.contact_ids))
    if len(contacts) != len(set(payload.contact_ids)):
        raise HttpError(404, "contact_ids: no such record, or not one you may name here.")
    try:
        send = actions.do_send_survey(
            survey,
            account,
            contacts,
            language=payload.language,
            acting_user=signed_in_user(request),
            enqueue=enqueue_send,
        )
    except actions.SurveyError as error:
        raise field_error("survey_id", error) from None
    return Status(201, send)


class FiguresOut(Schema):
    key: str
    label: str
    invitations: int
    responses: int
    response_rate: Decimal | None
    nps: Decimal | None
    nps_low: Decimal | None
    nps_high: Decimal | None
    csat_satisfied: Decimal | None
    ces_mean: Decimal | None


def _figures(key: str, label: str, f: Figures) -> dict[str, Any]:
    interval = f.nps_interval
    return {
        "key": key,
        "label": label,
        "invitations": f.counts.sent,
        "responses": f.counts.responses,
        "response_rate": f.response_rate,
        "nps": f.nps,
        "nps_low": interval[0] if interval else None,
        "nps_high": interval[1] if interval else None,
        "csat_satisfied": f.csat,
        "ces_mean": f.ces,
    }


@router.get("/results", response=list[FiguresOut])
def survey_results(
    request: HttpRequest,
    first: CalendarDate | None = None,
    last: CalendarDate | None = None,
    by: Dimension = Dimension.ACCOUNT,
    kind: str = "",
) -> Any:
    """Results of our surveys and imports by account, contact role, survey, month or
    associate, and the total (key "all"), for the reader's accounts; first..last defaults
    to the 12 months to today."""
    require_reader(request.user)
    last = last or timezone.localdate()
    first = first or months_back(last, MEASURE_MONTHS)
    sees_all = roles_of(request.user) & SEES_ALL_ACCOUNTS
    visible = None if sees_all else accounts_visible_to(request.user)
    rows, total = results(visible, first, last, by=by, kind=kind)
    return [_figures(str(r.key), r.label, r.figures) for r in rows] + [
        _figures("all", "All", total)
    ]


class FollowUpOut(Schema):
    id: int
    account_id: RecordId
    response_id: RecordId
    owner_id: RecordId | None
    status: str
    due: dt.date
    notes: str
    outcome: str
    nps: int | None
    csat: int | None
    version: int


def _follow_up_out(f: Any) -> dict[str, Any]:
    return {
        "id": f.pk,
        "account_id": f.account_id,
        "response_id": f.response_id,
        "owner_id": f.owner_id,
        "status": f.status,
        "due": f.due,
        "notes": f.notes,
        "outcome": f.outcome,
        "nps": f.response.nps,
        "csat": f.response.csat,
        "version": f.version,
    }


@router.get("/follow-ups", response=list[FollowUpOut])
def list_follow_ups(request: HttpRequest) -> Any:
    require_reader(request.user)
    return [_follow_up_out(f) for f in open_follow_ups(follow_ups_visible_to(request.user))[:200]]


class FollowUpIn(InputSchema):
    """A rule across fields, refused 422 on `outcome`: closing needs what came of it."""

    status: FollowUpStatus
    notes: Text = ""
    outcome: Annotated[Text, Field(max_length=200)] = ""
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )


@router.patch("/follow-ups/{follow_up_id}", response={200: FollowUpOut, 409: StaleEditOut})
def work_follow_up(request: HttpRequest, follow_up_id: RecordId, payload: FollowUpIn) -> Any:
    follow_up = access_follow_up_by_id(request.user, follow_up_id, write=True)
    form = FollowUpForm(payload.dict())
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    return saved_or_409(
        lambda: _follow_up_out(
            actions.do_work_follow_up(
                follow_up,
                status=data["status"],
                notes=data["notes"],
                outcome=data["outcome"],
                acting_user=signed_in_user(request),
                expected_version=payload.version,
            )
        )
    )


# --- recurring relationship surveys -------------------------------------------------------


# A schedule's cadence (surveys Cadence's values), a Literal: reports has a Cadence enum too
# (monthly, quarterly, yearly), and the OpenAPI components are named by class, so a report
# schedule route would hide this one's values, as team's Stage hid growth's.
ScheduleCadence = Literal["quarterly", "half_yearly", "yearly"]


class ScheduleOut(Schema):
    id: int
    survey_id: RecordId
    survey: str
    account_id: RecordId
    account: str
    cadence: ScheduleCadence
    roles: list[str]
    language: Language
    next_on: dt.date
    is_active: bool
    last_run_on: dt.date | None
    last_outcome: str
    last_send_id: RecordId | None
    version: int


def _schedule_out(schedule: SurveySchedule) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "survey_id": schedule.survey_id,
        "survey": schedule.survey.name,
        "account_id": schedule.account_id,
        "account": schedule.account.name,
        "cadence": schedule.cadence,
        "roles": list(schedule.roles),
        "language": schedule.language,
        "next_on": schedule.next_on,
        "is_active": schedule.is_active,
        "last_run_on": schedule.last_run_on,
        "last_outcome": schedule.last_outcome,
        "last_send_id": schedule.last_send_id,
        "version": schedule.version,
    }


@router.get("/schedules", response=list[ScheduleOut])
def list_schedules(request: HttpRequest) -> Any:
    """The recurring relationship surveys of the reader's accounts, next send first."""
    require_reader(request.user)
    found = schedules_visible_to(request.user).select_related("account", "survey")
    return [_schedule_out(s) for s in found.order_by("next_on", "pk")]


class ScheduleIn(InputSchema):
    account_id: RecordId
    survey_id: RecordId
    cadence: ScheduleCadence = "half_yearly"
    next_on: CalendarDate = Field(description="The first send (the daily clock sends it).")
    roles: list[ContactRole] = Field(
        default_factory=list, description="Contact roles asked; empty: every contact."
    )
    language: Language = Language.EN


class ScheduleRefusedOut(Schema):
    """409: the survey is already scheduled for the account (change that schedule)."""

    detail: str


@router.post("/schedules", response={201: ScheduleOut, 409: ScheduleRefusedOut})
def create_schedule(request: HttpRequest, payload: ScheduleIn) -> Any:
    """Send a relationship survey to an account's contacts on `next_on` and every cadence
    after it. The account must be one the caller sends to (an account they cannot see
    answers 404, one they only read 403). A survey that is not an active relationship survey
    is refused 422 on `survey_id`; one already scheduled for the account answers 409."""
    require_reader(request.user)
    account = access_account_by_id(request.user, payload.account_id, need=Need.WRITE)
    survey = access_survey_by_id(request.user, payload.survey_id)
    form = ScheduleEditForm(payload.dict(exclude={"account_id", "survey_id"}))
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    try:
        schedule = actions.do_create_schedule(
            survey,  # a survey of another kind, or retired: 422 from the rule
            account,
            cadence=data["cadence"],
            next_on=data["next_on"],
            roles=data["roles"],
            language=data["language"],
            acting_user=signed_in_user(request),
        )
    except actions.ScheduleTaken as error:
        raise HttpError(409, str(error)) from None
    except actions.SurveyError as error:
        raise field_error("survey_id", error) from None
    return Status(201, _schedule_out(schedule))


@router.get("/schedules/{schedule_id}", response=ScheduleOut)
def get_schedule(request: HttpRequest, schedule_id: RecordId) -> Any:
    return _schedule_out(access_schedule_by_id(request.user, schedule_id))


class ScheduleChangeIn(InputSchema):
    cadence: Omittable[ScheduleCadence] = None
    next_on: Omittable[CalendarDate] = None
    roles: Omittable[list[ContactRole]] = None
    language: Omittable[Language] = None
    is_active: Omittable[bool] = Field(None, description="false pauses it.")
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )


def _change(
    request: HttpRequest, schedule_id: int, changes: dict[str, Any], version: int | None
) -> Any:
    schedule = access_schedule_by_id(request.user, schedule_id, write=True)
    current = {name: getattr(schedule, name) for name in actions.SCHEDULE_FIELDS}
    form = ScheduleEditForm({**current, **changes})
    if not form.is_valid():
        raise form_errors(form)
    return saved_or_409(
        lambda: _schedule_out(
            actions.do_update_schedule(
                schedule,
                {name: form.cleaned_data[name] for name in changes},
                acting_user=signed_in_user(request),
                expected_version=version,
            )
        )
    )


@router.patch("/schedules/{schedule_id}", response={200: ScheduleOut, 409: StaleEditOut})
def update_schedule(request: HttpRequest, schedule_id: RecordId, payload: ScheduleChangeIn) -> Any:
    """Change the fields the body names (the others stay); with `version`, a schedule saved
    since (by someone else, or the clock after a send) answers 409 and nothing changes."""
    changes = payload.dict(exclude_none=True, exclude={"version"})
    return _change(request, schedule_id, changes, payload.version)


class ScheduleVersionIn(InputSchema):
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )


@router.post("/schedules/{schedule_id}/pause", response={200: ScheduleOut, 409: StaleEditOut})
def pause_schedule(request: HttpRequest, schedule_id: RecordId, payload: ScheduleVersionIn) -> Any:
    """Stop the schedule's sends until it is resumed (its next date is kept)."""
    return _change(request, schedule_id, {"is_active": False}, payload.version)


@router.post("/schedules/{schedule_id}/resume", response={200: ScheduleOut, 409: StaleEditOut})
def resume_schedule(request: HttpRequest, schedule_id: RecordId, payload: ScheduleVersionIn) -> Any:
    """Send again from the next date on."""
    return _change(request, schedule_id, {"is_active": True}, payload.version)
