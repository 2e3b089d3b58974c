"""Inquiry API: list, open, read, change, move along the workflow, add notes. Same scope rules
as the pages; validation through the same forms (422 with the field named); a stale version
answers 409. Member references are always masked here: showing one in full is a page action
that is written to the audit trail."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import AfterValidator, WithJsonSchema

from clientdesk.accounts.access import Need, access_account_by_id, accounts_visible_to
from clientdesk.inquiries import actions
from clientdesk.inquiries.access import access_inquiry_by_id
from clientdesk.inquiries.forms import (
    EscalateForm,
    InquiryFilterForm,
    InquiryForm,
    NoteForm,
    StatusForm,
)
from clientdesk.inquiries.models import (
    SUBCATEGORIES,
    Category,
    Channel,
    Inquiry,
    LiveSlaState,
    NoteVisibility,
    Priority,
    RequesterType,
    ResolutionCode,
    SlaMetric,
)
from clientdesk.inquiries.models import (
    Status as InquiryStatus,
)
from clientdesk.inquiries.queries import IdFirst, filtered_inquiries, live_sla_state
from clientdesk.lib.api_errors import form_errors, refusal
from clientdesk.lib.api_types import (
    CalendarDate,
    InputSchema,
    Omittable,
    Page,
    PeriodCode,
    RecordId,
    Said,
    Text,
)
from clientdesk.people.requests import signed_in_user

router = Router(tags=["inquiries"])


class InquiryOut(Schema):
    id: int
    reference: str
    account_id: RecordId
    requester_type: RequesterType
    member_reference_masked: str
    contact_id: RecordId | None
    broker_name: str
    channel: Channel
    category: Category
    subcategory: str
    priority: Priority
    subject: str
    description: str
    claim_ids: list[str]
    call_ids: list[str]
    status: InquiryStatus
    owner_id: RecordId | None
    opened_at: dt.datetime
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resolution_code: str
    resolution_summary: str
    merged_into_id: RecordId | None
    version: int
    sla_state: LiveSlaState
    sla_due_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None

    @staticmethod
    def resolve_sla_state(obj: Inquiry) -> str:
        return str(getattr(obj, "live_sla", obj.sla_state))


# What the inquiry form takes, said in the schema (a client can check before it sends).
Subject = Annotated[Said, Field(max_length=200)]
BrokerName = Annotated[Text, Field(max_length=120)]
MemberReference = Annotated[
    str,
    Field(
        pattern=r"^$|^[A-Za-z0-9][A-Za-z0-9-]{2,39}$",
        description="The member ID: 3-40 letters, digits or dashes (or empty).",
    ),
]
# A claim or call id as the form's list reads it (parse_ids): no separator, 1-40 characters.
RelatedId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
SUBCATEGORY_CODES = ("", *(code for pairs in SUBCATEGORIES.values() for code, _ in pairs))


def _known_subcategory(value: str) -> str:
    if value not in SUBCATEGORY_CODES:
        raise ValueError("Not a subcategory of any category.")
    return value


# One of every category's subcategories (or empty); which category's is a rule across fields.
Subcategory = Annotated[
    str,
    AfterValidator(_known_subcategory),
    WithJsonSchema({"type": "string", "enum": list(SUBCATEGORY_CODES)}),
]


class InquiryIn(InputSchema):
    """A new inquiry. Rules across fields and of time, which the schema cannot state, refused
    422 with the field named: a `member` requester needs `member_reference`, a `sponsor` one
    `contact_id`, a `broker` one `broker_name` or `contact_id`; `subcategory` is one of the
    chosen `category`'s (or empty); `opened_at` is neither in the future nor more than ten
    years back; an `owner_id` must be on the account's team or a manager (on `owner`). A
    `contact_id` that is not a contact of the account, or an `owner_id` who is not an
    associate or a manager, answers 404, as an account the reader may not write to does."""

    account_id: RecordId
    requester_type: RequesterType
    member_reference: MemberReference = ""
    contact_id: RecordId | None = None
    broker_name: BrokerName = ""
    channel: Channel
    category: Category
    subcategory: Subcategory = ""
    priority: Priority = Priority.NORMAL
    subject: Subject
    description: Text = ""
    claim_ids: list[RelatedId] = []
    call_ids: list[RelatedId] = []
    owner_id: RecordId | None = Field(None, description="Empty: the account's routing rule picks.")
    opened_at: dt.datetime | None = Field(None, description="When it was received; now if empty.")


class InquiryPatch(InputSchema):
    """Changes to an inquiry, merged with the stored one, then checked as a whole by the rules
    of a new inquiry across fields (requester and `subcategory`; 422 with the field named). A
    field the inquiry requires may be left out but not sent as null (422 naming it);
    `contact_id` alone may be cleared with null (the schema does not offer null for the
    others: Omittable hides the None that only marks "not sent"). A `contact_id` that is
    not a contact of the inquiry's account answers 404."""

    version: int = Field(description="The version you read; a stale one answers 409.")
    requester_type: Omittable[RequesterType] = None
    member_reference: Omittable[MemberReference] = None
    contact_id: RecordId | None = None
    broker_name: Omittable[BrokerName] = None
    channel: Omittable[Channel] = None
    category: Omittable[Category] = None
    subcategory: Omittable[Subcategory] = None
    priority: Omittable[Priority] = None
    subject: Omittable[Subject] = None
    description: Omittable[Text] = None
    claim_ids: Omittable[list[RelatedId]] = None
    call_ids: Omittable[list[RelatedId]] = None


