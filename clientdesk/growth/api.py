"""Growth API: opportunities, leads and the answer library, with the pages' scope rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja import errors as ninja_errors

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.growth import actions, queries
from clientdesk.growth.access import (
    access_lead_by_id,
    access_opportunity_by_id,
    leads_visible_to,
    opportunities_visible_to,
    require_accounts_role,
    require_library,
    require_pipeline,
    rfps_visible_to,
)
from clientdesk.growth.forms import LeadStatusForm, OpportunityForm, StageForm
from clientdesk.growth.library import search
from clientdesk.growth.models import OpportunityKind, SavingsCheck, Stage
from clientdesk.lib.api_errors import form_errors, refusal
from clientdesk.lib.api_types import CalendarDate, InputSchema, RecordId, StaleEditOut, Text
from clientdesk.people.requests import signed_in_user

router = Router(tags=["growth"])


class OpportunityOut(Schema):
    id: int
    account_id: RecordId
    product: str
    kind: str
    stage: str
    annual_value: Decimal
    probability: int
    expected_close: dt.date
    owner_id: RecordId
    next_step: str
    reason: str
    version: int


# At most 200 characters, as the forms take it.
Text200 = Annotated[Text, Field(max_length=200)]


class OpportunityIn(InputSchema):
    """A new opportunity on the account. `product` is the id of an active product of the
    catalogue: one that is not (or is retired) answers 404, as a path id does."""

    product: RecordId
    kind: OpportunityKind = OpportunityKind.CROSS_SELL
    expected_close: CalendarDate
    next_step: Text200 = ""


class OpportunityStageIn(InputSchema):
    """A move to a stage. Rules of the opportunity's state and across fields, refused 422 with
    the field named: a closed opportunity (won or lost) moves no more (on `stage`); a
    move to lost needs a `reason` that is not blank (on `reason`)."""

    stage: Stage
    reason: Text200 = Field("", description="Required when the stage is lost.")
    next_step: Text200 = ""
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )


class LeadOut(Schema):
    id: int
    company: str
    source: str
    size: int
    status: str
    reason: str
    sales_owner_id: RecordId
    passed_at: dt.datetime
    first_contact_at: dt.datetime | None
    version: int


# What sales reports back: every status but the first (passed), which the team sets.
ReportedLeadStatus = Literal["accepted", "contacted", "converted", "rejected"]


class LeadStatusIn(InputSchema):
    """A status reported back. Rules of the lead's state and across fields, refused 422 with
    the field named: the status must be one the lead can move to from its current one (passed
    → accepted or rejected, accepted → contacted or rejected, contacted → converted or
    rejected; a converted or rejected lead is closed), on `status`; rejecting needs a `note`
    that is not blank (the reason), on `note`."""

    status: ReportedLeadStatus
    note: Text200 = ""
    version: int | None = Field(
        None, ge=1, le=2**31, description="The version you read; a newer stored one answers 409."
    )


class LibraryAnswerOut(Schema):
    id: int
    question: str
    answer: str
    last_reviewed: dt.date
    review_due: dt.date


def _opportunity(o: object) -> dict[str, object]:
    from clientdesk.growth.models import Opportunity

    assert isinstance(o, Opportunity)  # noqa: S101  (the router's own objects)
    return {
        "id": o.pk,
        "account_id": o.account_id,
        "product": o.product.code,
        "kind": o.kind,
        "stage": o.stage,
        "annual_value": o.annual_value,
        "probability": o.probability,
        "expected_close": o.expected_close,
        "owner_id": o.owner_id,
        "next_step": o.next_step,
        "reason": o.reason,
        "version": o.version,
    }


@router.get("/opportunities", response=list[OpportunityOut])
def list_opportunities(request: HttpRequest) -> list[dict[str, object]]:
    require_pipeline(request.user)
    found = opportunities_visible_to(request.user).select_related("product")
    return [_opportunity(o) for o in found]


@router.post("/accounts/{account_id}/opportunities", response={201: OpportunityOut})
def create_opportunity(request: HttpRequest, account_id: RecordId, body: OpportunityIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = OpportunityForm(body.dict())
    if not form.is_valid():
        raise refusal(form, {"product": "product"})
    opportunity = form.open_for(
        account, owner=signed_in_user(request), now=timezone.now(), acting_user=request.user
    )
    return Status(201, _opportunity(opportunity))


@router.post(
    "/opportunities/{opportunity_id}/stage", response={200: OpportunityOut, 409: StaleEditOut}
)
def move_opportunity(
    request: HttpRequest, opportunity_id: RecordId, body: OpportunityStageIn
) -> Any:
    opportunity = access_opportunity_by_id(request.user, opportunity_id, need=Need.WRITE)
    data = body.dict()
    expected = data.pop("version", None)
    form = StageForm(data)
    if not form.is_valid():
        raise form_errors(form)
    try:
        return saved_or_409(
            lambda: _opportunity(
                form.move(
                    opportunity,
                    now=timezone.now(),
                    acting_user=request.user,
                    expected_version=expected,
                )
            )
        )
    except ValidationError as error:
        raise _refused(form, error, on="stage") from None


def _refused(form: forms.Form, error: ValidationError, *, on: str) -> ninja_errors.ValidationError:
    """An action's refusal (a rule of the record's state) as a 422 naming the field, like the
    form's own errors: a message that names no field is put on `on`."""
    named = error.message_dict if hasattr(error, "error_dict") else {on: error.messages}
    for field, messages in named.items():
        form.add_error(field if field in form.fields else on, messages)
    return form_errors(form)


