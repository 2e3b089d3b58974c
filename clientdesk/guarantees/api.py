"""Guarantees API: definitions, results, evaluation, forecasts, attestations and alerts.

Account-scoped like the pages: reading needs the account; evaluating, forecasting and
attesting need the account team (WRITE, so executives get 403); defining guarantees needs
MANAGE.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, WithJsonSchema

from clientdesk.accounts.access import Need, access_account_by_id
from clientdesk.audit.conflicts import saved_or_409
from clientdesk.guarantees import actions, queries
from clientdesk.guarantees.access import access_guarantee
from clientdesk.guarantees.evaluation import ResultValues
from clientdesk.guarantees.forms import MOST_COUNTED, EvaluateForm, GuaranteeForm, tiers_text
from clientdesk.guarantees.library import TEMPLATES
from clientdesk.guarantees.metrics import METRICS
from clientdesk.guarantees.models import (
    AtRiskBasis,
    CallLine,
    Comparator,
    Guarantee,
    GuaranteeAlert,
    GuaranteeResult,
    Level,
    PenaltySchedule,
    PeriodKind,
    Settlement,
)
from clientdesk.guarantees.penalties import AmountNotRecordable
from clientdesk.guarantees.runs import run_evaluation, run_forecast
from clientdesk.lake.gateway import LakeError
from clientdesk.lib.api_errors import field_error, form_errors, refusal
from clientdesk.lib.api_types import (
    CalendarDate,
    InputSchema,
    Omittable,
    Percent,
    PeriodCode,
    RecordId,
    StaleEditOut,
    Text,
    decimal_in,
)
from clientdesk.lib.periods import parse_span
from clientdesk.people.requests import signed_in_user

router = Router(tags=["guarantees"])

# What the guarantee form accepts, said in the schema (the model's choices and columns), so a
# schema-valid request is refused only for a rule across fields (written in the operation).
MetricCode = Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(METRICS)})]
Decimals = Annotated[int, Field(ge=0, le=6, description="Decimals the result is reported to.")]
Seconds = Annotated[int, Field(ge=0, le=32767)]  # PositiveSmallIntegerField
Threshold = Annotated[int, Field(ge=0, le=2_147_483_647)]  # PositiveIntegerField
Label = Annotated[Text, Field(max_length=120)]
if TYPE_CHECKING:  # mypy reads each as the Decimal it is
    Target = Decimal
    AtRiskValue = Decimal
    PerPoint = Decimal
    TierAt = Decimal
    Count = Decimal
    Due = Decimal
    Score = Decimal
else:
    Target = decimal_in(max_digits=12, places=4)  # Guarantee.target
    AtRiskValue = decimal_in(max_digits=14, places=4, minimum=0)  # Guarantee.at_risk_value
    PerPoint = decimal_in(max_digits=14, places=2)  # Guarantee.per_point_amount
    TierAt = decimal_in(max_digits=14, places=4)  # a tier's threshold, in the metric's unit
    # An attested count, as AttestationForm reads it: met from 0, due from 1, both at most
    # MOST_COUNTED (what was due is kept as the result's sample size, a 64-bit integer).
    Count = decimal_in(
        max_digits=22,
        places=4,
        minimum=0,
        maximum=int(MOST_COUNTED),
        pattern=r"^[0-9]{1,18}(\.[0-9]{1,4})?$",
    )
    Due = decimal_in(
        max_digits=22,
        places=4,
        minimum=1,
        maximum=int(MOST_COUNTED),
        pattern=r"^([1-9][0-9]{0,17}(\.[0-9]{1,4})?|1)$",
    )
    # A score as GuaranteeResult.actual keeps it (20 digits, 6 of them decimals).
    Score = decimal_in(max_digits=18, places=4)


class TemplateOut(Schema):
    code: str
    title: str
    metric: str
    comparator: str
    target: str
    period: str
    at_risk_basis: str
    at_risk_value: str
    schedule: str
    sources: list[str]
    note: str


class GuaranteeOut(Schema):
    id: int
    contract_id: RecordId
    metric: str
    label: str
    comparator: str
    target: Decimal
    decimals: int
    threshold: int | None
    short_abandon_seconds: int
    line: str
    level: str
    period: str
    measure_from: dt.date | None
    measure_to: dt.date | None
    settlement: str
    at_risk_basis: str
    at_risk_value: Decimal
    schedule: str
    tiers: list[dict[str, str]]
    per_point_amount: Decimal | None
    source: str
    notes: str
    version: int

    @staticmethod
    def resolve_source(obj: Guarantee) -> str:
        return "lake" if obj.definition.from_lake else "attested"


class TierIn(Schema):
    """One tier: a result at or beyond `at` owes `pct` % of the amount at risk."""

    at: TierAt
    pct: Percent


class GuaranteeIn(InputSchema):
    """A guarantee. Rules across fields, refused 422 with the field named: `tiers` needs
    schedule `tiers`, `per_point_amount` schedule `per_point`; a one-time period needs
    `measure_from` before `measure_to`; a metric measured within N seconds or days needs
    `threshold`; an at-risk value as a percentage of fees or premium at most 100; a
    percentage of premium needs a contract with a premium PMPM (fully insured); the money
    at risk over the contract's term (the at-risk value by its basis, the account's
    headcount and the contract's rate) at most $999,999,999,999.99, what a result records.
    A `contract_id` that is not one of the account's contracts answers 404."""

    contract_id: RecordId
    metric: MetricCode
    label: Label = ""
    comparator: Comparator
    target: Target
    decimals: Decimals = 2
    threshold: Threshold | None = None
    short_abandon_seconds: Seconds = 5
    line: CallLine = CallLine.MEMBER
    level: Level = Level.CLIENT
    period: PeriodKind
    measure_from: CalendarDate | None = None
    measure_to: CalendarDate | None = None
    settlement: Settlement = Settlement.PER_PERIOD
    at_risk_basis: AtRiskBasis
    at_risk_value: AtRiskValue
    schedule: PenaltySchedule = PenaltySchedule.ALL_OR_NOTHING
    tiers: list[TierIn] = Field(default_factory=list, max_length=20)
    per_point_amount: PerPoint | None = None
    notes: Text = ""