class StatusIn(InputSchema):
    """A move along the workflow. Rules of the inquiry's state and across fields, refused 422
    on `status`: the status must be one the inquiry can move to from its current one (new →
    open, open → pending or resolved, resolved → closed or open again, …); resolving needs
    `resolution_code` and `resolution_summary`."""

    version: int
    status: InquiryStatus
    resolution_code: ResolutionCode | None = None
    resolution_summary: Text = ""
    note: Text = ""


class NoteIn(InputSchema):
    visibility: NoteVisibility = NoteVisibility.INTERNAL
    body: Said = Field(max_length=10000)


class NoteOut(Schema):
    id: int
    inquiry_id: RecordId
    visibility: NoteVisibility
    body: str
    created_at: dt.datetime
    author_id: RecordId | None
    emailed_to: str


class EscalateIn(InputSchema):
    version: int
    to: Literal["manager", "service_ops"] = Field(
        description="The manager (who takes the inquiry) or service operations (told by mail)."
    )
    reason: Said = Field(min_length=1, max_length=500)


class ConflictOut(Schema):
    detail: str
    version: int
    conflicts: dict[str, str]


class InquiryFilters(Schema):
    """The list's filters. An `account` or `owner` that names no account or worker the reader
    sees matches nothing (an empty page, as for any filter). Rule across fields, refused 422
    with the field named: `opened_to` not before `opened_from`."""

    q: Text | None = None
    status: InquiryStatus | Literal["active", "done"] | None = Field(
        None, description="a status, or active / done"
    )
    category: Category | None = None
    priority: Priority | None = None
    owner: str | None = Field(
        None, pattern=r"^(me|none|[1-9][0-9]{0,17})$", description="a user id, me or none"
    )
    account: RecordId | None = None
    sla: LiveSlaState | None = None
    period: PeriodCode | None = None
    opened_from: CalendarDate | None = None
    opened_to: CalendarDate | None = None
    outcome: Literal["met", "breached"] | None = Field(
        None, description="the current outcome of one SLA clock"
    )
    metric: SlaMetric | None = None
    outcome_from: CalendarDate | None = None
    outcome_to: CalendarDate | None = None
    sort: Literal["due", "-opened", "opened", "priority"] | None = None


def _fetch(pk: int) -> Inquiry:
    return Inquiry.objects.annotate(live_sla=live_sla_state(timezone.now())).get(pk=pk)


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = {
        k: v
        for k, v in payload.items()
        if not k.endswith("_id") and k not in {"claim_ids", "call_ids"}
    }
    for name in ("account", "contact", "owner"):
        if f"{name}_id" in payload:
            data[name] = payload[f"{name}_id"]
    for name in ("claim_ids", "call_ids"):
        if name in payload:
            data[name] = ", ".join(payload[name] or [])
    return data


def _conflict(conflict: actions.EditConflict) -> Status[Any]:
    return Status(
        409,
        {
            "detail": str(conflict),
            "version": conflict.inquiry.version,
            "conflicts": conflict.fields,
        },
    )


@router.get("/", response=list[InquiryOut])
@paginate(Page)
def list_inquiries(request: HttpRequest, filters: Query[InquiryFilters]) -> Any:
    form = InquiryFilterForm(
        filters.dict(exclude_none=True),
        user=request.user,
        accounts=accounts_visible_to(request.user),
    )
    if not form.is_valid():
        # An account or a worker the reader does not see matches nothing; any other refusal
        # (the dates' order) is still the 422 it is, whatever the account named.
        errors = form.errors.as_data()
        for name in ("account", "owner"):
            if name in errors and all(e.code == "invalid_choice" for e in errors[name]):
                del form.errors[name]
        if form.errors:
            raise form_errors(form)
        return Inquiry.objects.none()
    return IdFirst(filtered_inquiries(request.user, form.cleaned_data, timezone.now()))