@router.get("/leads", response=list[LeadOut])
def list_leads(request: HttpRequest) -> list[object]:
    require_pipeline(request.user)
    return list(leads_visible_to(request.user))


@router.post("/leads/{lead_id}/status", response={200: LeadOut, 409: StaleEditOut})
def lead_status(request: HttpRequest, lead_id: RecordId, body: LeadStatusIn) -> Any:
    lead = access_lead_by_id(request.user, lead_id, need=Need.WRITE)
    data = body.dict()
    expected = data.pop("version", None)
    form = LeadStatusForm(data)
    if not form.is_valid():
        raise form_errors(form)
    try:
        return saved_or_409(
            lambda: actions.do_update_lead(
                lead,
                form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                now=timezone.now(),
                acting_user=request.user,
                expected_version=expected,
            )
        )
    except ValidationError as error:
        raise _refused(form, error, on="status") from None


@router.get("/library", response=list[LibraryAnswerOut])
def library_search(request: HttpRequest, q: str = "") -> list[object]:
    require_library(request.user)
    return list(search(q, 20)) if q.strip() else []


class RfpOut(Schema):
    id: int
    title: str
    account_id: RecordId | None
    issuer: str
    consultant: str
    final_due: dt.date
    status: str
    questions: int
    answered: int


@router.get("/rfps", response=list[RfpOut])
def list_rfps(request: HttpRequest) -> list[dict[str, object]]:
    require_accounts_role(request.user)
    out = []
    for rfp in rfps_visible_to(request.user).prefetch_related("questions"):
        questions = list(rfp.questions.all())
        out.append(
            {
                "id": rfp.pk,
                "title": rfp.title,
                "account_id": rfp.account_id,
                "issuer": rfp.issuer,
                "consultant": rfp.consultant,
                "final_due": rfp.final_due,
                "status": rfp.status,
                "questions": len(questions),
                "answered": sum(1 for q in questions if q.answer),
            }
        )
    return out


class VendorContractOut(Schema):
    id: int
    vendor: str
    services: str
    fee_basis: str
    reference_fee: Decimal
    negotiated_fee: Decimal
    volume: int
    start_date: dt.date
    end_date: dt.date
    savings_total: Decimal
    savings_annual: Decimal
    method: str
    claimed_savings_pmpm: Decimal | None
    # The newest check of the vendor's claim on the account's claims (None: not measured).
    measured_through: dt.date | None
    measured_savings_pmpm: Decimal | None
    measured_savings_total: Decimal | None
    claimed_savings_total: Decimal | None
    measured_method: str | None


@router.get("/accounts/{account_id}/vendor-contracts", response=list[VendorContractOut])
def account_vendor_contracts(request: HttpRequest, account_id: RecordId) -> list[dict[str, object]]:
    account = access_account_by_id(request.user, account_id)
    rows = queries.account_vendor_contracts(account)
    checks = queries.latest_savings_checks([c for c, _ in rows])
    return [
        {
            "id": c.pk,
            "vendor": c.vendor.name,
            "services": c.services,
            "fee_basis": c.fee_basis,
            "reference_fee": c.reference_fee,
            "negotiated_fee": c.negotiated_fee,
            "volume": c.volume,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "savings_total": s.total,
            "savings_annual": s.annual,
            "method": s.method,
            "claimed_savings_pmpm": c.claimed_savings_pmpm,
            **_measured(checks.get(c.pk)),
        }
        for c, s in rows
    ]


def _measured(check: SavingsCheck | None) -> dict[str, object]:
    if check is None:
        return dict.fromkeys(
            (
                "measured_through",
                "measured_savings_pmpm",
                "measured_savings_total",
                "claimed_savings_total",
                "measured_method",
            )
        )
    return {
        "measured_through": check.through,
        "measured_savings_pmpm": check.measured_pmpm,
        "measured_savings_total": check.measured_total,
        "claimed_savings_total": check.claimed_total,
        "measured_method": check.method,
    }
