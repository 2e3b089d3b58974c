"""Account book API: accounts, contacts, contracts and the team, with the same scope rules."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django import forms
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from clientdesk.accounts import actions
from clientdesk.accounts.access import Need, access_account_by_id, can_create_accounts
from clientdesk.accounts.forms import (
    AccountFilterForm,
    AccountForm,
    AssignmentForm,
    ContactForm,
    ContractForm,
)
from clientdesk.accounts.models import (
    US_STATES,
    US_TIMEZONES,
    AccountStatus,
    Assignment,
    Contact,
    ContactRole,
    Funding,
    Product,
    Region,
    Segment,
    TeamRole,
    Tier,
)
from clientdesk.accounts.queries import filtered_accounts
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.lib.api_errors import form_errors
from clientdesk.lib.api_types import (
    CalendarDate,
    EmailText,
    InputSchema,
    MonthCode,
    Omittable,
    Page,
    RecordId,
    Said,
    StaleEditOut,
    Text,
    decimal_in,
)
from clientdesk.people.requests import signed_in_user

router = Router(tags=["accounts"])


class AccountOut(Schema):
    id: int
    name: str
    group_number: str
    segment: Segment
    funding: Funding
    tier: Tier
    status: AccountStatus
    employees: int
    members: int
    state: str
    region: Region
    timezone: str
    broker: str
    effective_date: dt.date
    renewal_date: dt.date
    parent_id: RecordId | None
    special_handling: str
    version: int


# What the account form accepts, said in the schema (a client can check before it sends).
GroupNumber = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,19}$")]
StateCode = Annotated[str, WithJsonSchema({"type": "string", "enum": US_STATES})]
TimeZoneName = Annotated[str, WithJsonSchema({"type": "string", "enum": US_TIMEZONES})]
Name = Annotated[Said, Field(max_length=200)]
Headcount = Annotated[int, Field(ge=0, le=2_147_483_647)]  # PositiveIntegerField
# A contact's texts as the contact form takes them (the model's lengths; its phone rule, with
# no blank at either end, which the form would trim off before checking 7 to 30 characters).
ContactName = Annotated[Said, Field(max_length=120)]
ContactTitle = Annotated[Text, Field(max_length=120)]
Phone = Annotated[
    str,
    Field(
        max_length=30,
        pattern=r"^$|^[0-9+().x-][0-9+().x -]{5,28}[0-9+().x-]$",
        description="Digits, + ( ) . - x and spaces, 7 to 30 characters, or empty.",
    ),
]
# Contract.admin_fee_pepm and premium_pmpm: dollars and cents, 9 digits, not negative.
if TYPE_CHECKING:  # mypy reads it as the Decimal it is
    Rate = Decimal
else:
    Rate = decimal_in(max_digits=9, places=2, minimum=0)


class AccountIn(InputSchema):
    """A new account. Rules across fields, refused 422 with the field named: `renewal_date`
    after `effective_date`; `members` at least `employees`. A group number already in the
    book answers 409; a `parent_id` that is not an account of the reader's, 404."""

    name: Name
    group_number: GroupNumber
    segment: Segment
    funding: Funding
    tier: Tier = Tier.STANDARD
    status: AccountStatus = AccountStatus.ACTIVE
    employees: Headcount
    members: Headcount
    state: StateCode
    region: Region
    timezone: TimeZoneName = "America/New_York"
    broker: Text = ""
    effective_date: CalendarDate
    renewal_date: CalendarDate
    parent_id: RecordId | None = None
    special_handling: Text = ""


class AccountPatch(InputSchema):
    """Changes to an account, merged with the stored record, then checked as a whole: the
    rules across fields of a new account hold (`renewal_date` after `effective_date`,
    `members` at least `employees`, against the stored value of a field not sent), and a
    `parent_id` may not be the account itself or one below it; a `group_number` another
    account holds (the 409 of this route is the stale version). Each refused 422 with the
    field named. A field the account requires may be left out but not sent as null (422
    naming it); `parent_id` alone may be cleared with null. (The schema does not offer null
    for the others: Omittable hides the None that only marks "not sent".)"""

    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )
    name: Omittable[Name] = None
    group_number: Omittable[GroupNumber] = None
    segment: Omittable[Segment] = None
    funding: Omittable[Funding] = None
    tier: Omittable[Tier] = None
    status: Omittable[AccountStatus] = None
    employees: Omittable[Headcount] = None
    members: Omittable[Headcount] = None
    state: Omittable[StateCode] = None
    region: Omittable[Region] = None
    timezone: Omittable[TimeZoneName] = None
    broker: Omittable[Text] = None
    effective_date: Omittable[CalendarDate] = None
    renewal_date: Omittable[CalendarDate] = None
    parent_id: RecordId | None = None
    special_handling: Omittable[Text] = None


