"""The team's API, with the same scope rules as the pages (access.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from clientdesk.accounts.models import US_STATES, Product, Segment
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.audit.recording import snapshot
from clientdesk.audit.updating import StaleEdit
from clientdesk.lib.api_errors import field_error, form_errors, refusal
from clientdesk.lib.api_types import (
    CalendarDate,
    ChoiceOrBlank,
    InputSchema,
    Omittable,
    RecordId,
    Said,
    StaleEditOut,
    Text,
    Trimmed,
)
from clientdesk.people.requests import signed_in_user
from clientdesk.team import actions
from clientdesk.team.access import (
    access_candidate_by_id,
    access_person_by_id,
    access_request_by_id,
    has_own_records,
    managed_people,
    manages_team,
)
from clientdesk.team.actions import TeamRuleError
from clientdesk.team.forms import LicenseForm, PersonForm
from clientdesk.team.models import (
    Course,
    Leaving,
    License,
    LineOfAuthority,
    Location,
    Person,
    TimeOffRequest,
    TimeOffType,
)
from clientdesk.team.queries import compliance_matrix, pending_requests
from clientdesk.team.records import person_record

router = Router(tags=["team"])

StateCode = Annotated[str, WithJsonSchema({"type": "string", "enum": US_STATES})]


def _manager(request: HttpRequest) -> User:
    if not manages_team(request.user):
        raise PermissionDenied("The team's records are for its managers.")
    return signed_in_user(request)


class TeamAssignmentOut(Schema):
    id: int
    course: str
    due_on: dt.date
    completed_on: dt.date | None
    score: int | None


class TeamLicenseOut(Schema):
    state: str
    line: str
    number: str
    expires_on: dt.date
    ce_required: int
    ce_earned: int
    alert: int | None


class TeamBalanceOut(Schema):
    kind: str
    hours: Decimal


class TeamMeOut(Schema):
    user_id: int
    training: list[TeamAssignmentOut]
    licenses: list[TeamLicenseOut]
    balances: list[TeamBalanceOut]


class TeamMessage(Schema):
    detail: str


@router.get("/me", response={200: TeamMeOut, 404: TeamMessage})
def me(request: HttpRequest) -> Any:
    """The reader's own training, licenses and balances: 403 for a role without team
    records, 404 for an associate whose record is not made yet."""
    if not has_own_records(request.user):
        raise PermissionDenied("You have no team record.")
    person = Person.objects.filter(user_id=request.user.pk or 0).first()
    if person is None:
        raise HttpError(404, "You have no team record yet.")
    record = person_record(person, request.user, timezone.localdate())
    return {
        "user_id": person.user_id,
        "training": [
            {
                "id": a.pk,
                "course": a.course.code,
                "due_on": a.due_on,
                "completed_on": a.completed_on,
                "score": a.score,
            }
            for a in record.training
        ],
        "licenses": [
            {
                "state": r.license.state,
                "line": r.license.line,
                "number": r.license.number,
                "expires_on": r.license.expires_on,
                "ce_required": r.license.ce_required,
                "ce_earned": r.license.ce_earned,
                "alert": r.alert,
            }
            for r in record.licenses
        ],
        "balances": [{"kind": b.kind.code, "hours": b.hours} for b in record.balances],
    }


class TeamPersonOut(Schema):
    user_id: int
    name: str
    version: int
    title: str
    manager_id: int | None
    location: str
    onsite_account_id: int | None
    hire_date: dt.date
    products: list[str]
    languages: list[str]
    segments: list[str]
    capacity: int
    left_on: dt.date | None
    leaving: str
    agent_id: str


def _person_out(p: Person) -> dict[str, Any]:
    return {
        "user_id": p.user_id,
        "name": str(p),
        "version": p.version,
        "title": p.title,
        "manager_id": p.manager_id,
        "location": p.location,
        "onsite_account_id": p.onsite_account_id,
        "hire_date": p.hire_date,
        "products": p.products,
        "languages": p.languages,
        "segments": p.segments,
        "capacity": p.capacity,
        "left_on": p.left_on,
        "leaving": p.leaving,
        "agent_id": p.agent_id,
    }


class TeamPersonPatch(InputSchema):
    """Only the fields sent change; `manager_id`, `onsite_account_id` and `left_on` may be
    cleared with null, the others are not offered null (Omittable hides the None that
    only marks "not sent"). A `manager_id` who is not a manager or an admin, or an
    `onsite_account_id` that is no account, answers 404 (a body naming a record). Rules
    across fields and of the team, refused 422 with the field named: an onsite person needs
    their `onsite_account`; a `left_on` needs `leaving`; an `agent_id` is one person's."""

    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )
    title: Omittable[Annotated[Said, Field(max_length=120)]] = None
    manager_id: RecordId | None = None
    location: Omittable[Location] = None
    onsite_account_id: RecordId | None = None
    hire_date: Omittable[CalendarDate] = None
    products: Omittable[list[Product]] = None
    languages: Omittable[list[Text]] = None
    segments: Omittable[list[Segment]] = None
    capacity: Omittable[Annotated[int, Field(ge=0, le=32767)]] = None
    left_on: CalendarDate | None = None
    leaving: Omittable[ChoiceOrBlank[Leaving]] = None
    agent_id: Omittable[Annotated[Trimmed, Field(max_length=40)]] = None


