"""The guarantee metrics: what each one counts, from which feed, with which exclusions.

One entry per metric. A metric measured from the lake names its feed and how its value
follows from the daily *components* the marts sum (`clientdesk/lake/marts/operations.py`); a metric
whose data is not in the lake is *attested*: someone records the result with its evidence.
Definitions follow `shared/domain/service-guarantees-detection.md` §1.2, §1.3, §1.8 and §1.9
and agree with the synthetic book's reference definitions (`clientdesk/synth/SCHEMA.md`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MetricKind(StrEnum):
    PROPORTION = "proportion"  # numerator count / denominator count, shown in percent
    MEAN = "mean"  # average of a per-record value (seconds, a score)
    DOLLAR_RATIO = "dollar_ratio"  # (dollars audited - dollars in error) / dollars audited


class Feed(StrEnum):
    CALLS = "call_record"
    IVR = "ivr_session"
    CLAIMS = "claim_processing"
    SURVEYS = "survey_response"
    ELIGIBILITY = "eligibility"
    EVENTS = "events"  # records an app keeps and counts (lib/guarantee_events.py)
    ATTESTED = ""  # not in the lake: recorded by a person with evidence


@dataclass(frozen=True)
class MetricDef:
    code: str
    label: str
    unit: str  # "seconds", "percent" or "score"
    comparator: str  # the usual promise: "<=" or ">="
    feed: Feed
    kind: MetricKind
    numerator: str
    denominator: str
    exclusions: str
    dated_by: str
    threshold_label: str = ""  # what N means when the metric takes one ("seconds", ...)
    default_threshold: int | None = None
    call_options: bool = False  # takes a phone line and the short-abandon exclusion
    survey: str = ""  # survey_response.survey the metric reads
    decimals: int = 2
    why_attested: str = ""

    @property
    def from_lake(self) -> bool:
        return self.feed != Feed.ATTESTED

    @property
    def unit_suffix(self) -> str:
        return {"seconds": "\u202fs", "percent": "\u202f%", "score": ""}.get(self.unit, "")


@dataclass(frozen=True)
class MetricParams:
    """A guarantee's own settings for its metric."""

    threshold: int | None = None
    short_abandon_seconds: int = 5
    line: str = "member"  # call metrics: "member", "sponsor" or "*" (both)


CALL_DATING = "the account-local date of offered_at"
CLAIM_DATING = "finalized_date"