class GuaranteePatch(InputSchema):
    """Any of GuaranteeIn's fields; the same rules across fields apply to the result. A field
    the guarantee requires may be left out but not sent as null (422 naming it); `threshold`,
    `measure_from`, `measure_to` and `per_point_amount` may be cleared with null. (The schema
    does not offer null for the others: Omittable hides the None that marks "not sent".)"""

    label: Omittable[Label] = None
    comparator: Omittable[Comparator] = None
    target: Omittable[Target] = None
    decimals: Omittable[Decimals] = None
    threshold: Threshold | None = None
    short_abandon_seconds: Omittable[Seconds] = None
    line: Omittable[CallLine] = None
    level: Omittable[Level] = None
    period: Omittable[PeriodKind] = None
    measure_from: CalendarDate | None = None
    measure_to: CalendarDate | None = None
    settlement: Omittable[Settlement] = None
    at_risk_basis: Omittable[AtRiskBasis] = None
    at_risk_value: Omittable[AtRiskValue] = None
    schedule: Omittable[PenaltySchedule] = None
    tiers: Omittable[Annotated[list[TierIn], Field(max_length=20)]] = None
    per_point_amount: PerPoint | None = None
    notes: Omittable[Text] = None
    version: Omittable[Annotated[int, Field(ge=1, le=2**31)]] = Field(
        None, description="The version you read; a newer stored one answers 409."
    )


class ResultOut(Schema):
    id: int | None = None
    guarantee_id: RecordId
    metric: str
    kind: str
    period: str
    period_start: dt.date
    period_end: dt.date
    contract_year: str
    status: str
    source: str
    comparator: str
    target: float
    actual: float | None
    numerator: float | None
    denominator: float | None
    n: int
    ci_low: float | None
    ci_high: float | None
    within_noise: bool
    met: bool | None
    settles: bool
    amount_at_risk: float
    penalty: float
    owed: float | None
    report_due: dt.date | None
    reconciliation_due: dt.date | None
    payment_due: dt.date | None
    inputs_hash: str
    version: int | None = Field(
        None,
        description="The stored result's version (none for a value not stored): send it with "
        "an attestation of the period so a result changed since is not replaced unseen.",
    )