@router.get("/people/{user_id}", response=TeamPersonOut)
def get_person(request: HttpRequest, user_id: RecordId) -> Any:
    """A person's record as their manager edits it, with its version (an audited read)."""
    _manager(request)
    return _person_out(access_person_by_id(request.user, user_id))


@router.patch("/people/{user_id}", response={200: TeamPersonOut, 409: StaleEditOut})
def update_person(request: HttpRequest, user_id: RecordId, payload: TeamPersonPatch) -> Any:
    """Change a person's record (their manager). Send the version you read: a record saved
    by someone else since answers 409 with the stored version, and nothing is saved."""
    acting = _manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)
    current = model_to_dict(person, fields=PersonForm.Meta.fields)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    for api_name, form_name in (("manager_id", "manager"), ("onsite_account_id", "onsite_account")):
        if api_name in changes:
            changes[form_name] = changes.pop(api_name)
    current.update(changes)
    current["languages"] = ", ".join(current.get("languages") or [])
    data = {k: ("" if v is None else v) for k, v in current.items()}
    form = PersonForm(data=data, instance=person)
    if not form.is_valid():
        raise refusal(form, {"manager": "manager_id", "onsite_account": "onsite_account_id"})
    try:
        saved = actions.do_save_person(
            person.user, form.cleaned_data, acting_user=acting, expected_version=expected
        )
    except StaleEdit as stale:
        return Status(409, {"detail": str(stale), "version": stale.version, "saved": stale.saved})
    except TeamRuleError as error:
        raise field_error("agent_id", error) from None
    return _person_out(saved)


class TeamLicenseRecord(Schema):
    id: int
    version: int
    state: str
    line: str
    number: str
    issued_on: CalendarDate
    expires_on: CalendarDate
    ce_required: int
    ce_earned: int


LicenseNumber = Annotated[Said, Field(max_length=40)]
Credits = Annotated[int, Field(ge=0, le=32767)]


class TeamLicenseIn(InputSchema):
    """A new license. Rules across fields and of the person's licenses, refused 422 with the
    field named: `expires_on` after `issued_on`; one license per state and line (on `state`:
    change that one)."""

    state: StateCode
    line: LineOfAuthority = LineOfAuthority.HEALTH
    number: LicenseNumber
    issued_on: CalendarDate
    expires_on: CalendarDate
    ce_required: Credits = 24
    ce_earned: Credits = 0


class TeamLicensePatch(InputSchema):
    """Only the fields sent change (null is not offered: Omittable hides the None that
    only marks "not sent"); the rules of a new license hold for the result."""

    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )
    state: Omittable[StateCode] = None
    line: Omittable[LineOfAuthority] = None
    number: Omittable[LicenseNumber] = None
    issued_on: Omittable[CalendarDate] = None
    expires_on: Omittable[CalendarDate] = None
    ce_required: Omittable[Credits] = None
    ce_earned: Omittable[Credits] = None


def _license_out(license_: License) -> dict[str, Any]:
    return {
        name: getattr(license_, name) for name in ("id", "version", *TeamLicenseIn.model_fields)
    }


def _rule_error(error: TeamRuleError) -> Exception:
    """A license refused by the rules, as a field error: a state and line already held
    (``state``) or an expiry not after the issue date (``expires_on``)."""
    field = "state" if "already hold" in str(error) else "expires_on"
    return field_error(field, error)


