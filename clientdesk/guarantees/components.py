"""Components: the additive daily sums every lake metric is computed from.

Each feed's mart sums a fixed set of columns per account, day and dimension (the phone line
for calls, the survey for surveys). Metrics with a parameter (N seconds, N days, the
short-abandon exclusion) need one column per value in use, so the marts are built for a
`ComponentSpec` that lists those values. Because every component is a sum, a period's value
is the sum of its days, the book of business is the sum of its accounts, and the forecast
can resample days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from clientdesk.guarantees.metrics import Feed, MetricDef, MetricKind, MetricParams
from clientdesk.guarantees.statistics import Measure

ALL_DIMS = "*"


@dataclass(frozen=True)
class ComponentSpec:
    """Parameter values the marts must provide columns for."""

    short_abandon_seconds: frozenset[int] = field(default_factory=lambda: frozenset({5}))
    service_level_seconds: frozenset[int] = frozenset()
    turnaround_days: frozenset[int] = frozenset()
    load_business_days: frozenset[int] = frozenset()

    @classmethod
    def for_metrics(cls, pairs: Iterable[tuple[MetricDef, MetricParams]]) -> ComponentSpec:
        short, service, turnaround, load = {5}, set(), set(), set()
        for definition, params in pairs:
            if definition.call_options:
                short.add(params.short_abandon_seconds)
            threshold = params.threshold or definition.default_threshold
            if threshold is None:
                continue
            if definition.code == "service_level":
                service.add(threshold)
            elif definition.code == "claims_turnaround":
                turnaround.add(threshold)
            elif definition.code == "eligibility_load_timeliness":
                load.add(threshold)
        return cls(frozenset(short), frozenset(service), frozenset(turnaround), frozenset(load))


def call_columns(spec: ComponentSpec) -> list[str]:
    return [
        "offered",
        "answered",
        "wait_sum",
        "wait_sumsq",
        "fcr",
        "abandoned",
        *(f"short_{s}" for s in sorted(spec.short_abandon_seconds)),
        *(f"within_{n}" for n in sorted(spec.service_level_seconds)),
    ]


IVR_COLUMNS = ["sessions", "contained", "opted_out", "ivr_abandoned", "transferred"]
SURVEY_COLUMNS = ["answered", "csat_n", "satisfied", "csat_sum", "csat_sumsq"]
# Events counted by an app (lib/guarantee_events.py): met of events; a mean's values summed.
EVENT_COLUMNS = ["met", "events", "squares"]


def claim_columns(spec: ComponentSpec) -> list[str]:
    return [
        "originals",
        "auto",
        "unflagged",
        *(f"tat_{d}" for d in sorted(spec.turnaround_days)),
        "audited",
        "audited_ok",
        "paid_sum",
        "err_sum",
        "paid_sq",
        "err_sq",
        "paid_err",
    ]


def eligibility_columns(spec: ComponentSpec) -> list[str]:
    return ["files", *(f"timely_{b}" for b in sorted(spec.load_business_days))]


def columns_for(feed: Feed, spec: ComponentSpec) -> list[str]:
    if feed == Feed.CALLS:
        return call_columns(spec)
    if feed == Feed.IVR:
        return list(IVR_COLUMNS)
    if feed == Feed.CLAIMS:
        return claim_columns(spec)
    if feed == Feed.SURVEYS:
        return list(SURVEY_COLUMNS)
    if feed == Feed.ELIGIBILITY:
        return eligibility_columns(spec)
    if feed == Feed.EVENTS:
        return list(EVENT_COLUMNS)
    raise ValueError(f"{feed!r} is not a lake feed")


def dim_of(definition: MetricDef, params: MetricParams) -> str:
    """Which dimension value a metric reads: the line, the survey, or all."""
    if definition.call_options:
        return params.line
    if definition.survey:
        return definition.survey
    return ALL_DIMS


def ratio_parts(
    definition: MetricDef, params: MetricParams, get: Callable[[str], Any]
) -> tuple[Any, Any]:
    """(numerator, denominator) of a metric from its components; `get` returns a summed
    component (a float, or a numpy array of simulated sums). The value is
    `scale(definition) x numerator / denominator`."""
    code = definition.code
    threshold = params.threshold or definition.default_threshold
    if definition.feed == Feed.EVENTS:
        return get("met"), get("events")
    if code == "average_speed_of_answer":
        return get("wait_sum"), get("answered")
    if code in ("service_level", "abandonment_rate"):
        short = get(f"short_{params.short_abandon_seconds}")
        offered = get("offered") - short
        if code == "service_level":
            return get(f"within_{threshold}"), offered
        return get("abandoned") - short, offered
    if code == "financial_accuracy":
        return get("paid_sum") - get("err_sum"), get("paid_sum")
    if code == "sponsor_satisfaction":
        return get("csat_sum"), get("csat_n")
    if code == "eligibility_load_timeliness":
        return get(f"timely_{threshold}"), get("files")
    if code == "claims_turnaround":
        return get(f"tat_{threshold}"), get("originals")
    if code == "auto_adjudication_rate":
        # A claim whose source does not say (an 835 remittance) is in neither term; the
        # result's evidence counts them (`unflagged`).
        return get("auto"), get("originals") - get("unflagged")
    pairs = {
        "first_contact_resolution": ("fcr", "answered"),
        "payment_accuracy": ("audited_ok", "audited"),
        "ivr_containment": ("contained", "sessions"),
        "member_satisfaction": ("satisfied", "csat_n"),
    }
    if code not in pairs:
        raise ValueError(f"{code} is not measured from the lake")
    numerator, denominator = pairs[code]
    return get(numerator), get(denominator)


def scale(definition: MetricDef) -> float:
    """100 for metrics shown in percent, 1 for means."""
    return 100.0 if definition.unit == "percent" else 1.0


def measure(definition: MetricDef, params: MetricParams, sums: Mapping[str, float]) -> Measure:
    """A metric's numerator, denominator and sample from a period's summed components."""

    def get(name: str) -> float:
        return float(sums.get(name) or 0.0)

    numerator, denominator = ratio_parts(definition, params, get)
    if definition.kind == MetricKind.MEAN:
        n = int(denominator)
        squares = "wait_sumsq" if definition.code == "average_speed_of_answer" else "csat_sumsq"
        if definition.feed == Feed.EVENTS:
            squares = "squares"
        return Measure(MetricKind.MEAN, numerator, denominator, n, sum_squares=get(squares))
    if definition.kind == MetricKind.DOLLAR_RATIO:
        return Measure(
            MetricKind.DOLLAR_RATIO,
            numerator,
            denominator,
            int(get("audited")),
            error_dollars=get("err_sum"),
            paid_squares=get("paid_sq"),
            error_squares=get("err_sq"),
            paid_times_error=get("paid_err"),
        )
    return Measure(MetricKind.PROPORTION, numerator, denominator, int(denominator))
