"""Performance-guarantee metrics: names, units, comparators, typical targets, and how each
is computed from the operational feeds.

Targets and periods follow ``shared/domain/service-guarantees-detection.md`` §1.2 and §1.6
(ASA 30 s national / 45 s local; abandonment 3 % / 5 %; FCR 75-90 %; claims 90 % in 10
calendar days; financial accuracy >= 99 %; auto-adjudication typical 70-85 %, best 90-95 %;
member satisfaction annual). IVR containment has no public benchmark (§1.8): the 20 % target
is our assumption. Baseline operating levels are set well inside every target so that only
injected incidents produce misses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One guarantee metric: how it is measured and what a typical contract promises."""

    name: str
    unit: str
    comparator: str
    feed: str
    period: str
    targets: tuple[str, ...]
    definition: str

    def misses(self, value: float, target: float) -> bool:
        """Whether ``value`` fails the promise ``comparator target``."""
        if self.comparator == "<=":
            return value > target
        return value < target


TURNAROUND_DAYS = 10
"""Claims turnaround counts claims finalized within this many calendar days of receipt."""

SHORT_ABANDON_SECONDS = 5
"""Calls abandoned in under this many seconds are excluded from the abandonment rate."""

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "average_speed_of_answer",
            "seconds",
            "<=",
            "call_record",
            "quarterly",
            ("30", "45"),
            "mean wait_seconds of answered calls on line 'member', by UTC date of offered_at",
        ),
        Metric(
            "abandonment_rate",
            "percent",
            "<=",
            "call_record",
            "quarterly",
            ("3.0", "5.0"),
            "100 x abandoned member-line calls with wait_seconds >= 5 / member-line calls "
            "offered, both excluding calls abandoned in under 5 seconds",
        ),
        Metric(
            "first_contact_resolution",
            "percent",
            ">=",
            "call_record",
            "quarterly",
            ("80.0", "85.0"),
            "100 x answered member-line calls with resolved_first_contact / answered "
            "member-line calls",
        ),
        Metric(
            "claims_turnaround",
            "percent",
            ">=",
            "claim_processing",
            "quarterly",
            ("90.0", "92.0"),
            "100 x original claims (claim_frequency '1') finalized within 10 calendar days of "
            "received_date / original claims finalized, by finalized_date",
        ),
        Metric(
            "financial_accuracy",
            "percent",
            ">=",
            "claim_processing",
            "quarterly",
            ("99.0",),
            "100 x (sum audit_paid_amount - sum |audit_error_amount|) / sum audit_paid_amount "
            "over audited claims, by finalized_date",
        ),
        Metric(
            "auto_adjudication_rate",
            "percent",
            ">=",
            "claim_processing",
            "quarterly",
            ("80.0", "85.0"),
            "100 x original claims finalized with auto_adjudicated / original claims "
            "finalized, by finalized_date",
        ),
        Metric(
            "ivr_containment",
            "percent",
            ">=",
            "ivr_session",
            "quarterly",
            ("20.0",),
            "100 x IVR sessions with outcome 'contained' / all IVR sessions, by UTC date of "
            "started_at",
        ),
        Metric(
            "member_satisfaction",
            "percent",
            ">=",
            "survey_response",
            "annual",
            ("80.0", "85.0"),
            "100 x answered member surveys with csat >= 4 / answered member surveys, by UTC "
            "date of answered_at",
        ),
    )
}


@dataclass(frozen=True)
class OperatingLevels:
    """An account's normal (incident-free) service levels; all comfortably meet targets."""

    asa_seconds: float
    abandonment_pct: float
    fcr_pct: float
    turnaround_pct: float
    financial_accuracy_pct: float
    auto_adjudication_pct: float
    ivr_containment_pct: float
    member_satisfaction_pct: float
    denial_rate: float
