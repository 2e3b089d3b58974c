"""Surveys API: surveys, sends, results and follow-ups, with the same scope rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic.json_schema import SkipJsonSchema

from clientdesk.accounts.access import Need, access_account_by_id, accounts_visible_to
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.lib.api_errors import form_errors
from clientdesk.lib.api_types import RecordId, StaleEditOut
from clientdesk.people.requests import signed_in_user
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, roles_of
from clientdesk.surveys import actions
from clientdesk.surveys.access import (
    access_follow_up_by_id,
    access_survey_by_id,
    follow_ups_visible_to,
    require_reader,
)
from clientdesk.surveys.forms import FollowUpForm
from clientdesk.surveys.models import Survey
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


class SendIn(Schema):
    contact_ids: list[int]
    language: str = "en"


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
        raise HttpError(422, "every contact must be one of the account's")
    if payload.language not in ("en", "es"):
        raise HttpError(422, "language is en or es")
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
        raise HttpError(422, str(error)) from None
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
    first: dt.date | None = None,
    last: dt.date | None = None,
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


class FollowUpIn(Schema):
    status: str
    notes: str = ""
    outcome: str = ""
    version: Annotated[int, Field(ge=1, le=2**31)] | SkipJsonSchema[None] = Field(
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
