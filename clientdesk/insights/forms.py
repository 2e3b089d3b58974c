"""Validation shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from clientdesk.accounts.models import Account
from clientdesk.insights.families import FAMILIES
from clientdesk.insights.models import (
    ActionStatus,
    CorrectiveAction,
    IssueStatus,
    Problem,
    ProblemStatus,
)
from clientdesk.people.pickers import people_with_roles, show_names
from clientdesk.people.roles import Role


def service_operations_users() -> QuerySet[User]:
    return people_with_roles(Role.SERVICE_OPS)


def action_owners() -> QuerySet[User]:
    """Who may own a corrective action: the people who do the work (service operations, the
    account team and their managers), not executives or administrators."""
    return people_with_roles(Role.SERVICE_OPS, Role.ASSOCIATE, Role.MANAGER)


class IssueFilterForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)
    family = forms.ChoiceField(
        choices=[("", "Any kind"), *((f.name, f.label) for f in FAMILIES)], required=False
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *IssueStatus.choices], required=False)
    level = forms.ChoiceField(
        choices=[("", "Accounts and book"), ("account", "Accounts only"), ("book", "Book only")],
        required=False,
    )

    def __init__(self, *args: Any, accounts: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class DismissForm(forms.Form):
    reason = forms.CharField(max_length=300)


class ProblemForm(forms.ModelForm):  # type: ignore[type-arg]
    why_1 = forms.CharField(label="Why 1", required=False, max_length=300)
    why_2 = forms.CharField(label="Why 2", required=False, max_length=300)
    why_3 = forms.CharField(label="Why 3", required=False, max_length=300)
    why_4 = forms.CharField(label="Why 4", required=False, max_length=300)
    why_5 = forms.CharField(label="Why 5", required=False, max_length=300)

    class Meta:
        model = Problem
        fields = [
            "title",
            "status",
            "owner",
            "description",
            "root_cause_category",
            "root_cause",
            "sponsor_summary",
            "fix_date",
            "verify_days",
            "training_topic",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 3}),
            "sponsor_summary": forms.Textarea(attrs={"rows": 4}),
            "fix_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, can_assign: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_names(self.fields["owner"], service_operations_users())
        self.fields["owner"].label = "Service-operations owner"
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            c for c in ProblemStatus.choices if c[0] not in ("verified", "reopened")
        ] + (
            [(self.instance.status, self.instance.get_status_display())]
            if self.instance.status in ("verified", "reopened")
            else []
        )
        if not can_assign:
            del self.fields["owner"]
        whys = list(self.instance.whys or []) if self.instance.pk else []
        for i in range(5):
            self.fields[f"why_{i + 1}"].initial = whys[i] if i < len(whys) else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["whys"] = [data.pop(f"why_{i + 1}", "") or "" for i in range(5)]
        while data["whys"] and not data["whys"][-1]:
            data["whys"].pop()
        return data


class ActionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CorrectiveAction
        fields = ["description", "owner", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_names(self.fields["owner"], action_owners())


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkInquiriesForm(forms.Form):
    references = forms.CharField(
        label="Inquiries to link",
        max_length=4000,
        help_text="Inquiry references on this problem's account, e.g. Q-000123, Q-000124.",
    )
