"""Strategy's own rules that raise calls to action (lib/calls.py), registered beside the other
apps' rules and run by `clientdesk cta run`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account, AccountStatus
from clientdesk.guarantees.models import AlertStatus, GuaranteeAlert
from clientdesk.insights.models import EmergingIssue, IssueStatus
from clientdesk.lib.calls import CALL_RULES, CallRule, Cause, Urgency
from clientdesk.strategy.models import (
    AccountPlan,
    HealthSnapshot,
    Objective,
    ObjectiveStatus,
    PlanStatus,
)
from clientdesk.strategy.own_measures import contract_renewals, renewal_on_or_after
from clientdesk.strategy.scoring import BAND_ORDER

RENEWAL_WINDOW_DAYS = 180
BAND_LOOKBACK_DAYS = 14
CRITICAL_ISSUE_RATIO = 3.0
CRITICAL_ISSUE_DOLLARS = 25_000
ISSUE_RECENT_DAYS = 30
LIVE_STATUSES = [AccountStatus.ACTIVE, AccountStatus.AT_RISK, AccountStatus.IMPLEMENTATION]


def health_fell_a_band(now: dt.datetime) -> Iterable[Cause]:
    """An account whose latest snapshot is a band lower than the one before it."""
    today = timezone.localdate(now)
    latest: dict[int, list[HealthSnapshot]] = {}
    for snap in (
        HealthSnapshot.objects.filter(
            day__gte=today - dt.timedelta(days=BAND_LOOKBACK_DAYS), day__lte=today
        )
        .exclude(band="")
        .order_by("account_id", "-day")
        .only("account_id", "day", "score", "band", "explanation")
    ):
        pair = latest.setdefault(snap.account_id, [])
        if len(pair) < 2:
            pair.append(snap)
    for account_id, pair in latest.items():
        if len(pair) < 2:
            continue
        now_snap, before = pair
        if BAND_ORDER[now_snap.band] < BAND_ORDER[before.band]:
            yield Cause(
                account_id=account_id,
                key=f"fell-to:{now_snap.band}",
                reason=(
                    f"Health fell from {before.band} to {now_snap.band} ({before.score} → "
                    f"{now_snap.score} on {now_snap.day:%b %-d}): {now_snap.explanation}"
                ),
                urgency=Urgency.HIGH if now_snap.band == "poor" else Urgency.NORMAL,
                url=reverse("strategy:health", args=[account_id]),
            )


def renewal_without_plan(now: dt.datetime) -> Iterable[Cause]:
    """A live account renewing within 180 days with no approved plan for this year or the
    renewal's year."""
    today = timezone.localdate(now)
    approved = set(
        AccountPlan.objects.filter(status=PlanStatus.APPROVED)
        .filter(Q(year=today.year) | Q(year=today.year + 1))
        .values_list("account_id", "year")
    )
    live = list(Account.objects.filter(status__in=LIVE_STATUSES).values_list("pk", "renewal_date"))
    ends = contract_renewals([pk for pk, _ in live])
    for account_id, renewal in live:
        next_renewal = renewal_on_or_after(renewal, today, ends.get(account_id, ()))
        days = (next_renewal - today).days
        if days > RENEWAL_WINDOW_DAYS:
            continue
        if (account_id, today.year) in approved or (account_id, next_renewal.year) in approved:
            continue
        yield Cause(
            account_id=account_id,
            key=f"renewal:{next_renewal.isoformat()}",
            reason=(
                f"Renews on {next_renewal:%b %-d, %Y} (in {days} days) and has no approved "
                "strategic plan."
            ),
            due=min(next_renewal, today + dt.timedelta(days=30)),
            urgency=Urgency.HIGH if days <= 90 else Urgency.NORMAL,
            url=reverse("accounts:tab", args=[account_id, "plan"]),
        )


