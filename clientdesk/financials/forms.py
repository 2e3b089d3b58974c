"""Forms shared by the financial pages and the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from clientdesk.financials.adjudication import STANDARD_OPTIONS, PlanDesign
from clientdesk.financials.contributions import DEFAULT_EMPLOYEE_PCT
from clientdesk.financials.models import AccountTerms, SegmentExpense
from clientdesk.financials.renewal import (
    DEFAULT_POOLING_POINT,
    DEFAULT_TARGET_MARGIN,
    DEFAULT_UNIT_COST_TREND,
    DEFAULT_UTILIZATION_TREND,
)
from clientdesk.financials.runs import POOLING_POINTS


class TermsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = AccountTerms
        fields = [
            "stop_loss_premium_pepm",
            "stop_loss_deductible",
            "vendor_pepm",
            "premium_tax_pct",
            "quality_improvement_pct",
            "budget_pmpm",
            "budget_members",
            "average_deductible",
            "small_group",
        ]


class SegmentExpenseForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SegmentExpense
        fields = ["segment", "admin_pmpm", "admin_pepm"]


class RenewalForm(forms.Form):
    pooling_point = forms.TypedChoiceField(
        choices=[(str(p), f"${p:,}") for p in POOLING_POINTS],
        coerce=float,
        initial=str(DEFAULT_POOLING_POINT),
        required=False,
    )
    utilization_trend = forms.DecimalField(
        label="Utilization trend % a year",
        initial=DEFAULT_UTILIZATION_TREND,
        required=False,
        min_value=Decimal("-20"),
        max_value=Decimal("50"),
    )
    unit_cost_trend = forms.DecimalField(
        label="Unit cost trend % a year",
        initial=DEFAULT_UNIT_COST_TREND,
        required=False,
        min_value=Decimal("-20"),
        max_value=Decimal("50"),
    )
    plan_factor = forms.DecimalField(
        label="Plan-design factor",
        initial=1,
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("1.5"),
    )
    manual_pmpm = forms.DecimalField(
        label="Manual rate PMPM (blank: the book's)", required=False, min_value=0
    )
    target_margin_pct = forms.DecimalField(
        label="Target margin %",
        initial=DEFAULT_TARGET_MARGIN,
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("30"),
    )

    def overrides(self) -> dict[str, float]:
        """The fields given, as the projection's overrides."""
        data = self.cleaned_data
        return {k: float(v) for k, v in data.items() if v not in (None, "")}


OPTIONAL_COPAYS = ("copay_brand", "copay_specialty")


class OptionForm(forms.Form):
    name = forms.CharField(max_length=60)
    deductible = forms.DecimalField(min_value=0, max_value=100_000)
    coinsurance_pct = forms.DecimalField(label="Coinsurance %", min_value=0, max_value=100)
    oop_max = forms.DecimalField(label="Out-of-pocket max", min_value=0, max_value=100_000)
    copay_office = forms.DecimalField(
        label="Office copay", min_value=0, max_value=5_000, required=False
    )
    copay_emergency = forms.DecimalField(
        label="ER copay", min_value=0, max_value=5_000, required=False
    )
    copay_pharmacy = forms.DecimalField(
        label="Rx generic copay", min_value=0, max_value=5_000, required=False
    )
    copay_brand = forms.DecimalField(
        label="Rx brand copay",
        min_value=0,
        max_value=5_000,
        required=False,
        help_text="Blank: the generic copay.",
    )
    copay_specialty = forms.DecimalField(
        label="Rx specialty copay",
        min_value=0,
        max_value=5_000,
        required=False,
        help_text="Blank: the generic copay.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.design = PlanDesign.from_dict(
                {k: (v if v is not None or k in OPTIONAL_COPAYS else 0) for k, v in data.items()}
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return data


class ContributionForm(forms.Form):
    """The contribution strategy: the employee's % of each coverage tier's monthly rate
    (blank: the default of `contributions.DEFAULT_EMPLOYEE_PCT`)."""

    employee = forms.DecimalField(
        label="Employee only %", min_value=0, max_value=100, required=False
    )
    employee_spouse = forms.DecimalField(
        label="Employee + spouse %", min_value=0, max_value=100, required=False
    )
    employee_children = forms.DecimalField(
        label="Employee + child(ren) %", min_value=0, max_value=100, required=False
    )
    family = forms.DecimalField(label="Family %", min_value=0, max_value=100, required=False)

    def strategy(self) -> dict[str, float]:
        return {
            k: float(DEFAULT_EMPLOYEE_PCT[k] if v is None else v)
            for k, v in self.cleaned_data.items()
        }


OptionFormSet = forms.formset_factory(OptionForm, extra=0, min_num=2, max_num=5, validate_min=True)


def initial_options() -> list[dict[str, Any]]:
    return [
        {
            "name": d.name,
            "deductible": d.deductible,
            "coinsurance_pct": d.coinsurance_pct,
            "oop_max": d.oop_max,
            "copay_office": d.copay_office,
            "copay_emergency": d.copay_emergency,
            "copay_pharmacy": d.copay_pharmacy,
            "copay_brand": d.copay_brand,
            "copay_specialty": d.copay_specialty,
        }
        for d in STANDARD_OPTIONS
    ]