def _license_form(data: dict[str, Any], instance: License | None) -> LicenseForm:
    form = LicenseForm(
        data={k: ("" if v is None else v) for k, v in data.items()}, instance=instance
    )
    if not form.is_valid():
        raise form_errors(form)
    return form


@router.get("/people/{user_id}/licenses", response=list[TeamLicenseRecord])
def person_licenses(request: HttpRequest, user_id: RecordId) -> Any:
    """A person's licenses with their versions (their manager; an audited read)."""
    _manager(request)
    person = access_person_by_id(request.user, user_id)
    return [_license_out(x) for x in License.objects.filter(user=person.user).order_by("id")]


@router.post("/people/{user_id}/licenses", response={201: TeamLicenseRecord, 409: StaleEditOut})
def record_license(request: HttpRequest, user_id: RecordId, payload: TeamLicenseIn) -> Any:
    """Record a new license (their manager). A state and line they already hold is a field
    error: change or renew that license with PATCH and its version."""
    acting = _manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)
    form = _license_form(payload.dict(), None)
    try:
        saved = actions.do_save_license(person.user, form.cleaned_data, acting_user=acting)
    except TeamRuleError as error:
        raise _rule_error(error) from None
    return Status(201, _license_out(saved))


@router.patch(
    "/people/{user_id}/licenses/{license_id}",
    response={200: TeamLicenseRecord, 409: StaleEditOut},
)
def update_license(
    request: HttpRequest, user_id: RecordId, license_id: RecordId, payload: TeamLicensePatch
) -> Any:
    """Change or renew one license (their manager). Send the version you read: a license
    saved by someone else since answers 409 with the stored version, and nothing is saved."""
    acting = _manager(request)
    person = access_person_by_id(request.user, user_id, manage=True)
    license_ = License.objects.filter(user=person.user, pk=license_id).first()
    if license_ is None:
        raise HttpError(404, "No such license of theirs.")
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    current = model_to_dict(license_, fields=LicenseForm.Meta.fields) | changes
    form = _license_form(current, license_)
    try:
        saved = saved_or_409(
            lambda: actions.do_save_license(
                person.user,
                form.cleaned_data,
                acting_user=acting,
                license_id=license_id,
                expected_version=expected,
            )
        )
    except TeamRuleError as error:
        raise _rule_error(error) from None
    return saved if isinstance(saved, Status) else _license_out(saved)


class TeamMatrixRow(Schema):
    user_id: int
    name: str
    cells: dict[str, dict[str, Any]]


@router.get("/matrix", response=list[TeamMatrixRow])
def matrix(request: HttpRequest) -> Any:
    """The manager's people x required courses: state and date of each cell."""
    _manager(request)
    m = compliance_matrix(managed_people(request.user), timezone.localdate())
    return [
        {
            "user_id": p.user_id,
            "name": str(p),
            "cells": {
                c.code: {"state": cell.state, "date": cell.date}
                for c, cell in zip(m.courses, cells, strict=True)
            },
        }
        for p, cells in m.rows
    ]


class TeamAssignIn(InputSchema):
    """People of the manager's team, at least one: someone who is not answers 404 (a body
    naming a record, as a path id does). A due date already passed is refused 422 on
    `due_on`."""

    user_ids: list[RecordId] = Field(min_length=1)
    due_on: CalendarDate


@router.post("/courses/{course_id}/assignments", response={201: list[TeamAssignmentOut]})
def assign(request: HttpRequest, course_id: RecordId, payload: TeamAssignIn) -> Any:
    acting = _manager(request)
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise HttpError(404, "No such course.")
    if payload.due_on < timezone.localdate():  # the body's own values before whom it names
        raise field_error("due_on", "The due date has passed.")
    users = list(
        User.objects.filter(pk__in=payload.user_ids, team_person__in=managed_people(request.user))
    )
    if len(users) != len(set(payload.user_ids)):
        raise HttpError(404, "user_ids: no such record, or not one you may name here.")
    try:
        made = actions.do_assign_course(
            course, users, due_on=payload.due_on, today=timezone.localdate(), acting_user=acting
        )
    except TeamRuleError as error:
        raise field_error("due_on", error) from None
    return Status(
        201,
        [
            {
                "id": a.pk,
                "course": course.code,
                "due_on": a.due_on,
                "completed_on": None,
                "score": None,
            }
            for a in made
        ],
    )


