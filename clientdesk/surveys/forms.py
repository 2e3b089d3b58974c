"""Validation shared by the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.db.models import QuerySet

from clientdesk.accounts.models import Account, Contact, ContactRole
from clientdesk.surveys.library import TEMPLATES
from clientdesk.surveys.models import (
    Audience,
    Cadence,
    FollowUpStatus,
    Language,
    Survey,
    SurveyKind,
)
from clientdesk.surveys.queries import DIMENSION_LABELS, Dimension
from clientdesk.surveys.questions import QuestionError, parse_questions


class QuestionsField(forms.CharField):
    """The questions as JSON (a list of question objects: docs/surveys.md)."""

    widget = forms.Textarea(attrs={"rows": 24, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value) or ""
        if not text.strip():
            return None
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"Not JSON: {error}") from None
        try:
            parse_questions(raw)
        except QuestionError as error:
            raise forms.ValidationError(str(error)) from None
        return raw


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SurveyKind.choices)
    questions = QuestionsField(
        required=False,
        help_text="Leave empty to start from the standard questions of the kind.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("questions") and data.get("kind"):
            data["questions"] = TEMPLATES[data["kind"]]
        return data


class VersionForm(forms.Form):
    questions = QuestionsField()


class SendForm(forms.Form):
    survey = forms.ModelChoiceField(queryset=Survey.objects.none())
    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(choices=Language.choices, initial=Language.EN)

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).exclude(kind=SurveyKind.TRANSACTIONAL)
        self.fields["contacts"].queryset = contacts  # type: ignore[attr-defined]


class TransactionalForm(forms.Form):
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.filter(kind=SurveyKind.TRANSACTIONAL, is_active=True)
    )
    days = forms.IntegerField(
        min_value=1, max_value=90, initial=7, help_text="Inquiries resolved in the last N days."
    )
    language = forms.ChoiceField(choices=Language.choices, initial=Language.EN)


def _span(form: forms.Form, today: dt.date) -> tuple[dt.date, dt.date]:
    """first..last asked, or the twelve months to today."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    last = data.get("last") or today
    first = data.get("first") or dt.date(last.year - 1, last.month, 1)
    return (first, last) if first <= last else (last, first)


class ResultsForm(forms.Form):
    by = forms.ChoiceField(
        choices=[(d.value, DIMENSION_LABELS[d]) for d in Dimension], required=False
    )
    kind = forms.ChoiceField(choices=[("", "Every kind"), *SurveyKind.choices], required=False)
    first = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def span(self, today: dt.date) -> tuple[dt.date, dt.date]:
        return _span(self, today)

    def dimension(self) -> Dimension:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Dimension(data.get("by") or Dimension.ACCOUNT)

    def kind_value(self) -> str:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return str(data.get("kind") or "")


class VerbatimsForm(forms.Form):
    account = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    first = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def span(self, today: dt.date) -> tuple[dt.date, dt.date]:
        return _span(self, today)

    def account_id(self) -> int | None:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("account")


class ScheduleEditForm(forms.Form):
    cadence = forms.ChoiceField(choices=Cadence.choices)
    next_on = forms.DateField(
        label="Next send", widget=forms.DateInput(attrs={"type": "date"}), required=True
    )
    roles = forms.MultipleChoiceField(
        choices=ContactRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The contacts asked; none ticked: every contact with an address.",
    )
    language = forms.ChoiceField(choices=Language.choices, initial=Language.EN)
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class ScheduleForm(ScheduleEditForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none())
    survey = forms.ModelChoiceField(queryset=Survey.objects.none())
    field_order = ["account", "survey", "cadence", "next_on", "roles", "language"]

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("is_active")
        self.fields["account"].queryset = accounts.order_by("name")  # type: ignore[attr-defined]
        self.fields["survey"].queryset = Survey.objects.filter(  # type: ignore[attr-defined]
            kind=SurveyKind.RELATIONSHIP, is_active=True
        ).order_by("name")


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(choices=FollowUpStatus.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    outcome = forms.CharField(max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == FollowUpStatus.CLOSED and not str(data.get("outcome", "")).strip():
            self.add_error("outcome", "Say what came of the follow-up to close it.")
        return data


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A CSV export (Qualtrics, LimeSurvey or any tool).")
    kind = forms.ChoiceField(choices=SurveyKind.choices)
    audience = forms.ChoiceField(
        choices=Audience.choices,
        initial=Audience.SPONSOR,
        help_text="Who answered: member answers count in member satisfaction guarantees.",
    )
    mapping = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text='Our field → the export\'s column, as JSON: {"account": "Group", "nps": "Q1"}.',
    )

    def clean_mapping(self) -> dict[str, str]:
        from clientdesk.surveys.imports import MappingError, parse_mapping

        try:
            return parse_mapping(self.cleaned_data["mapping"])
        except MappingError as error:
            raise forms.ValidationError(str(error)) from None