class ResultFilters(Schema):
    period: PeriodCode | None = None
    kind: Literal["period", "settlement"] | None = None


class EvaluateIn(InputSchema):
    period: PeriodCode | None = Field(None, description="2026Q2, 2026-04 or 2026; none: all")


# A forecast's as-of date, 1985 to 2199: the forecast reads the accounts' local-time tables
# from the year before it, and those hold one standard offset and one daylight window a year
# from 1984 on (Anchorage moved its standard offset in 1983; New York kept war time in
# 1942-45). Year 0427 and 1943 were 500s (the fuzz bench with seeded ids).
FORECAST_FIRST = dt.date(1985, 1, 1)
FORECAST_DATE_PATTERN = (
    r"^(198[5-9]|199[0-9]|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
)


def _forecast_date_text(value: Any) -> Any:
    """Only the text the schema states (pydantic would read `0.0` as a date)."""
    if isinstance(value, dt.date) or (
        isinstance(value, str) and re.fullmatch(FORECAST_DATE_PATTERN, value)
    ):
        return value
    raise ValueError("Enter a date from 1985-01-01 to 2199-12-31 as YYYY-MM-DD.")


ForecastDate = Annotated[
    dt.date,
    BeforeValidator(_forecast_date_text),
    Field(ge=FORECAST_FIRST, le=dt.date(2199, 12, 31)),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "pattern": FORECAST_DATE_PATTERN,
            "description": "A date from 1985-01-01 to 2199-12-31 (YYYY-MM-DD).",
        }
    ),
]


class ForecastIn(InputSchema):
    as_of: ForecastDate | None = None


class ForecastOut(Schema):
    guarantee_id: RecordId
    metric: str
    period: str
    span_start: dt.date
    span_end: dt.date
    as_of: dt.date
    p_miss: float | None
    expected_penalty: float
    amount_at_risk: float
    expected_actual: float | None
    actual_p10: float | None
    actual_p90: float | None
    observed_days: int
    remaining_days: int
    method: str


class AttestationIn(InputSchema):
    """An attested result. Refused 409 for a guarantee measured from the lake; 422 with the
    field named for a period the guarantee does not have, or without numerator and
    denominator or a value (the metric says which). With `version` (the period's result as
    read: its `version`, 0 when none was recorded), a result recorded or changed since is
    not replaced: 409 with the stored one; without it, the attestation is not checked."""

    period: str
    numerator: Count | None = None
    denominator: Due | None = None
    value: Score | None = None
    sample_size: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0  # GuaranteeResult.sample_size
    evidence: str = Field(min_length=1)
    reference: str = ""
    version: Omittable[Annotated[int, Field(ge=0, le=2**31)]] = Field(
        None,
        description="The version of the period's result you read (0: none was recorded); "
        "a result recorded or changed since answers 409.",
    )


class AlertOut(Schema):
    id: int
    guarantee_id: RecordId
    metric: str = Field(alias="guarantee.metric")
    period: str = Field(alias="period_label")
    status: str
    threshold: float
    p_miss_opened: float
    p_miss_latest: float
    expected_penalty: float
    opened_as_of: dt.date
    latest_as_of: dt.date
    closed_reason: str


class PortfolioOut(Schema):
    account_id: RecordId
    group_number: str
    name: str
    guarantees: int
    expected_penalty: float
    worst_p_miss: float | None
    owed: float
    at_risk: float
    missed_last_12_months: int
    open_alerts: int


