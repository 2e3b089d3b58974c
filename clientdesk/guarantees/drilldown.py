"""The records behind a number: the calls, sessions, claims or surveys of one result, or
the events an app counted for it (`Feed.EVENTS`: an implementation's ID cards, milestones,
survey answers).

Always the account's own records (a book-of-business result shows only this account's
share), in the period's account-local dates, breaches first. Member ids are masked; nothing
here shows a name. `records_behind` returns at most `limit` rows and the total count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
from django.utils import timezone

from clientdesk.guarantees.metrics import Feed, MetricKind
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.lake.gateway import AnyUser, Lake, open_lake, require_person
from clientdesk.lake.marts.operations import satisfied
from clientdesk.lake.marts.survey_answers import survey_answers
from clientdesk.lib.guarantee_events import GUARANTEE_EVENTS
from clientdesk.lib.local_time import local_bounds
from clientdesk.lib.survey_answers import SATISFIED_CSAT

LIMIT = 200


@dataclass(frozen=True)
class Records:
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    breaches_only: bool
    description: str


def mask_member_id(value: Any) -> str:
    """`W12345678901` -> `W1•••••••01`: enough to tell records apart, not to identify."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if len(text) <= 4:
        return "•" * len(text)
    return text[:2] + "•" * (len(text) - 4) + text[-2:]


def _breach(result: GuaranteeResult, t: ir.Table) -> tuple[ir.BooleanValue, str]:
    g = result.guarantee
    code = g.metric
    n = g.effective_threshold or 0
    short = g.short_abandon_seconds
    target = float(g.target)
    if code == "average_speed_of_answer":
        return t.answered & (
            t.wait_seconds > target
        ), f"answered calls that waited over {target:g} s"
    if code == "service_level":
        missed = (t.answered & (t.wait_seconds > n)) | (t.abandoned & (t.wait_seconds >= short))
        return missed, f"calls not answered within {n} s"
    if code == "abandonment_rate":
        return t.abandoned & (t.wait_seconds >= short), f"calls abandoned after {short} s or more"
    if code == "first_contact_resolution":
        return t.answered & ~t.resolved_first_contact.fill_null(False), (
            "answered calls not resolved on first contact"
        )
    if code == "claims_turnaround":
        lag = t.finalized_date.epoch_days() - t.received_date.epoch_days()
        return lag > n, f"original claims finalized after {n} days"
    if code == "auto_adjudication_rate":
        return ~t.auto_adjudicated, "original claims a person touched"
    if code in ("financial_accuracy", "payment_accuracy"):
        return t.audit_error_amount.fill_null(0) != 0, "audited claims with a payment error"
    if code == "ivr_containment":
        return t.outcome != "contained", "IVR sessions not contained"
    if code in ("member_satisfaction", "sponsor_satisfaction"):
        return ~satisfied(t.csat.fill_null(0)), f"answers with a csat below {SATISFIED_CSAT}"
    raise ValueError(f"{code} has no record drill-down")


def _table(result: GuaranteeResult, lake: Lake) -> tuple[ir.Table, list[str], str]:
    """The feed rows of the result's account and local period, and the columns to show."""
    g = result.guarantee
    account = g.contract.account
    feed = g.definition.feed
    start, end = local_bounds(account.timezone, result.period_start, result.period_end)
    lo, hi = int(start.timestamp()), int(end.timestamp())
    if feed == Feed.CALLS:
        t = lake.call_record
        t = t.filter([t.offered_at.epoch_seconds() >= lo, t.offered_at.epoch_seconds() < hi])
        short = g.short_abandon_seconds
        if g.metric != "first_contact_resolution" and g.metric != "average_speed_of_answer":
            t = t.filter(~(t.abandoned & (t.wait_seconds < short)))
        if g.metric in ("average_speed_of_answer", "first_contact_resolution"):
            t = t.filter(t.answered)
        if g.line != "*":
            t = t.filter(t.line == g.line)
        columns = [
            "call_id",
            "offered_at",
            "queue",
            "reason",
            "answered",
            "abandoned",
            "wait_seconds",
            "resolved_first_contact",
        ]
        return t, columns, "offered_at"
    if feed == Feed.CLAIMS:
        t = lake.claim_processing
        t = t.filter(
            [t.finalized_date >= result.period_start, t.finalized_date <= result.period_end]
        )
        if g.metric in ("financial_accuracy", "payment_accuracy"):
            t = t.filter(t.audited.fill_null(False))
            columns = [
                "claim_id",
                "member_id",
                "claim_type",
                "finalized_date",
                "paid_amount",
                "audit_paid_amount",
                "audit_error_amount",
                "audit_finding",
            ]
        else:
            t = t.filter(t.claim_frequency.fill_null("1") == "1")
            if g.metric == "auto_adjudication_rate":
                # A claim with no flag is not in the rate (its source did not say).
                t = t.filter(t.auto_adjudicated.notnull())
            columns = [
                "claim_id",
                "member_id",
                "claim_type",
                "service_family",
                "received_date",
                "finalized_date",
                "auto_adjudicated",
                "pend_reason",
                "status",
            ]
        return t, columns, "finalized_date"
    if feed == Feed.IVR:
        t = lake.ivr_session
        t = t.filter([t.started_at.epoch_seconds() >= lo, t.started_at.epoch_seconds() < hi])
        columns = [
            "session_id",
            "started_at",
            "entry_point",
            "menu_path",
            "outcome",
            "opted_out",
            "seconds",
        ]
        return t, columns, "started_at"
    if feed == Feed.SURVEYS:
        # The feed's answers and the ones clientdesk collected (lib.survey_answers).
        t = survey_answers(lake, result.period_start, result.period_end)
        t = t.filter(
            [
                t.answered_at.epoch_seconds() >= lo,
                t.answered_at.epoch_seconds() < hi,
                t.survey == (g.definition.survey or "member"),
            ]
        )
        columns = ["response_id", "survey", "answered_at", "csat", "nps_score"]
        return t, columns, "answered_at"
    raise ValueError(f"{g.metric} has no record drill-down")


