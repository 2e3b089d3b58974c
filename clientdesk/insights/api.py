"""Emerging issues and problems API, with the same scope rules as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from clientdesk.audit.conflicts import saved_or_409
from clientdesk.insights import actions
from clientdesk.insights.access import (
    access_action_by_id,
    access_issue_by_id,
    access_problem_by_id,
    can_browse_issues,
    can_link_inquiries,
    can_open_problem,
    problems_visible_to,
)
from clientdesk.insights.forms import ActionForm, ActionStatusForm
from clientdesk.insights.links import (
    MAX_LINKS_PER_CHANGE,
    LinkError,
    check_inquiries,
    parse_references,
    problem_lake,
)
from clientdesk.insights.models import ActionStatus, ProblemStatus, RootCauseCategory
from clientdesk.insights.queries import filtered_issues
from clientdesk.lib.api_errors import field_error, form_errors, refusal
from clientdesk.lib.api_types import (
    CalendarDate,
    ChoiceOrBlank,
    InputSchema,
    Omittable,
    RecordId,
    StaleEditOut,
)
from clientdesk.people.requests import signed_in_user

router = Router(tags=["insights"])


class IssueOut(Schema):
    id: int
    account_id: RecordId | None
    family: str
    dimension: dict[str, Any]
    title: str
    summary: str
    status: str
    estimated_start: dt.date
    first_alert_date: dt.date
    last_alert_date: dt.date
    observed: float
    expected: float
    p_value: float
    detectors: list[str]
    contributors: list[dict[str, Any]]
    affected_members: int
    affected_claims: int
    affected_dollars: Decimal
    guarantees_at_risk: list[dict[str, Any]]
    problem_id: RecordId | None


class ActionOut(Schema):
    id: int
    description: str
    owner_id: RecordId
    due_date: dt.date
    status: ActionStatus
    completed_on: dt.date | None
    notes: str
    version: int


class ProblemOut(Schema):
    id: int
    reference: str
    title: str
    account_id: RecordId | None
    status: ProblemStatus
    root_cause_category: str
    root_cause: str
    whys: list[str]
    owner_id: RecordId | None
    affected_inquiries: int
    affected_members: int
    affected_claims: int
    affected_dollars: Decimal
    linked_members: int
    linked_claims: int
    linked_dollars: Decimal | None  # None: suppressed, fewer than 11 members behind it
    sponsor_summary: str
    fix_date: dt.date | None
    verify_days: int
    days_in_control: int
    verified_on: dt.date | None
    training_topic: str
    version: int


class ProblemPatch(InputSchema):
    """Only the fields sent change. A field the record requires may be left out but not sent as
    null (422 naming it); `fix_date` alone may be cleared with null. (The schema does not offer
    null for them: Omittable hides the None that only marks "not sent".)"""

    status: Omittable[ProblemStatus] = None
    root_cause_category: Omittable[ChoiceOrBlank[RootCauseCategory]] = None
    root_cause: Omittable[Annotated[str, Field(max_length=10_000)]] = None
    whys: Omittable[Annotated[list[str], Field(max_length=5)]] = None
    sponsor_summary: Omittable[Annotated[str, Field(max_length=10_000)]] = None
    fix_date: CalendarDate | None = None
    verify_days: Omittable[Annotated[int, Field(ge=1, le=120)]] = None
    training_topic: Omittable[Annotated[str, Field(max_length=200)]] = None
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )

    @field_validator(
        "status",
        "root_cause_category",
        "root_cause",
        "whys",
        "sponsor_summary",
        "verify_days",
        "training_topic",
        "version",
        mode="before",
    )
    @classmethod
    def not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class ActionIn(InputSchema):
    description: str
    owner_id: RecordId
    due_date: CalendarDate


# An inquiry's reference as people write it (Q-000123, q-123 or 123): an id of 1 to 18 digits
# (below a 64-bit column's largest), so what the schema takes the parser reads.
InquiryReference = Annotated[
    str, Field(pattern=r"^([Qq]-)?0*[1-9][0-9]{0,17}$", description="Q-000123 or 123")
]


class LinkIn(InputSchema):
    """Inquiries to link, all or nothing: a reference to an inquiry that is not on the
    problem's account, or not one the reader sees, answers 404 (as a path id does)."""

    references: list[InquiryReference] = Field(..., max_length=MAX_LINKS_PER_CHANGE)