METRICS: dict[str, MetricDef] = {
    m.code: m
    for m in (
        MetricDef(
            "average_speed_of_answer",
            "Average speed of answer",
            "seconds",
            "<=",
            Feed.CALLS,
            MetricKind.MEAN,
            "sum of wait_seconds of answered calls",
            "answered calls",
            "calls on other lines (by default only the member line counts)",
            CALL_DATING,
            call_options=True,
            decimals=0,
        ),
        MetricDef(
            "service_level",
            "Service level (% answered within N s)",
            "percent",
            ">=",
            Feed.CALLS,
            MetricKind.PROPORTION,
            "calls answered with wait_seconds <= N",
            "calls offered",
            "calls abandoned in under the short-abandon seconds (numerator and denominator)",
            CALL_DATING,
            threshold_label="seconds",
            default_threshold=30,
            call_options=True,
        ),
        MetricDef(
            "abandonment_rate",
            "Call abandonment rate",
            "percent",
            "<=",
            Feed.CALLS,
            MetricKind.PROPORTION,
            "calls abandoned while waiting",
            "calls offered",
            "calls abandoned in under the short-abandon seconds (numerator and denominator)",
            CALL_DATING,
            call_options=True,
        ),
        MetricDef(
            "first_contact_resolution",
            "First-contact resolution",
            "percent",
            ">=",
            Feed.CALLS,
            MetricKind.PROPORTION,
            "answered calls with resolved_first_contact",
            "answered calls",
            "unanswered calls",
            CALL_DATING,
            call_options=True,
        ),
        MetricDef(
            "claims_turnaround",
            "Claims turnaround (% within N days)",
            "percent",
            ">=",
            Feed.CLAIMS,
            MetricKind.PROPORTION,
            "original claims finalized within N calendar days of received_date",
            "original claims finalized",
            "reversals and replacements (claim_frequency other than 1); claims not finalized",
            CLAIM_DATING,
            threshold_label="calendar days",
            default_threshold=10,
        ),
        MetricDef(
            "financial_accuracy",
            "Financial (dollar) accuracy",
            "percent",
            ">=",
            Feed.CLAIMS,
            MetricKind.DOLLAR_RATIO,
            "audited dollars paid minus the absolute dollars paid in error",
            "audited dollars paid (audit_paid_amount)",
            "claims outside the audit sample",
            CLAIM_DATING,
        ),
        MetricDef(
            "payment_accuracy",
            "Payment accuracy",
            "percent",
            ">=",
            Feed.CLAIMS,
            MetricKind.PROPORTION,
            "audited claims paid the right amount (no audit error)",
            "audited claims",
            "claims outside the audit sample",
            CLAIM_DATING,
        ),
        MetricDef(
            "procedural_accuracy",
            "Procedural (processing) accuracy",
            "percent",
            ">=",
            Feed.ATTESTED,
            MetricKind.PROPORTION,
            "audited claims processed without any error, financial or not",
            "audited claims",
            "as the audit report states",
            "the audit period",
            why_attested="the lake's audit columns carry payment errors only, not coding or "
            "procedural errors; record the QA audit's result",
        ),
        MetricDef(
            "auto_adjudication_rate",
            "Auto-adjudication (first-pass) rate",
            "percent",
            ">=",
            Feed.CLAIMS,
            MetricKind.PROPORTION,
            "original claims finalized with no human touch (auto_adjudicated)",
            "original claims finalized with an auto-adjudication flag",
            "reversals and replacements; claims not finalized; claims with no flag (an 835 "
            "remittance cannot say), counted in the evidence",
            CLAIM_DATING,
        ),
        MetricDef(
            "ivr_containment",
            "IVR containment",
            "percent",
            ">=",
            Feed.IVR,
            MetricKind.PROPORTION,
            "IVR sessions with outcome contained",
            "IVR sessions",
            "none",
            "the account-local date of started_at",
        ),
        MetricDef(
            "eligibility_load_timeliness",
            "Eligibility load timeliness (% of files within N business days)",
            "percent",
            ">=",
            Feed.ELIGIBILITY,
            MetricKind.PROPORTION,
            "eligibility files loaded within N business days of their file_date",
            "eligibility files received (distinct file_name and file_date)",
            "none",
            "file_date; loaded = the account-local date of the first ingest_datetime",
            threshold_label="business days",
            default_threshold=5,
        ),
        MetricDef(
            "id_card_timeliness",
            "ID card timeliness",
            "percent",
            ">=",
            Feed.ATTESTED,
            MetricKind.PROPORTION,
            "ID cards mailed by the commitment date",
            "ID cards due",
            "as the fulfilment report states",
            "the commitment date",
            why_attested="ID card fulfilment (print and mail dates) is not a lake feed",
        ),
        MetricDef(
            "implementation_id_cards",
            "Implementation ID cards mailed ≥ N business days before going live",
            "percent",
            ">=",
            Feed.EVENTS,
            MetricKind.PROPORTION,
            "implementations whose ID cards were mailed N or more business days before the"
            " effective date (the plan's ID-card task, done, its actual finish)",
            "implementations of the account with an ID-card task that went live",
            "plans still in draft, plans without an ID-card task",
            "the effective date (counted once it has come)",
            threshold_label="business days",
            default_threshold=10,
        ),
        MetricDef(
            "implementation_milestones",
            "Implementation readiness milestones met by their commitment date",
            "percent",
            ">=",
            Feed.EVENTS,
            MetricKind.PROPORTION,
            "readiness milestones (production eligibility load, ID cards, test claims, service"
            " training, go-live) done by the date saved in the approved plan's baseline",
            "readiness milestones whose baseline date has come, or done earlier",
            "plans not approved (no baseline), tasks of other kinds",
            "the baseline finish date",
        ),
        MetricDef(
            "reporting_timeliness",
            "Reporting timeliness",
            "percent",
            ">=",
            Feed.ATTESTED,
            MetricKind.PROPORTION,
            "reports delivered by their due date",
            "reports due",
            "as the reporting log states",
            "the report due date",
            why_attested="report deliveries are not a lake feed",
        ),
        MetricDef(
            "member_satisfaction",
            "Member satisfaction (% satisfied)",
            "percent",
            ">=",
            Feed.SURVEYS,
            MetricKind.PROPORTION,
            "answered member surveys with csat 4 or 5",
            "answered member surveys with a csat score",
            "surveys not answered",
            "the account-local date of answered_at",
            survey="member",
        ),
        MetricDef(
            "sponsor_satisfaction",
            "Sponsor satisfaction (mean score, 1-5)",
            "score",
            ">=",
            Feed.SURVEYS,
            MetricKind.MEAN,
            "sum of csat of answered sponsor surveys",
            "answered sponsor surveys with a csat score",
            "surveys not answered",
            "the account-local date of answered_at",
            survey="sponsor",
        ),
        MetricDef(
            "implementation_readiness",
            "Implementation readiness (claim and call readiness)",
            "percent",
            ">=",
            Feed.ATTESTED,
            MetricKind.PROPORTION,
            "readiness milestones met by their commitment date",
            "readiness milestones",
            "as the implementation plan states",
            "the commitment dates",
            why_attested="implementation milestones are attested by the implementation team",
        ),
        MetricDef(
            "implementation_satisfaction",
            "Implementation satisfaction (survey score)",
            "score",
            ">=",
            Feed.EVENTS,
            MetricKind.MEAN,
            "sum of the CSAT (1-5) of answered implementation surveys",
            "answered implementation surveys with a CSAT score",
            "relationship and transactional surveys; invitations not answered; answers"
            " without a CSAT",
            "the account-local date the answer was given",
        ),
    )
}

METRIC_CHOICES = [(m.code, m.label) for m in METRICS.values()]


def metric(code: str) -> MetricDef:
    try:
        return METRICS[code]
    except KeyError:
        raise ValueError(f"unknown guarantee metric {code!r}") from None