def _result_out(row: GuaranteeResult | ResultValues) -> dict[str, Any]:
    g = row.guarantee

    def num(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return {
        "id": getattr(row, "pk", None),
        "guarantee_id": g.pk,
        "metric": g.metric,
        "kind": row.kind,
        "period": row.period_label,
        "period_start": row.period_start,
        "period_end": row.period_end,
        "contract_year": row.contract_year,
        "status": row.status,
        "source": row.source,
        "comparator": g.comparator,
        "target": float(g.target),
        "actual": num(row.actual),
        "numerator": num(row.numerator),
        "denominator": num(row.denominator),
        "n": row.sample_size,
        "ci_low": num(row.ci_low),
        "ci_high": num(row.ci_high),
        "within_noise": row.within_noise,
        "met": row.met,
        "settles": row.settles,
        "amount_at_risk": float(row.amount_at_risk),
        "penalty": float(row.penalty),
        "owed": num(row.owed),
        "report_due": row.report_due,
        "reconciliation_due": row.reconciliation_due,
        "payment_due": row.payment_due,
        "inputs_hash": row.inputs_hash,
        "version": getattr(row, "version", None),
    }


def _form_data(payload: dict[str, Any]) -> dict[str, Any]:
    data = dict(payload)
    if "contract_id" in data:
        data["contract"] = data.pop("contract_id")
    tiers = data.pop("tiers", None)
    data["tiers_text"] = tiers_text(tiers or [])
    return data


@router.get("/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest) -> Any:
    return [
        {
            **{
                k: getattr(t, k)
                for k in (
                    "code",
                    "title",
                    "metric",
                    "comparator",
                    "target",
                    "period",
                    "at_risk_basis",
                    "at_risk_value",
                    "schedule",
                    "note",
                )
            },
            "sources": list(t.sources),
        }
        for t in TEMPLATES.values()
    ]


@router.get("/portfolio", response=list[PortfolioOut])
def get_portfolio(request: HttpRequest) -> Any:
    return [
        {
            "account_id": r.account.pk,
            "group_number": r.account.group_number,
            "name": r.account.name,
            "guarantees": r.guarantees,
            "expected_penalty": float(r.expected_penalty),
            "worst_p_miss": None if r.worst_p_miss is None else float(r.worst_p_miss),
            "owed": float(r.owed),
            "at_risk": float(r.at_risk),
            "missed_last_12_months": r.missed,
            "open_alerts": r.alerts,
        }
        for r in queries.portfolio(request.user, timezone.localdate())
    ]


@router.get("/{account_id}", response=list[GuaranteeOut])
def list_guarantees(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    return queries.account_guarantees(account)


@router.post("/{account_id}", response={201: GuaranteeOut})
def create_guarantee(request: HttpRequest, account_id: RecordId, payload: GuaranteeIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = GuaranteeForm(data=_form_data(payload.dict()), account=account)
    if not form.is_valid():
        raise refusal(form, {"contract": "contract_id"})
    g = actions.do_create_guarantee(
        form.cleaned_data["contract"], form.guarantee_data(), acting_user=signed_in_user(request)
    )
    return Status(201, g)


@router.get("/{account_id}/results", response=list[ResultOut])
def list_results(request: HttpRequest, account_id: RecordId, filters: Query[ResultFilters]) -> Any:
    account = access_account_by_id(request.user, account_id)
    rows = GuaranteeResult.objects.filter(guarantee__contract__account=account).select_related(
        "guarantee"
    )
    if filters.period:
        try:
            span = parse_span(filters.period)
        except ValueError as error:
            form = EvaluateForm({"period": filters.period})
            form.is_valid()
            raise form_errors(form) from error
        rows = rows.filter(period_start__lte=span.last, period_end__gte=span.first)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return [_result_out(r) for r in rows.order_by("guarantee_id", "kind", "period_start")]


class RunRefusedOut(Schema):
    """409: a guarantee's terms put more money at risk than a result can record (an account's
    headcount raised after the guarantee was set); the detail names the guarantee."""

    detail: str


@router.post("/{account_id}/evaluate", response={200: list[ResultOut], 409: RunRefusedOut})
def evaluate(request: HttpRequest, account_id: RecordId, payload: EvaluateIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = EvaluateForm({"period": payload.period or ""})
    if not form.is_valid():
        raise form_errors(form)
    try:
        values, _ = run_evaluation(
            [account],
            acting_user=signed_in_user(request),
            today=timezone.localdate(),
            window=form.cleaned_data["period"],
        )
    except LakeError as error:
        return Status(503, {"detail": str(error)})
    except AmountNotRecordable as error:
        return Status(409, {"detail": str(error)})
    return [_result_out(v) for v in values]


@router.get("/{account_id}/forecasts", response=list[ForecastOut])
def list_forecasts(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    card = queries.scorecard(account, timezone.localdate())
    return [_forecast_out(c.forecast) for c in card.cards if c.forecast is not None]


def _forecast_out(f: Any) -> dict[str, Any]:
    def num(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return {
        "guarantee_id": f.guarantee.pk,
        "metric": f.guarantee.metric,
        "period": f.period_label,
        "span_start": f.span_start,
        "span_end": f.span_end,
        "as_of": f.as_of,
        "p_miss": num(f.p_miss),
        "expected_penalty": float(f.expected_penalty),
        "amount_at_risk": float(f.amount_at_risk),
        "expected_actual": num(f.expected_actual),
        "actual_p10": num(f.actual_p10),
        "actual_p90": num(f.actual_p90),
        "observed_days": f.observed_days,
        "remaining_days": f.remaining_days,
        "method": f.method,
    }


@router.post("/{account_id}/forecast", response={200: list[ForecastOut], 409: RunRefusedOut})
def forecast(request: HttpRequest, account_id: RecordId, payload: ForecastIn) -> Any:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    try:
        forecasts, _ = run_forecast(
            [account],
            acting_user=signed_in_user(request),
            as_of=payload.as_of or timezone.localdate(),
        )
    except LakeError as error:
        return Status(503, {"detail": str(error)})
    except AmountNotRecordable as error:
        return Status(409, {"detail": str(error)})
    return [_forecast_out(f) for f in forecasts]


class AttestationConflictOut(Schema):
    """409: the guarantee is measured from the lake, not attested."""

    detail: str


@router.post(
    "/{account_id}/{guarantee_id}/attestations",
    response={201: ResultOut, 409: StaleEditOut | AttestationConflictOut},
)
def attest(
    request: HttpRequest, account_id: RecordId, guarantee_id: RecordId, payload: AttestationIn
) -> Any:
    _, g = access_guarantee(request.user, account_id, guarantee_id, need=Need.WRITE)
    if g.definition.from_lake:  # the guarantee's state, not the request's shape: a conflict
        return Status(409, {"detail": "This guarantee is measured from the lake, not attested."})
    data = actions.Attestation(
        period_label=payload.period,
        numerator=payload.numerator,
        denominator=payload.denominator,
        value=payload.value,
        sample_size=payload.sample_size,
        evidence=payload.evidence,
        reference=payload.reference,
    )
    try:
        saved = saved_or_409(
            lambda: actions.do_attest_result(
                g,
                data,
                acting_user=signed_in_user(request),
                today=timezone.localdate(),
                expected_version=payload.version,
            )
        )
    except ValueError as error:
        raise field_error("period", error) from error
    if isinstance(saved, GuaranteeResult):
        return Status(201, _result_out(saved))
    return saved  # 409 {detail, version, saved}: the stored result now


@router.get("/{account_id}/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest, account_id: RecordId) -> Any:
    account = access_account_by_id(request.user, account_id)
    return GuaranteeAlert.objects.filter(guarantee__contract__account=account).select_related(
        "guarantee"
    )


# Declared last: "/{account_id}/{guarantee_id}" would otherwise catch ".../results" and the
# other two-part paths above (Ninja path parameters match any segment).
@router.patch("/{account_id}/{guarantee_id}", response={200: GuaranteeOut, 409: StaleEditOut})
def update_guarantee(
    request: HttpRequest, account_id: RecordId, guarantee_id: RecordId, payload: GuaranteePatch
) -> Any:
    account, g = access_guarantee(request.user, account_id, guarantee_id, need=Need.MANAGE)
    current = model_to_dict(g, fields=GuaranteeForm.Meta.fields)
    current["tiers"] = g.tiers
    changes = payload.dict(exclude_unset=True)
    expected = changes.pop("version", None)
    current.update(changes)
    form = GuaranteeForm(data=_form_data(current), instance=g, account=account)
    if not form.is_valid():
        raise form_errors(form)
    return saved_or_409(
        lambda: actions.do_update_guarantee(
            g, form.guarantee_data(), acting_user=signed_in_user(request), expected_version=expected
        )
    )


@router.delete("/{account_id}/{guarantee_id}", response={204: None})
def delete_guarantee(request: HttpRequest, account_id: RecordId, guarantee_id: RecordId) -> Any:
    _, g = access_guarantee(request.user, account_id, guarantee_id, need=Need.MANAGE)
    actions.do_delete_guarantee(g, acting_user=signed_in_user(request))
    return Status(204, None)
