"""Forms for guarantees, terms, attestations and runs; the pages and the API share them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from clientdesk.accounts.models import Account, Contract
from clientdesk.guarantees.library import TEMPLATES
from clientdesk.guarantees.metrics import METRICS
from clientdesk.guarantees.models import AtRiskBasis, Guarantee, GuaranteeTerms, PeriodKind
from clientdesk.guarantees.penalties import AmountNotRecordable, amount_at_risk, months_in
from clientdesk.lib.periods import parse_span

# The rule across fields the API documents (GuaranteeIn): the at-risk value times the
# headcount and months of the contract's term must fit what a result can record.
AMOUNT_NOT_RECORDABLE = "The money at risk over the contract's term is more than can be recorded"


class DateInput(forms.DateInput):
    input_type = "date"


def parse_tiers(text: str) -> list[dict[str, str]]:
    """Lines "at = pct" (e.g. "34 = 50") as the tiers JSON, in the order given."""
    tiers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        at, sep, pct = line.partition("=")
        if not sep:
            raise forms.ValidationError(f"Line {number}: write a tier as “result = % owed”.")
        try:
            at_value, pct_value = Decimal(at.strip()), Decimal(pct.strip().rstrip("%"))
        except InvalidOperation:
            raise forms.ValidationError(f"Line {number}: both sides must be numbers.") from None
        if not 0 <= pct_value <= 100:
            raise forms.ValidationError(f"Line {number}: the % owed must be 0 to 100.")
        tiers.append({"at": str(at_value), "pct": str(pct_value)})
    return tiers


def tiers_text(tiers: list[dict[str, str]]) -> str:
    return "\n".join(f"{t['at']} = {t['pct']}" for t in tiers)


class GuaranteeForm(forms.ModelForm[Guarantee]):
    tiers_text = forms.CharField(
        label="Tiers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line: a result at or beyond the value owes the % of the amount at "
        "risk, e.g. “34 = 50”. The worst tier reached applies.",
    )

    class Meta:
        model = Guarantee
        fields = [
            "contract",
            "metric",
            "label",
            "comparator",
            "target",
            "decimals",
            "threshold",
            "short_abandon_seconds",
            "line",
            "level",
            "period",
            "measure_from",
            "measure_to",
            "settlement",
            "at_risk_basis",
            "at_risk_value",
            "schedule",
            "per_point_amount",
            "notes",
        ]
        widgets = {
            "measure_from": DateInput(),
            "measure_to": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["contract"].queryset = account.contracts.all()  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.fields["tiers_text"].initial = tiers_text(self.instance.tiers or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        metric = METRICS.get(data.get("metric") or "")
        try:
            data["tiers"] = parse_tiers(data.get("tiers_text") or "")
        except forms.ValidationError as error:
            self.add_error("tiers_text", error)
            data["tiers"] = []
        if data.get("schedule") == "tiers" and not data["tiers"]:
            self.add_error("tiers_text", "A tiered schedule needs at least one tier.")
        if data.get("schedule") == "per_point" and data.get("per_point_amount") is None:
            self.add_error("per_point_amount", "A per-point schedule needs its amount per point.")
        if data.get("period") == PeriodKind.ONE_TIME:
            first, last = data.get("measure_from"), data.get("measure_to")
            if first is None or last is None:
                self.add_error("measure_from", "A one-time guarantee needs the dates it measures.")
            elif last < first:
                self.add_error("measure_to", "The end must not be before the start.")
        if metric is not None and data.get("threshold") and not metric.threshold_label:
            self.add_error("threshold", f"{metric.label} takes no N.")
        pct_bases = (AtRiskBasis.PCT_OF_ADMIN_FEES, AtRiskBasis.PCT_OF_PREMIUM)
        if data.get("at_risk_basis") in pct_bases and (data.get("at_risk_value") or 0) > 100:
            self.add_error("at_risk_value", "A percentage of fees cannot exceed 100.")
        elif data.get("at_risk_value") is not None and data.get("contract") is not None:
            self._check_amount_recordable(data)
        return data

    def _check_amount_recordable(self, data: dict[str, Any]) -> None:
        """The money at risk over the contract's whole term, at the account's headcount and the
        contract's rate, must fit what a result records (a PEPM value of millions per employee
        is a slip, and would be stored beyond its column). A basis the contract has no rate
        for is the model's error to name."""
        contract: Contract = data["contract"]
        try:
            amount_at_risk(
                data.get("at_risk_basis") or "",
                data["at_risk_value"],
                months=months_in(contract.start_date, contract.end_date),
                employees=self.account.employees,
                members=self.account.members,
                admin_fee_pepm=contract.admin_fee_pepm,
                premium_pmpm=contract.premium_pmpm,
            )
        except AmountNotRecordable as error:
            self.add_error("at_risk_value", f"{AMOUNT_NOT_RECORDABLE} ({error}).")
        except ValueError:
            pass  # a basis the contract has no rate for: Guarantee.clean names it

    def guarantee_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("contract", "tiers_text")}
        return data