def objective_off_track(now: dt.datetime) -> Iterable[Cause]:
    for o in Objective.objects.filter(
        status=ObjectiveStatus.OFF_TRACK, plan__status__in=[PlanStatus.DRAFT, PlanStatus.APPROVED]
    ).select_related("plan"):
        yield Cause(
            account_id=o.plan.account_id,
            key=f"objective:{o.pk}",
            reason=(
                f"Objective “{o.title}” is off track: {o.value_detail or o.value} against a "
                f"target of {float(o.target):g} ({o.get_better_display().lower()})."
            ),
            due=o.due,
            owner_id=o.owner_id,
            url=reverse("accounts:tab", args=[o.plan.account_id, "plan"]),
        )


def guarantee_forecast_to_miss(now: dt.datetime) -> Iterable[Cause]:
    for a in GuaranteeAlert.objects.filter(status=AlertStatus.OPEN).select_related(
        "guarantee__contract"
    ):
        account_id = a.guarantee.contract.account_id
        p = float(a.p_miss_latest)
        yield Cause(
            account_id=account_id,
            key=f"guarantee:{a.guarantee_id}:{a.period_label}",
            reason=(
                f"{a.guarantee.display_name} is forecast to miss in {a.period_label}: "
                f"{p:.0%} chance, ${a.expected_penalty:,.0f} expected penalty."
            ),
            urgency=Urgency.HIGH if p >= 0.5 else Urgency.NORMAL,
            url=reverse("guarantees:detail", args=[account_id, a.guarantee_id]),
        )


def critical_emerging_issue(now: dt.datetime) -> Iterable[Cause]:
    """A new account issue alerting in the last 30 days that puts a guarantee at risk, runs
    at three times its expected level or more, or touches $25,000 or more."""
    today = timezone.localdate(now)
    for issue in EmergingIssue.objects.filter(
        status=IssueStatus.NEW,
        account__isnull=False,
        last_alert_date__gte=today - dt.timedelta(days=ISSUE_RECENT_DAYS),
    ):
        ratio = issue.ratio or 0.0
        why = []
        if issue.guarantees_at_risk:
            why.append("puts a guarantee at risk")
        if ratio >= CRITICAL_ISSUE_RATIO:
            why.append(f"runs at {ratio:.1f}× its expected level")
        if issue.affected_dollars >= CRITICAL_ISSUE_DOLLARS:
            why.append(f"touches ${issue.affected_dollars:,.0f}")
        if not why or issue.account_id is None:
            continue
        yield Cause(
            account_id=issue.account_id,
            key=f"issue:{issue.pk}",
            reason=f"{issue.title}: " + ", ".join(why) + ".",
            urgency=Urgency.HIGH,
            url=reverse("insights:issue_detail", args=[issue.pk]),
        )


STRATEGY_RULES = (
    CallRule(
        "health_band_fall",
        "Health fell a band",
        (
            "Read why the score fell and check the measures behind it",
            "Call the decision maker",
            "Agree a recovery step and log it on the plan",
        ),
        health_fell_a_band,
    ),
    CallRule(
        "renewal_no_plan",
        "Renewal within 180 days without an approved plan",
        (
            "Draft the plan for the renewal year",
            "Review it with the sponsor",
            "Have the manager approve it",
        ),
        renewal_without_plan,
    ),
    CallRule(
        "objective_off_track",
        "A plan objective is off track",
        (
            "Find why the measure is off its target",
            "Agree a corrective step with the owner",
            "Tell the sponsor at the next touch",
        ),
        objective_off_track,
    ),
    CallRule(
        "guarantee_forecast_miss",
        "A guarantee is forecast to miss",
        (
            "Confirm the forecast with service operations",
            "Agree a recovery plan for the period",
            "Tell the sponsor before the period ends",
        ),
        guarantee_forecast_to_miss,
    ),
    CallRule(
        "critical_issue",
        "A critical emerging issue",
        (
            "Open a problem record or confirm one is open",
            "Brief the sponsor",
            "Follow the corrective actions to closure",
        ),
        critical_emerging_issue,
    ),
)


def register() -> None:
    for rule in STRATEGY_RULES:
        CALL_RULES.register(rule)
