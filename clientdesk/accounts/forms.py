"""Forms for the account book. The web pages and the API validate through the same forms."""

from __future__ import annotations

from typing import Any

from django import forms

from clientdesk.accounts.models import (
    LOGGED_ACTIVITY_KINDS,
    Account,
    Contact,
    Contract,
    Funding,
    Product,
    Segment,
    TeamRole,
)
from clientdesk.people.pickers import PersonChoiceField, people_with_roles
from clientdesk.people.roles import Role


class DateInput(forms.DateInput):
    input_type = "date"


class AccountForm(forms.ModelForm[Account]):
    class Meta:
        model = Account
        fields = [
            "name",
            "group_number",
            "segment",
            "funding",
            "tier",
            "status",
            "employees",
            "members",
            "state",
            "region",
            "timezone",
            "broker",
            "effective_date",
            "renewal_date",
            "parent",
            "special_handling",
        ]
        widgets = {
            "effective_date": DateInput(),
            "renewal_date": DateInput(),
            "special_handling": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_group_number(self) -> str:
        value: str = self.cleaned_data["group_number"].strip().upper()
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        effective, renewal = data.get("effective_date"), data.get("renewal_date")
        if effective and renewal and renewal <= effective:
            self.add_error("renewal_date", "The renewal date must be after the effective date.")
        members, employees = data.get("members"), data.get("employees")
        if members is not None and employees is not None and members < employees:
            self.add_error("members", "Covered members include every employee, so cannot be fewer.")
        parent = data.get("parent")
        if parent is not None and self.instance.pk is not None:
            node: Account | None = parent
            while node is not None:
                if node.pk == self.instance.pk:
                    self.add_error("parent", "An account cannot be its own parent or ancestor.")
                    break
                node = node.parent
        return data


class ContactForm(forms.ModelForm[Contact]):
    class Meta:
        model = Contact
        fields = ["name", "title", "role", "email", "phone", "is_primary", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ContractForm(forms.ModelForm[Contract]):
    products = forms.MultipleChoiceField(
        choices=Product.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    class Meta:
        model = Contract
        fields = ["number", "start_date", "end_date", "products", "admin_fee_pepm", "premium_pmpm"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The contract must end after it starts.")
        fee, premium = data.get("admin_fee_pepm"), data.get("premium_pmpm")
        if self.account.funding == Funding.ASO:
            if fee is None:
                self.add_error("admin_fee_pepm", "An ASO contract needs its admin fee PEPM.")
            if premium is not None:
                self.add_error("premium_pmpm", "An ASO contract has no premium.")
        else:
            if premium is None:
                self.add_error("premium_pmpm", "A fully insured contract needs its premium PMPM.")
            if fee is not None:
                self.add_error("admin_fee_pepm", "A fully insured contract has no admin fee.")
        return data


class AssignmentForm(forms.Form):
    user = PersonChoiceField(queryset=people_with_roles(Role.ASSOCIATE), label="Associate")
    role = forms.ChoiceField(choices=TeamRole.choices)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[(k.value, k.label) for k in LOGGED_ACTIVITY_KINDS], label="Type"
    )
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Notes")
    occurred_at = forms.DateTimeField(
        label="When",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty for now.",
    )


class AccountFilterForm(forms.Form):
    SORTS = {
        "name": "name",
        "-name": "-name",
        "renewal": "renewal_date",
        "-renewal": "-renewal_date",
        "members": "members",
        "-members": "-members",
        "group": "group_number",
    }
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.TextInput(
            attrs={"placeholder": "Name, group number or broker", "type": "search"}
        ),
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    funding = forms.ChoiceField(choices=[("", "All funding"), *Funding.choices], required=False)
    renewal_month = forms.CharField(
        required=False,
        label="Renewal month",
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    associate = PersonChoiceField(
        queryset=people_with_roles(Role.ASSOCIATE),
        required=False,
        empty_label="All associates",
    )
    sort = forms.ChoiceField(
        choices=[
            ("name", "Name A–Z"),
            ("-name", "Name Z–A"),
            ("renewal", "Renewal, soonest"),
            ("-renewal", "Renewal, latest"),
            ("-members", "Members, most"),
            ("members", "Members, fewest"),
            ("group", "Group number"),
        ],
        required=False,
    )

    def clean_renewal_month(self) -> tuple[int, int] | None:
        raw: str = self.cleaned_data.get("renewal_month") or ""
        if not raw:
            return None
        try:
            year, month = (int(part) for part in raw.split("-"))
        except ValueError:
            raise forms.ValidationError("Use the form YYYY-MM.") from None
        if not 1 <= month <= 12:
            raise forms.ValidationError("Use the form YYYY-MM.")
        return year, month