class ActionPatch(InputSchema):
    status: ActionStatus
    notes: str = ""
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )


@router.get("/issues", response=list[IssueOut])
def list_issues(request: HttpRequest, account_id: RecordId | None = None) -> Any:
    if not can_browse_issues(request.user):
        raise PermissionDenied("Emerging issues are for the account team.")
    return list(filtered_issues(request.user, {"account": account_id})[:200])


@router.get("/issues/{issue_id}", response=IssueOut)
def get_issue(request: HttpRequest, issue_id: RecordId) -> Any:
    return access_issue_by_id(request.user, issue_id)


@router.post("/issues/{issue_id}/problem", response={201: ProblemOut})
def open_problem(request: HttpRequest, issue_id: RecordId) -> Any:
    issue = access_issue_by_id(request.user, issue_id)
    if not can_open_problem(request.user, issue):
        raise PermissionDenied("You cannot open a problem on this account.")
    lake = problem_lake(request.user, issue.account_id)
    try:
        return Status(
            201, actions.do_open_problem(issue, acting_user=signed_in_user(request), lake=lake)
        )
    finally:
        if lake is not None:
            lake.close()


@router.get("/problems", response=list[ProblemOut])
def list_problems(request: HttpRequest) -> Any:
    return list(problems_visible_to(request.user)[:200])


@router.get("/problems/{problem_id}", response=ProblemOut)
def get_problem(request: HttpRequest, problem_id: RecordId) -> Any:
    return access_problem_by_id(request.user, problem_id)


@router.patch("/problems/{problem_id}", response={200: ProblemOut, 409: StaleEditOut})
def update_problem(request: HttpRequest, problem_id: RecordId, payload: ProblemPatch) -> Any:
    problem = access_problem_by_id(request.user, problem_id, write=True)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    return saved_or_409(
        lambda: actions.do_update_problem(
            problem, changes, acting_user=signed_in_user(request), expected_version=expected
        )
    )


@router.get("/problems/{problem_id}/actions", response=list[ActionOut])
def list_actions(request: HttpRequest, problem_id: RecordId) -> Any:
    return list(access_problem_by_id(request.user, problem_id).actions.all())


@router.post("/problems/{problem_id}/actions", response={201: ActionOut})
def add_action(request: HttpRequest, problem_id: RecordId, payload: ActionIn) -> Any:
    problem = access_problem_by_id(request.user, problem_id, write=True)
    form = ActionForm(
        data={
            "description": payload.description,
            "owner": payload.owner_id,
            "due_date": payload.due_date,
        }
    )
    if not form.is_valid():
        raise refusal(form, {"owner": "owner_id"})
    return Status(
        201, actions.do_add_action(problem, form.cleaned_data, acting_user=signed_in_user(request))
    )


@router.patch(
    "/problems/{problem_id}/actions/{action_id}", response={200: ActionOut, 409: StaleEditOut}
)
def update_action(
    request: HttpRequest, problem_id: RecordId, action_id: RecordId, payload: ActionPatch
) -> Any:
    action = access_action_by_id(request.user, problem_id, action_id)
    data = payload.dict()
    expected = data.pop("version", None)
    form = ActionStatusForm(data=data)
    if not form.is_valid():
        raise form_errors(form)
    return saved_or_409(
        lambda: actions.do_update_action(
            action,
            form.cleaned_data,
            acting_user=signed_in_user(request),
            expected_version=expected,
        )
    )


@router.post("/problems/{problem_id}/inquiries", response=ProblemOut)
def link_inquiries(request: HttpRequest, problem_id: RecordId, payload: LinkIn) -> Any:
    """Link inquiries of the problem's account to it (all or nothing); answers the problem
    with its recounted linked members, claims and dollars."""
    problem = access_problem_by_id(request.user, problem_id)
    if not can_link_inquiries(request.user, problem):
        raise PermissionDenied("Only the manager or the account's team links inquiries.")
    try:
        ids = parse_references(" ".join(payload.references))
    except LinkError as error:  # the schema's pattern and length say the same
        raise field_error("references", error) from None
    try:
        inquiries = check_inquiries(request.user, problem, ids)
    except LinkError as error:
        raise HttpError(404, f"references: {error}") from None
    lake = problem_lake(request.user, problem.account_id)
    try:
        return actions.do_link_inquiries(
            problem, inquiries, acting_user=signed_in_user(request), lake=lake
        )
    finally:
        if lake is not None:
            lake.close()