class AccountFilters(Schema):
    q: Text | None = None
    segment: Segment | None = None
    funding: Funding | None = None
    renewal_month: MonthCode | None = None
    sort: Literal["name", "-name", "renewal", "-renewal", "-members", "members", "group"] | None = (
        None
    )


class ContactOut(Schema):
    id: int
    account_id: RecordId
    name: str
    title: str
    role: ContactRole
    email: str
    phone: str
    is_primary: bool
    notes: str
    version: int


class ContactIn(InputSchema):
    name: ContactName
    title: ContactTitle = ""
    role: ContactRole
    email: EmailText = ""
    phone: Phone = ""
    is_primary: bool = False
    notes: Text = ""


class ContactPatch(InputSchema):
    """Only the fields sent change; one the contact requires (`name`, `role`) may be left out
    but not sent as null (422 naming it). (The schema does not offer null for any field:
    Omittable hides the None that only marks "not sent".)"""

    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )
    name: Omittable[ContactName] = None
    title: Omittable[ContactTitle] = None
    role: Omittable[ContactRole] = None
    email: Omittable[EmailText] = None
    phone: Omittable[Phone] = None
    is_primary: Omittable[bool] = None
    notes: Omittable[Text] = None


class ContractOut(Schema):
    id: int
    account_id: RecordId
    number: str
    start_date: dt.date
    end_date: dt.date
    products: list[Product]
    admin_fee_pepm: Decimal | None
    premium_pmpm: Decimal | None


# Contract.number as ContractForm reads it: a CharField of 40 that strips the spaces around
# it and holds no NUL, so 1 to 40 characters between the first and the last non-space one.
ContractNumber = Annotated[
    str,
    Field(
        pattern=r"^\s*[^\x00\s]([^\x00]{0,38}[^\x00\s])?\s*$",
        description="1 to 40 characters, spaces around it not counted (they are dropped).",
        examples=["ASO-2026-0042"],
    ),
]


class ContractIn(InputSchema):
    """A contract. Rules across fields and with the account, refused 422 with the field named:
    `end_date` after `start_date`; an ASO (self-funded) account's contract has
    `admin_fee_pepm` and no `premium_pmpm`, a fully insured account's the other way round. A
    `number` another contract holds (numbers are unique across the book) answers 409."""

    number: ContractNumber
    start_date: CalendarDate
    end_date: CalendarDate
    products: list[Product] = Field(min_length=1)
    admin_fee_pepm: Rate | None = None
    premium_pmpm: Rate | None = None


class AccountAssignmentOut(Schema):
    id: int
    user_id: RecordId
    username: str = Field(alias="user.username")
    name: str = Field(alias="user.get_full_name")
    role: TeamRole
    since: dt.date


class TeamMemberIn(Schema):
    user_id: RecordId
    role: TeamRole


class AssignmentIn(InputSchema):
    user_id: RecordId
    role: TeamRole = TeamRole.LEAD
    team: list[TeamMemberIn] | None = Field(
        None,
        description="The team as you read it (GET .../team: each member's user_id and role). "
        "Given, a team someone changed since answers 409 with the stored team and nothing is "
        "saved; without it the assignment is made on whatever the team is now.",
    )


class TeamMemberOut(Schema):
    user_id: int
    role: TeamRole


class TeamChangedOut(Schema):
    detail: str
    team: list[TeamMemberOut]


class AccountConflictOut(Schema):
    detail: str


def _refuse(
    form: forms.BaseForm, references: dict[str, str] | None = None, *, conflict: bool = True
) -> Exception:
    """The form's refusal as the API answers it: a record the body names that the reader
    cannot see is 404 (as a path id is), a value another record holds already is 409 (where
    the route's 409 is that one; a PATCH's 409 is the stale version), the rest 422 with the
    fields named."""
    errors = form.errors.as_data()
    for field, named in (references or {}).items():
        if any(e.code == "invalid_choice" for e in errors.get(field, [])):
            return HttpError(404, f"{named}: no such record, or not in your scope.")
    taken = [f for f, found in errors.items() if any(e.code == "unique" for e in found)]
    if taken and conflict:
        return HttpError(409, f"{', '.join(taken)}: already used by another record.")
    return form_errors(form)


def _account_form_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in payload.items() if k != "parent_id"}
    if "parent_id" in payload:
        data["parent"] = payload["parent_id"]
    return data


@router.get("/", response=list[AccountOut])
@paginate(Page)
def list_accounts(request: HttpRequest, filters: Query[AccountFilters]) -> Any:
    form = AccountFilterForm(filters.dict(exclude_none=True))
    if not form.is_valid():
        raise form_errors(form)
    return filtered_accounts(request.user, form.cleaned_data)