def has_records(result: GuaranteeResult) -> bool:
    return result.guarantee.definition.feed in (
        Feed.CALLS,
        Feed.CLAIMS,
        Feed.IVR,
        Feed.SURVEYS,
        Feed.EVENTS,
    )


EVENT_COLUMNS = ["day", "value", "events", "what"]


def events_behind(
    result: GuaranteeResult, *, breaches_only: bool = True, limit: int = LIMIT
) -> Records:
    """The events the app counted for the result's account and period, those that missed
    first (a proportion's event not met; a mean's event whose value misses the target),
    then by day. The app's counter decides what the reader sees: the account's own events
    (the guarantee's page already passed the account's access rule)."""
    g = result.guarantee
    account = g.contract.account
    counter = GUARANTEE_EVENTS.get(g.metric)
    if counter is None:
        return Records(EVENT_COLUMNS, [], 0, breaches_only, "events (no app counts them)")
    threshold = g.params().threshold or g.definition.default_threshold
    today = min(result.period_end, timezone.localdate())  # what had happened by today
    counts = counter([account.pk], result.period_start, result.period_end, threshold, today)
    target = float(g.target)
    mean = g.definition.kind == MetricKind.MEAN

    def missed(met: float, events: float) -> bool:
        if not mean:
            return met < events
        value = met / events if events else 0.0
        return value < target if g.comparator == ">=" else value > target

    rows = [
        (missed(c.met, c.events), c)
        for c in counts
        if c.account_id == account.pk and result.period_start <= c.day <= result.period_end
    ]
    if breaches_only:
        rows = [r for r in rows if r[0]]
        description = (
            f"events with a value {'below' if g.comparator == '>=' else 'above'} {target:g}"
            if mean
            else "events that missed"
        )
    else:
        description = "events of the period"
    rows.sort(key=lambda r: (not r[0], r[1].day, r[1].detail))
    shown = [
        {
            "day": c.day,
            "value": round(c.met / c.events, 2) if mean and c.events else c.met,
            "events": c.events,
            "what": c.detail,
        }
        for _, c in rows[:limit]
    ]
    return Records(EVENT_COLUMNS, shown, len(rows), breaches_only, description)


def records_behind(
    user: AnyUser,
    result: GuaranteeResult,
    *,
    breaches_only: bool = True,
    limit: int = LIMIT,
    engine: str | None = None,
) -> Records:
    """The account's records of the result in the user's scope, breaches only unless asked
    (masked member ids)."""
    account = result.guarantee.contract.account
    reader = require_person(user)
    if result.guarantee.definition.feed == Feed.EVENTS:
        return events_behind(result, breaches_only=breaches_only, limit=limit)
    with open_lake(reader, accounts=[account], engine=engine, max_rows=max(limit, 1)) as lake:
        table, columns, order = _table(result, lake)
        condition, description = _breach(result, table)
        if breaches_only:
            table = table.filter(condition)
        else:
            description = "all records of the period"
        total = int(lake.execute(table.count()))
        shown = table.order_by([ibis.desc(condition.cast("int8")), order]).select(*columns)
        frame = lake.execute(shown.limit(limit))
    rows = []
    for record in frame.to_dict("records"):
        clean = {k: _plain(v, account.timezone) for k, v in record.items()}
        if "member_id" in clean:
            clean["member_id"] = mask_member_id(record["member_id"])
        rows.append(clean)
    return Records(columns, rows, total, breaches_only, description)


def _plain(value: Any, zone: str) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        stamp = value if value.tzinfo else value.tz_localize("UTC")
        return stamp.tz_convert(zone).strftime("%Y-%m-%d %H:%M:%S %Z")
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