class TeamRequestOut(Schema):
    id: int
    user_id: int
    kind: str
    first_day: dt.date
    last_day: dt.date
    hours: Decimal
    status: str
    version: int


def _request_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "user_id": r.user_id,
        "kind": r.kind.code,
        "first_day": r.first_day,
        "last_day": r.last_day,
        "hours": r.hours,
        "status": r.status,
        "version": r.version,
    }


@router.get("/time-off/pending", response=list[TeamRequestOut])
def pending(request: HttpRequest) -> Any:
    """Requests waiting for the reader's decision."""
    _manager(request)
    return [_request_out(r) for r in pending_requests(request.user)[:200]]


class TeamTimeOffIn(InputSchema):
    """`kind` is a time-off type's code: one that is not answers 404 (a body naming a
    record). Rules across fields and of the person's requests, refused 422 with the field
    named: `last_day` not before `first_day`; at least one working day between them, and
    none already asked for (on `first_day`)."""

    kind: Annotated[str, Field(max_length=16)]
    first_day: CalendarDate
    last_day: CalendarDate
    note: Text = ""


@router.post("/time-off", response={201: TeamRequestOut})
def ask(request: HttpRequest, payload: TeamTimeOffIn) -> Any:
    user = signed_in_user(request)
    if not Person.objects.filter(user=user).exists():
        raise PermissionDenied("You have no team record.")
    if payload.last_day < payload.first_day:  # the body's own values before what it names
        raise field_error("last_day", "The last day comes after the first.")
    kind = TimeOffType.objects.filter(code=payload.kind).first()
    if kind is None:
        raise HttpError(404, "kind: no such time-off type.")
    try:
        made = actions.do_request_time_off(
            user, kind, payload.first_day, payload.last_day, note=payload.note, acting_user=user
        )
    except TeamRuleError as error:
        raise field_error("first_day", error) from None
    return Status(201, _request_out(made))


class TeamDecisionIn(InputSchema):
    approve: bool
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )


@router.post("/time-off/{request_id}/decision", response={200: TeamRequestOut, 409: StaleEditOut})
def decide(request: HttpRequest, request_id: RecordId, payload: TeamDecisionIn) -> Any:
    """Approve or decline a request (its manager). A stale ``version``, a request already
    decided or a balance too short answers 409 with the stored request and its version."""
    asked = access_request_by_id(request.user, request_id, decide=True)
    try:
        done = actions.do_decide_time_off(
            asked,
            approve=payload.approve,
            version=payload.version,
            acting_user=signed_in_user(request),
        )
    except StaleEdit as stale:
        return Status(409, {"detail": str(stale), "version": stale.version, "saved": stale.saved})
    except TeamRuleError as error:
        stored = TimeOffRequest.objects.get(pk=asked.pk)
        return Status(
            409, {"detail": str(error), "version": stored.version, "saved": snapshot(stored)}
        )
    return _request_out(done)


# The candidate stages (team Stage's values), a Literal: the growth app's Stage enum has the
# same class name, and the OpenAPI components are named by class, so one hid the other.
CandidateStage = Literal[
    "applied", "screened", "interviewed", "offer", "hired", "declined", "rejected"
]


class TeamStageIn(InputSchema):
    """Rules of the candidate's file, refused 422 with the field named: a stage the
    candidate can move to from theirs (applied → screened → interviewed → offer → hired, or
    declined / rejected), an offer after a submitted scorecard, a hire after an offer (on
    `stage`); closing the file (declined, rejected) needs a `reason` (on `reason`)."""

    stage: CandidateStage
    reason: Text = ""


class TeamCandidateOut(Schema):
    id: int
    requisition_id: int
    stage: str
    stage_since: dt.date


@router.post("/candidates/{candidate_id}/stage", response=TeamCandidateOut)
def move(request: HttpRequest, candidate_id: RecordId, payload: TeamStageIn) -> Any:
    acting = _manager(request)
    candidate = access_candidate_by_id(request.user, candidate_id)
    try:
        return actions.do_move_candidate(
            candidate,
            payload.stage,
            reason=payload.reason,
            today=timezone.localdate(),
            acting_user=acting,
        )
    except TeamRuleError as error:
        field = "reason" if "Say why" in str(error) else "stage"
        raise field_error(field, error) from None