@router.post("/", response={201: AccountOut, 409: AccountConflictOut})
def create_account(request: HttpRequest, payload: AccountIn) -> Any:
    if not can_create_accounts(request.user):
        raise PermissionDenied("Only managers and admins add accounts.")
    form = AccountForm(data=_account_form_data(payload.dict()))
    if not form.is_valid():
        raise _refuse(form, {"parent": "parent_id"})
    return Status(
        201, actions.do_create_account(form.cleaned_data, acting_user=signed_in_user(request))
    )


@router.get("/{account_id}", response=AccountOut)
def get_account(request: HttpRequest, account_id: RecordId) -> Any:
    return access_account_by_id(request.user, account_id)


@router.patch("/{account_id}", response={200: AccountOut, 409: StaleEditOut})
def update_account(request: HttpRequest, account_id: RecordId, payload: AccountPatch) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    current = model_to_dict(account, fields=AccountForm.Meta.fields)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    current.update(_account_form_data(changes))
    form = AccountForm(data=current, instance=account)
    if not form.is_valid():
        raise _refuse(form, {"parent": "parent_id"}, conflict=False)
    return saved_or_409(
        lambda: actions.do_update_account(
            account,
            form.cleaned_data,
            acting_user=signed_in_user(request),
            expected_version=expected,
        )
    )


@router.get("/{account_id}/contacts", response=list[ContactOut])
def list_contacts(request: HttpRequest, account_id: RecordId) -> Any:
    return access_account_by_id(request.user, account_id).contacts.all()


@router.post("/{account_id}/contacts", response={201: ContactOut})
def create_contact(request: HttpRequest, account_id: RecordId, payload: ContactIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = ContactForm(data=payload.dict())
    if not form.is_valid():
        raise form_errors(form)
    return Status(
        201, actions.do_add_contact(account, form.cleaned_data, acting_user=signed_in_user(request))
    )


@router.patch("/{account_id}/contacts/{contact_id}", response={200: ContactOut, 409: StaleEditOut})
def update_contact(
    request: HttpRequest, account_id: RecordId, contact_id: RecordId, payload: ContactPatch
) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    current = model_to_dict(contact, fields=ContactForm.Meta.fields)
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    current.update(changes)
    form = ContactForm(data=current, instance=contact)
    if not form.is_valid():
        raise form_errors(form)
    return saved_or_409(
        lambda: actions.do_update_contact(
            contact,
            form.cleaned_data,
            acting_user=signed_in_user(request),
            expected_version=expected,
        )
    )


@router.delete("/{account_id}/contacts/{contact_id}", response={204: None})
def delete_contact(request: HttpRequest, account_id: RecordId, contact_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contact = get_object_or_404(Contact, pk=contact_id, account=account)
    actions.do_remove_contact(contact, acting_user=signed_in_user(request))
    return Status(204, None)


@router.get("/{account_id}/contracts", response=list[ContractOut])
def list_contracts(request: HttpRequest, account_id: RecordId) -> Any:
    return access_account_by_id(request.user, account_id).contracts.all()


@router.post("/{account_id}/contracts", response={201: ContractOut, 409: AccountConflictOut})
def create_contract(request: HttpRequest, account_id: RecordId, payload: ContractIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = ContractForm(data=payload.dict(), account=account)
    if not form.is_valid():
        raise _refuse(form)
    return Status(
        201,
        actions.do_create_contract(account, form.cleaned_data, acting_user=signed_in_user(request)),
    )


@router.get("/{account_id}/team", response=list[AccountAssignmentOut])
def list_team(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    return account.assignments.select_related("user")


@router.post("/{account_id}/team", response={201: AccountAssignmentOut, 409: TeamChangedOut})
def assign(request: HttpRequest, account_id: RecordId, payload: AssignmentIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = AssignmentForm(data={"user": payload.user_id, "role": payload.role})
    if not form.is_valid():
        raise _refuse(form, {"user": "user_id"}, conflict=False)
    shown = None
    if payload.team is not None:
        shown = frozenset((m.user_id, str(m.role)) for m in payload.team)
    try:
        assignment = actions.do_assign(
            account,
            form.cleaned_data["user"],
            form.cleaned_data["role"],
            acting_user=signed_in_user(request),
            expected_team=shown,
        )
    except actions.TeamChanged as changed:
        team = [{"user_id": u, "role": r} for u, r in sorted(changed.saved)]
        return Status(409, {"detail": str(changed), "team": team})
    return Status(201, Assignment.objects.select_related("user").get(pk=assignment.pk))


@router.delete("/{account_id}/team/{assignment_id}", response={204: None})
def unassign(request: HttpRequest, account_id: RecordId, assignment_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    assignment = get_object_or_404(Assignment, pk=assignment_id, account=account)
    actions.do_unassign(assignment, acting_user=signed_in_user(request))
    return Status(204, None)