@router.post("/", response={201: InquiryOut})
def create_inquiry(request: HttpRequest, payload: InquiryIn) -> Any:
    account = access_account_by_id(request.user, payload.account_id, need=Need.WRITE)
    form = InquiryForm(data=_form_data(payload.dict()), user=request.user)
    if not form.is_valid():
        raise refusal(form, {"contact": "contact_id", "owner": "owner_id"})
    inquiry = actions.do_create_inquiry(
        account, form.changes(), acting_user=signed_in_user(request)
    )
    return Status(201, _fetch(inquiry.pk))


@router.get("/{inquiry_id}", response=InquiryOut)
def get_inquiry(request: HttpRequest, inquiry_id: RecordId) -> Any:
    return _fetch(access_inquiry_by_id(request.user, inquiry_id).pk)


@router.patch("/{inquiry_id}", response={200: InquiryOut, 409: ConflictOut})
def update_inquiry(request: HttpRequest, inquiry_id: RecordId, payload: InquiryPatch) -> Any:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    try:
        actions.check_version(inquiry, payload.version)
    except actions.EditConflict as conflict:
        return _conflict(conflict)
    current = model_to_dict(inquiry, fields=[f for f in InquiryForm.Meta.fields if f != "account"])
    current["claim_ids"] = ", ".join(inquiry.claim_ids)
    current["call_ids"] = ", ".join(inquiry.call_ids)
    current.update(_form_data(payload.dict(exclude_unset=True)))
    form = InquiryForm(data=current, instance=inquiry, user=request.user)
    if not form.is_valid():
        raise refusal(form, {"contact": "contact_id"})
    try:
        actions.do_update_inquiry(
            inquiry,
            form.changes(),
            expected_version=payload.version,
            acting_user=signed_in_user(request),
        )
    except actions.EditConflict as conflict:
        return _conflict(conflict)
    return _fetch(inquiry.pk)


@router.post("/{inquiry_id}/status", response={200: InquiryOut, 409: ConflictOut})
def change_status(request: HttpRequest, inquiry_id: RecordId, payload: StatusIn) -> Any:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    try:
        actions.check_version(inquiry, payload.version)
    except actions.EditConflict as conflict:
        return _conflict(conflict)
    form = StatusForm(data=payload.dict(exclude_none=True), inquiry=inquiry)
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    try:
        actions.do_change_status(
            inquiry,
            data["status"],
            expected_version=payload.version,
            acting_user=signed_in_user(request),
            resolution_code=data["resolution_code"],
            resolution_summary=data["resolution_summary"],
            note=data["note"],
        )
    except actions.EditConflict as conflict:
        return _conflict(conflict)
    except actions.InquiryRuleError as error:
        form.add_error("status", str(error))
        raise form_errors(form) from None
    return _fetch(inquiry.pk)


@router.post("/{inquiry_id}/escalate", response={200: InquiryOut, 409: ConflictOut})
def escalate_inquiry(request: HttpRequest, inquiry_id: RecordId, payload: EscalateIn) -> Any:
    """Escalate by hand to the manager (who takes it) or to service operations, with a reason."""
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = EscalateForm(data=payload.dict(), inquiry=inquiry)
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    try:
        actions.do_escalate_inquiry(
            inquiry,
            data["to"],
            data["reason"],
            acting_user=signed_in_user(request),
            expected_version=data["version"],
        )
    except actions.EditConflict as conflict:
        return _conflict(conflict)
    except actions.InquiryRuleError as error:
        form.add_error(None, str(error))
        raise form_errors(form) from None
    return _fetch(inquiry.pk)


@router.post("/{inquiry_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, inquiry_id: RecordId, payload: NoteIn) -> Any:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = NoteForm(data=payload.dict())
    if not form.is_valid():
        raise form_errors(form)
    try:
        note = actions.do_add_note(
            inquiry,
            body=form.cleaned_data["body"],
            visibility=form.cleaned_data["visibility"],
            acting_user=signed_in_user(request),
        )
    except actions.InquiryRuleError as error:
        form.add_error(None, str(error))
        raise form_errors(form) from None
    return Status(201, note)