class TemplatePickForm(forms.Form):
    contract = forms.ModelChoiceField(queryset=Contract.objects.none())
    templates = forms.MultipleChoiceField(
        choices=[(t.code, t.title) for t in TEMPLATES.values()],
        widget=forms.CheckboxSelectMultiple,
        label="Guarantees to add",
    )

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = account.contracts.all()  # type: ignore[attr-defined]
        current = account.contracts.filter(start_date__lte=timezone.localdate()).first()
        if current is not None:
            self.fields["contract"].initial = current.pk


class TermsForm(forms.ModelForm[GuaranteeTerms]):
    class Meta:
        model = GuaranteeTerms
        fields = [
            "pool_pct_of_fees",
            "max_share_pct",
            "report_lag_days",
            "reconciliation_lag_days",
            "payment_lag_days",
        ]


# The most an attested count may be: the result keeps what was due as its sample size, a
# 64-bit integer (9.2e18); a count of 1e20 was refused as "A value is out of range" with no
# field named, after the form had taken it.
MOST_COUNTED = Decimal(10**18 - 1)


class AttestationForm(forms.Form):
    period_label = forms.ChoiceField(label="Period")
    numerator = forms.DecimalField(
        label="Met (count)",
        required=False,
        min_value=Decimal(0),
        max_value=MOST_COUNTED,
        help_text="e.g. ID cards mailed by the commitment date.",
    )
    denominator = forms.DecimalField(
        label="Due (count)",
        required=False,
        min_value=Decimal(1),
        max_value=MOST_COUNTED,
        help_text="e.g. ID cards due.",
    )
    value = forms.DecimalField(label="Score", required=False, max_digits=18, decimal_places=4)
    sample_size = forms.IntegerField(
        label="Responses", required=False, min_value=1, max_value=2**63 - 1
    )
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the result rests on: the report, audit or survey, and who produced it.",
    )
    reference = forms.CharField(
        max_length=300, required=False, help_text="Document name, ticket or link."
    )

    def __init__(self, *args: Any, guarantee: Guarantee, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guarantee = guarantee
        self.fields["period_label"].choices = [(p, p) for p in periods]  # type: ignore[attr-defined]
        if guarantee.definition.unit == "percent":
            del self.fields["value"], self.fields["sample_size"]
        else:
            del self.fields["numerator"], self.fields["denominator"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "numerator" in self.fields:
            met, due = data.get("numerator"), data.get("denominator")
            if met is None:
                self.add_error("numerator", "Give what was met.")
            if due is None:
                self.add_error("denominator", "Give what was due.")
            if met is not None and due is not None and met > due:
                self.add_error("numerator", "What was met cannot exceed what was due.")
        else:
            if data.get("value") is None:
                self.add_error("value", "Give the score.")
            if data.get("sample_size") is None:
                self.add_error("sample_size", "Give how many responses the score comes from.")
        return data


class PeriodField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_span(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class EvaluateForm(forms.Form):
    period = PeriodField(
        required=False,
        help_text="2026Q2, 2026-04 or 2026; empty for every contract year so far.",
    )


class ForecastForm(forms.Form):
    as_of = forms.DateField(required=False, widget=DateInput(), help_text="Empty for today.")


class RecordsFilterForm(forms.Form):
    all_records = forms.BooleanField(required=False, label="All records, not only breaches")
