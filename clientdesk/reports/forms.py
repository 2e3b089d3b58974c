"""Inputs of the report pages, the API and the schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.accounts.models import Account
from clientdesk.lib.periods import (
    Period,
    PeriodError,
    PeriodKind,
    month_index,
    parse_period,
    period_of_kind,
)
from clientdesk.reports.models import DEFAULT_FORMATS, Cadence, ReportEdition, ReportKind
from clientdesk.utilization.report import RUNOUT_MONTHS

FORMAT_CHOICES = [
    ("pptx", "Deck (PPTX)"),
    ("brief", "Executive deck (PPTX, about 15 slides)"),
    ("xlsx", "Workbook (XLSX)"),
    ("pdf", "PDF"),
]


def default_report_period(today: dt.date | None = None) -> Period:
    """The last quarter whose claims have had RUNOUT_MONTHS of run-out."""
    today = today or timezone.localdate()
    quarter = period_of_kind(PeriodKind.QUARTER, month_index(today) - RUNOUT_MONTHS)
    if quarter.last_month > month_index(today) - RUNOUT_MONTHS:
        quarter = period_of_kind(PeriodKind.QUARTER, quarter.first_month - 1)
    return quarter


def this_quarter_end(today: dt.date) -> dt.date:
    return period_of_kind(PeriodKind.QUARTER, month_index(today)).last_day


def clean_period_text(text: str) -> Period:
    try:
        return parse_period(text)
    except PeriodError as error:
        raise forms.ValidationError(str(error)) from None


class ReportForm(forms.Form):
    period = forms.CharField(help_text="2026Q2, 2026-03, 2026 or R12-2026-03")
    formats = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES, widget=forms.CheckboxSelectMultiple, initial=list(DEFAULT_FORMATS)
    )
    edition = forms.ChoiceField(
        choices=ReportEdition.choices,
        initial=ReportEdition.CLIENT,
        required=False,
        widget=forms.RadioSelect,
        help_text="A stewardship report for the sponsor leaves out the team's own items.",
    )

    def clean_edition(self) -> str:
        return self.cleaned_data.get("edition") or ReportEdition.CLIENT

    def clean_period(self) -> str:
        return clean_period_text(self.cleaned_data["period"]).code


class ScheduleForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=ReportKind.choices)
    account: forms.ModelChoiceField[Account] = forms.ModelChoiceField(
        queryset=Account.objects.none(), required=False, help_text="For a stewardship report."
    )
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.QUARTERLY)
    formats = forms.MultipleChoiceField(
        choices=FORMAT_CHOICES, widget=forms.CheckboxSelectMultiple, initial=list(DEFAULT_FORMATS)
    )
    recipients = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="E-mail addresses, comma separated."
    )
    next_run_on = forms.DateField(help_text="First run, YYYY-MM-DD.")

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts_visible_to(user).order_by("name")  # type: ignore[attr-defined]

    def clean_recipients(self) -> str:
        text: str = self.cleaned_data["recipients"]
        addresses = [a.strip() for a in text.replace("\n", ",").split(",") if a.strip()]
        validator = forms.EmailField()
        for address in addresses:
            validator.clean(address)
        if not addresses:
            raise forms.ValidationError("Give at least one address.")
        return ", ".join(addresses)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ReportKind.STEWARDSHIP and not data.get("account"):
            self.add_error("account", "A stewardship report needs an account.")
        if data.get("kind") == ReportKind.PORTFOLIO:
            data["account"] = None
        return data
