"""Forms shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms

from clientdesk.implementations.models import (
    MAX_SURVEY_AFTER_DAYS,
    OwnerTeam,
    TaskStatus,
    Template,
    TemplateKind,
)
from clientdesk.implementations.scheduling import ScheduleError, parse_predecessors

MAX_UPLOAD = 5 * 1024 * 1024


class ImplementationForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=Template.objects.filter(is_active=True),
        required=False,
        help_text="Tasks, durations and links to start from (none: import a spreadsheet).",
    )
    name = forms.CharField(max_length=160)
    kind = forms.ChoiceField(choices=TemplateKind.choices, required=False)
    effective_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        template = data.get("template")
        if not data.get("kind"):
            if template is None:
                raise forms.ValidationError("Choose a kind or a template.")
            data["kind"] = template.kind
        return data


class PlanFileForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX: ID, Name, Duration, Predecessors, Owner team.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


class TestRoundForm(forms.Form):
    file = forms.FileField(
        label="Eligibility test file",
        help_text="The sponsor's X12 834, or a CSV with the lake's eligibility columns; this "
        "sponsor's members only. Loaded as a test: its acceptance report and pass or fail "
        "shown here, never counted as members.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 5 MB.")
        return upload


class PlanForm(forms.Form):
    name = forms.CharField(label="Name", max_length=160, required=False)
    effective_date = forms.DateField(
        label="Effective date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    survey_after_days = forms.IntegerField(
        label="Implementation survey, days after go-live",
        min_value=0,
        max_value=MAX_SURVEY_AFTER_DAYS,
        required=False,
        help_text="Empty: the team's setting.",
    )

    def changes(self, sent: Any) -> dict[str, Any]:
        """Name and date when given (empty: kept); the survey day whenever it is sent
        (empty: back to the team's setting)."""
        data = self.cleaned_data
        out = {k: data[k] for k in ("name", "effective_date") if data.get(k)}
        if "survey_after_days" in sent:
            out["survey_after_days"] = data["survey_after_days"]
        return out


class TaskForm(forms.Form):
    """Only the fields sent are changed (the page's quick status buttons send one)."""

    status = forms.ChoiceField(label="Status", choices=TaskStatus.choices, required=False)
    percent_done = forms.IntegerField(
        label="Percent done", min_value=0, max_value=100, required=False
    )
    actual_start = forms.DateField(label="Actual start", required=False)
    actual_finish = forms.DateField(label="Actual finish", required=False)
    owner_team = forms.ChoiceField(
        label="Owner team", choices=[("", "—"), *OwnerTeam.choices], required=False
    )
    duration = forms.IntegerField(
        label="Duration (business days)", min_value=0, max_value=2000, required=False
    )
    predecessors = forms.CharField(label="Predecessors", max_length=300, required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    blocker = forms.CharField(label="Blocker", max_length=300, required=False)

    def clean_predecessors(self) -> str:
        text: str = self.cleaned_data.get("predecessors") or ""
        try:
            parse_predecessors(text)
        except ScheduleError as error:
            raise forms.ValidationError(str(error)) from None
        return text

    def changes(self, sent: Any) -> dict[str, Any]:
        """The cleaned values of the fields the request sent."""
        return {name: self.cleaned_data[name] for name in self.fields if name in sent}


class GoLiveForm(forms.Form):
    went_live_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class ReviewForm(forms.Form):
    review_notes = forms.CharField(
        label="What came up", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    lesson = forms.CharField(
        label="Lesson for the template",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    close = forms.BooleanField(required=False, label="Close the implementation")


class TemplateImportForm(PlanFileForm):
    code = forms.SlugField(max_length=60)
    name = forms.CharField(max_length=160)
    kind = forms.ChoiceField(choices=TemplateKind.choices)
