"""Forms of the team app, shared by the pages and the API."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from clientdesk.accounts.models import Account, Product, Segment
from clientdesk.team.actions import COMPETENCIES
from clientdesk.team.models import (
    Course,
    License,
    Location,
    ModuleKind,
    OccurrenceKind,
    Person,
    Requisition,
    Shift,
    Source,
    Stage,
    TimeOffType,
    Weekday,
)
from clientdesk.team.rules import AUTO_FAILS, QUALITY_CRITERIA

DATE = forms.DateInput(attrs={"type": "date"})


class CommaList(forms.CharField):
    """A list typed as comma-separated words."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [w.strip() for w in text.split(",") if w.strip()]

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


class PersonForm(forms.ModelForm[Person]):
    products = forms.MultipleChoiceField(
        choices=Product.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = forms.MultipleChoiceField(
        choices=Segment.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = CommaList(required=False, help_text="Comma-separated, e.g. English, Spanish.")

    class Meta:
        model = Person
        fields = [
            "title",
            "manager",
            "location",
            "onsite_account",
            "hire_date",
            "products",
            "languages",
            "segments",
            "capacity",
            "left_on",
            "leaving",
            "agent_id",
        ]
        widgets = {"hire_date": DATE, "left_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            groups__name__in=["Manager", "Admin"]
        ).order_by("last_name")
        self.fields["onsite_account"].queryset = Account.objects.order_by("name")  # type: ignore[attr-defined]

    def clean_agent_id(self) -> str:
        value = str(self.cleaned_data.get("agent_id") or "").strip()
        taken = Person.objects.filter(agent_id=value).exclude(pk=self.instance.pk)
        if value and taken.exists():
            raise forms.ValidationError(f"The agent id {value} is someone else's.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("location") == Location.ONSITE and not data.get("onsite_account"):
            self.add_error("onsite_account", "Say at which sponsor they work onsite.")
        if data.get("left_on") and not data.get("leaving"):
            self.add_error("leaving", "Say whether the leaving was voluntary.")
        return data


class LicenseForm(forms.ModelForm[License]):
    class Meta:
        model = License
        fields = ["state", "line", "number", "issued_on", "expires_on", "ce_required", "ce_earned"]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    def validate_unique(self) -> None:
        """The action decides: a new license of a state and line already held is refused
        with a message that says to change that one."""


class ShiftsForm(forms.Form):
    days = forms.MultipleChoiceField(
        choices=Weekday.choices, widget=forms.CheckboxSelectMultiple, label="Working days"
    )
    onsite_days = forms.MultipleChoiceField(
        choices=Weekday.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Onsite days",
    )
    starts = forms.TimeField(initial="08:30", widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(initial="17:00", widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", "A shift ends after it starts.")
        if set(data.get("onsite_days", [])) - set(data.get("days", [])):
            self.add_error("onsite_days", "An onsite day is a working day.")
        return data

    def shifts(self) -> list[dict[str, Any]]:
        return self.shifts_of(self.cleaned_data)

    @staticmethod
    def initial_of(shifts: Iterable[Shift]) -> dict[str, Any]:
        """The form filled with a stored week (its first shift's hours), so a manager changes
        the schedule they see instead of typing the week again."""
        week = list(shifts)
        if not week:
            return {}
        return {
            "days": [str(s.weekday) for s in week],
            "onsite_days": [str(s.weekday) for s in week if s.onsite],
            "starts": week[0].starts,
            "ends": week[0].ends,
        }

    @staticmethod
    def described(data: dict[str, Any]) -> dict[str, str]:
        """The week in words, field by field (the 409 page's two columns)."""
        labels = dict(Weekday.choices)
        days = [labels[int(d)] for d in sorted(data.get("days", []), key=int)]
        onsite = [labels[int(d)] for d in sorted(data.get("onsite_days", []), key=int)]
        hours = [data.get("starts"), data.get("ends")]
        return {
            "days": ", ".join(days) or "—",
            "onsite_days": ", ".join(onsite) or "—",
            "starts": hours[0].strftime("%H:%M") if hours[0] else "—",
            "ends": hours[1].strftime("%H:%M") if hours[1] else "—",
        }

    @staticmethod
    def shifts_of(data: dict[str, Any]) -> list[dict[str, Any]]:
        """The week's shifts of the cleaned data: one a working day, onsite or not."""
        onsite = set(data.get("onsite_days", []))
        return [
            {
                "weekday": int(day),
                "starts": data["starts"],
                "ends": data["ends"],
                "onsite": day in onsite,
            }
            for day in data["days"]
        ]


class OneToOneForm(forms.Form):
    held_on = forms.DateField(widget=DATE)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CourseForm(forms.ModelForm[Course]):
    class Meta:
        model = Course
        fields = [
            "code",
            "title",
            "description",
            "compliance",
            "recurrence",
            "at_hire",
            "days_to_complete",
            "passing_score",
            "guards_member_data",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions typed one a line: ``prompt | choice | *right choice | choice``."""
    questions: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        prompt, choices = parts[0], parts[1:]
        right = [i for i, c in enumerate(choices) if c.startswith("*")]
        if not prompt or len(choices) < 2 or len(right) != 1:
            raise forms.ValidationError(
                f"Line {number}: a prompt, two choices or more, and one right choice marked *."
            )
        questions.append(
            {
                "prompt": prompt,
                "choices": [c.lstrip("*").strip() for c in choices],
                "answer": right[0],
            }
        )
    return questions


class ModuleForm(forms.Form):
    kind = forms.ChoiceField(choices=ModuleKind.choices)
    title = forms.CharField(max_length=160)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    url = forms.URLField(required=False, label="Link or video address", assume_scheme="https")
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="For a quiz, one a line: prompt | choice | *right choice | choice",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in {ModuleKind.LINK, ModuleKind.VIDEO} and not data.get("url"):
            self.add_error("url", "A link or a video needs its address.")
        try:
            data["question_list"] = parse_questions(data.get("questions", ""))
        except forms.ValidationError as error:
            self.add_error("questions", error)
            data["question_list"] = []
        if kind == ModuleKind.QUIZ and not data["question_list"] and "questions" not in self.errors:
            self.add_error("questions", "A quiz needs at least one question.")
        return data


class AssignForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(widget=DATE)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people  # type: ignore[attr-defined]
        self.fields["people"].label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[attr-defined]


class PathForm(forms.Form):
    name = forms.CharField(max_length=160)
    account = forms.ModelChoiceField(
        queryset=Account.objects.order_by("name"),
        required=False,
        help_text="For onboarding to one sponsor; leave empty for a role's path.",
    )
    courses = forms.ModelMultipleChoiceField(
        queryset=Course.objects.order_by("code"), widget=forms.CheckboxSelectMultiple
    )


class AddressNeedForm(ModuleForm):
    course = forms.ModelChoiceField(queryset=Course.objects.order_by("code"))
    due_on = forms.DateField(widget=DATE)


class OpenNeedForm(forms.Form):
    topic = forms.CharField(max_length=200)
    evidence = CommaList(required=False, help_text="Problem references, comma-separated.")
    people = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people  # type: ignore[attr-defined]


class TimeOffForm(forms.Form):
    kind = forms.ModelChoiceField(queryset=TimeOffType.objects.order_by("name"), label="Type")
    first_day = forms.DateField(widget=DATE)
    last_day = forms.DateField(widget=DATE)
    note = forms.CharField(max_length=200, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")])
    version = forms.IntegerField(required=False)


class RequisitionForm(forms.ModelForm[Requisition]):
    class Meta:
        model = Requisition
        fields = ["title", "location", "reason", "approved_on"]
        widgets = {"approved_on": DATE}


class CandidateForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField(required=False)
    source = forms.ChoiceField(choices=Source.choices)
    applied_on = forms.DateField(widget=DATE, required=False)


class MoveForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(max_length=200, required=False)


class InterviewForm(forms.Form):
    interviewer = forms.ModelChoiceField(
        queryset=User.objects.filter(groups__name__in=["Manager", "Admin"]).order_by("last_name")
    )
    on = forms.DateField(widget=DATE)


class ScorecardForm(forms.Form):
    recommend = forms.TypedChoiceField(
        choices=[("yes", "Hire"), ("no", "Do not hire")], coerce=lambda v: v == "yes"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, name in enumerate(COMPETENCIES):
            self.fields[f"c{index}"] = forms.IntegerField(min_value=1, max_value=5, label=name)

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[f"c{i}"] for i, name in enumerate(COMPETENCIES)}


class OfferForm(forms.Form):
    salary = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    start_on = forms.DateField(widget=DATE)


class EraseForm(forms.Form):
    reason = forms.CharField(max_length=200)


class SelfIdForm(forms.Form):
    gender = forms.CharField(max_length=24, required=False)
    ethnicity = forms.CharField(max_length=40, required=False)
    veteran = forms.ChoiceField(choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False)
    disability = forms.ChoiceField(
        choices=[("", "—"), ("yes", "Yes"), ("no", "No")], required=False
    )


class ReviewForm(forms.Form):
    """The quality scorecard: each criterion 0 to 5, the auto-fail items, notes."""

    auto_fail = forms.MultipleChoiceField(
        choices=[(f, f) for f in AUTO_FAILS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Auto-fail",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    month = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for index, (name, weight) in enumerate(QUALITY_CRITERIA.items()):
            self.fields[f"s{index}"] = forms.IntegerField(
                min_value=0, max_value=5, label=f"{name} ({weight}%)"
            )

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[f"s{i}"] for i, name in enumerate(QUALITY_CRITERIA)}


class OccurrenceForm(forms.Form):
    on = forms.DateField(widget=DATE)
    kind = forms.ChoiceField(choices=OccurrenceKind.choices)
    note = forms.CharField(max_length=200, required=False)
