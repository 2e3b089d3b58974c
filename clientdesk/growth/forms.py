"""Forms shared by the growth pages and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.models import User

from clientdesk.accounts.models import Account
from clientdesk.growth.actions import Actor, do_create_opportunity, do_move_opportunity
from clientdesk.growth.models import (
    HoldingStatus,
    LeadSource,
    LeadStatus,
    LibraryAnswer,
    NegotiationEntry,
    Opportunity,
    OpportunityKind,
    Product,
    RfpStatus,
    Stage,
    SuggestionRule,
    Vendor,
    VendorContract,
)
from clientdesk.people.roles import Role

DATE = forms.DateInput(attrs={"type": "date"})


def sales_users() -> Any:
    return User.objects.filter(groups__name=Role.SALES, is_active=True).order_by("last_name")


class OpportunityForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True))
    kind = forms.ChoiceField(choices=OpportunityKind.choices, initial=OpportunityKind.CROSS_SELL)
    expected_close = forms.DateField(widget=DATE)
    next_step = forms.CharField(max_length=200, required=False)

    def open_for(
        self, account: Account, *, owner: User, now: dt.datetime, acting_user: Actor
    ) -> Opportunity:
        """The valid form's opportunity, opened on the account (page and API alike)."""
        data = self.cleaned_data
        return do_create_opportunity(
            account,
            data["product"],
            owner=owner,
            expected_close=data["expected_close"],
            kind=data["kind"],
            next_step=data["next_step"],
            now=now,
            acting_user=acting_user,
        )


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(max_length=200, required=False)
    next_step = forms.CharField(max_length=200, required=False)
    probability = forms.IntegerField(min_value=0, max_value=100, required=False)
    expected_close = forms.DateField(widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("stage") == Stage.LOST and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why it was lost.")
        return data

    def move(
        self,
        opportunity: Opportunity,
        *,
        now: dt.datetime,
        acting_user: Actor,
        expected_version: int | None = None,
    ) -> Opportunity:
        """Move the opportunity as the valid form says (ValidationError when it may not)."""
        data = self.cleaned_data
        return do_move_opportunity(
            opportunity,
            data["stage"],
            reason=data["reason"] or "",
            next_step=data["next_step"] or None,
            probability=data.get("probability"),
            expected_close=data.get("expected_close"),
            now=now,
            acting_user=acting_user,
            expected_version=expected_version,
        )


class HoldingForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True))
    status = forms.ChoiceField(choices=HoldingStatus.choices)
    since = forms.DateField(widget=DATE)
    note = forms.CharField(max_length=200, required=False)


class ConvertForm(forms.Form):
    expected_close = forms.DateField(widget=DATE)


class DismissForm(forms.Form):
    reason = forms.CharField(max_length=200)


class RuleForm(forms.ModelForm[SuggestionRule]):
    class Meta:
        model = SuggestionRule
        fields = [
            "name",
            "measure",
            "comparison",
            "threshold",
            "also_measure",
            "also_threshold",
            "product",
            "rationale",
            "active",
        ]


class PersonChoiceField(forms.ModelChoiceField[User]):
    """People listed by their names (the username only when no name is on file)."""

    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class LeadForm(forms.Form):
    company = forms.CharField(max_length=200)
    contact_name = forms.CharField(max_length=120)
    contact_email = forms.EmailField(required=False)
    contact_phone = forms.CharField(max_length=30, required=False)
    need = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    size = forms.IntegerField(min_value=0, label="Employees")
    source = forms.ChoiceField(choices=LeadSource.choices)
    sales_owner = PersonChoiceField(queryset=User.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["sales_owner"]
        assert isinstance(owner, forms.ModelChoiceField)  # noqa: S101  (declared above)
        owner.queryset = sales_users()


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s, label) for s, label in LeadStatus.choices if s != LeadStatus.PASSED]
    )
    note = forms.CharField(max_length=200, required=False)


class LibraryAnswerForm(forms.ModelForm[LibraryAnswer]):
    class Meta:
        model = LibraryAnswer
        fields = ["question", "answer", "product", "last_reviewed", "review_due"]
        widgets = {"last_reviewed": DATE, "review_due": DATE}


class RfpImportForm(forms.Form):
    file = forms.FileField(help_text="The consultant's questionnaire, XLSX or DOCX.")
    title = forms.CharField(max_length=200)
    issuer = forms.CharField(max_length=200)
    consultant = forms.CharField(max_length=200, required=False)
    intent_due = forms.DateField(widget=DATE, required=False)
    questions_due = forms.DateField(widget=DATE, required=False)
    final_due = forms.DateField(widget=DATE)


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    library_answer = forms.IntegerField(required=False, widget=forms.HiddenInput)


def rfp_writers() -> Any:
    return User.objects.filter(
        groups__name__in=[Role.MANAGER, Role.ASSOCIATE], is_active=True
    ).order_by("last_name", "first_name")


class AssignForm(forms.Form):
    assignee = PersonChoiceField(queryset=User.objects.none(), required=False)
    due = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  (declared above)
        field.queryset = rfp_writers()


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(choices=RfpStatus.choices)
    reason = forms.CharField(max_length=200, required=False)
    competitor = forms.CharField(max_length=120, required=False)


class VendorForm(forms.ModelForm[Vendor]):
    class Meta:
        model = Vendor
        fields = ["name", "kind", "notes"]


class VendorContractForm(forms.ModelForm[VendorContract]):
    class Meta:
        model = VendorContract
        fields = [
            "vendor",
            "services",
            "fee_basis",
            "reference_fee",
            "reference_is_prior",
            "negotiated_fee",
            "volume",
            "start_date",
            "end_date",
            "guarantees",
            "savings_claim",
            "claimed_savings_pmpm",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}


class NegotiationForm(forms.ModelForm[NegotiationEntry]):
    class Meta:
        model = NegotiationEntry
        fields = ["on", "kind", "text", "fee"]
        widgets = {"on": DATE}


class ParticipantListForm(forms.Form):
    file = forms.FileField(
        help_text="The vendor's list, CSV or XLSX: a Member ID column, the enrolment start, "
        "and the enrolment end when there is one."
    )


class SavingsCheckForm(forms.Form):
    through = forms.DateField(
        widget=DATE,
        required=False,
        help_text="The last month of claims to count; empty: the account's latest claims less "
        "two months still coming in.",
    )
