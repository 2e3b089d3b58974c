"""Forms shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from clientdesk.accounts.models import Account, Funding, Segment
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.strategy.models import (
    AccountPlan,
    Band,
    CallStatus,
    Directive,
    Objective,
    PlanNeed,
    Stakeholder,
    Visit,
)
from clientdesk.strategy.scoring import RULES

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.ModelForm[AccountPlan]):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = AccountPlan
        fields = ["challenges", "sponsor_objectives", "strategy"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" not in self.initial:
            self.initial["version"] = self.instance.version


class NeedForm(forms.ModelForm[PlanNeed]):
    class Meta:
        model = PlanNeed
        fields = ["kind", "text", "source", "noted_on"]
        widgets = {"noted_on": DATE}


class ObjectiveForm(forms.ModelForm[Objective]):
    class Meta:
        model = Objective
        fields = [
            "title",
            "measure_key",
            "manual_value",
            "manual_source",
            "target",
            "better",
            "owner",
            "due",
        ]
        widgets = {"due": DATE}
        labels = {"measure_key": "Live measure"}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_key"] = forms.ChoiceField(
            label="Live measure",
            required=False,
            choices=[("", "— entered by hand —"), *ACCOUNT_MEASURES.choices()],
        )
        owner = self.fields["owner"]
        if isinstance(owner, forms.ModelChoiceField):
            owner.queryset = User.objects.filter(assignments__account=account).order_by("last_name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("measure_key") and (
            data.get("manual_value") is None or not data.get("manual_source")
        ):
            raise forms.ValidationError(
                "Choose a live measure, or enter the value by hand with its source."
            )
        return data


class ObjectiveEditForm(ObjectiveForm):
    """The objective edited where it is: the same fields, and the version it was loaded at
    (a save over someone else's is refused, neither edit lost)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CallCloseForm(forms.Form):
    status = forms.ChoiceField(choices=CallStatus.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VisitOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label="What was agreed", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DirectiveForm(forms.ModelForm[Directive]):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Directive
        fields = ["team", "kind", "text", "effective_from", "effective_to"]
        widgets = {
            "effective_from": DATE,
            "effective_to": DATE,
            "text": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            raise forms.ValidationError("A directive ends on or after the day it starts.")
        return data


class StakeholderForm(forms.ModelForm[Stakeholder]):
    class Meta:
        model = Stakeholder
        fields = ["influence", "sentiment", "our_owner", "cadence_days"]

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["our_owner"]
        if isinstance(owner, forms.ModelChoiceField):
            owner.queryset = User.objects.filter(assignments__account=account).order_by("last_name")


class VisitForm(forms.ModelForm[Visit]):
    class Meta:
        model = Visit
        fields = ["purpose", "starts_on", "ends_on", "location", "attendees"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        if isinstance(attendees, forms.ModelMultipleChoiceField):
            attendees.queryset = account.contacts.all()
            attendees.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            raise forms.ValidationError("A visit ends on or after the day it starts.")
        return data


class OverrideForm(forms.Form):
    band = forms.ChoiceField(choices=Band.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(widget=DATE)


class WeightsForm(forms.Form):
    segment = forms.ChoiceField(
        choices=[("", "Default (every segment)"), *Segment.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, rule in RULES.items():
            self.fields[f"w_{key}"] = forms.IntegerField(
                label=rule.short.capitalize(), min_value=0, max_value=1000, help_text=rule.words
            )

    def weights(self) -> dict[str, float]:
        return {k: float(self.cleaned_data[f"w_{k}"]) for k in RULES}


class PortfolioFilterForm(forms.Form):
    segment = forms.ChoiceField(choices=[("", "Every segment"), *Segment.choices], required=False)
    funding = forms.ChoiceField(choices=[("", "Every funding"), *Funding.choices], required=False)
    associate = forms.ModelChoiceField(
        queryset=User.objects.filter(groups__name="Associate").order_by("last_name"),
        required=False,
        empty_label="Every associate",
    )
    renewal_within = forms.ChoiceField(
        choices=[
            ("", "Any renewal"),
            ("90", "Renewing in 90 days"),
            ("180", "in 180 days"),
            ("365", "in a year"),
        ],
        required=False,
    )
    sort = forms.ChoiceField(
        choices=[
            ("score", "Score, lowest first"),
            ("-score", "Score, highest first"),
            ("name", "Name"),
            ("renewal", "Renewal"),
        ],
        required=False,
    )
