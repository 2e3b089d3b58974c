"""The one-page meeting brief of a visit, on screen and as a PDF (WeasyPrint, as the reports
app prints): health and why, open issues and problems, guarantees at risk, cost and service
figures, open objectives, renewal, who attends and their last touches."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.guarantees.models import AlertStatus, GuaranteeAlert
from clientdesk.insights.models import OPEN_PROBLEM_STATUSES, EmergingIssue, IssueStatus, Problem
from clientdesk.strategy import queries
from clientdesk.strategy.models import ObjectiveStatus, Visit

HIGHLIGHT_KEYS = ("pmpm_trend", "sla_attainment", "inquiries_per_1000", "nps", "csat")


def brief_context(user: AnyUser, visit: Visit, now: dt.datetime) -> dict[str, Any]:
    account = visit.account
    today = timezone.localdate(now)
    snapshot = queries.latest_snapshot(account)
    lines = queries.measure_lines(snapshot)
    touches = {t.contact.pk: t for t in queries.touches(account, today)}
    plan = queries.current_plan(account, today)
    renewal = queries.next_renewal(account, today)
    return {
        "visit": visit,
        "account": account,
        "today": today,
        "health": snapshot,
        "weakest": sorted(lines, key=lambda m: m.score)[:4],
        "highlights": [m for m in lines if m.key in HIGHLIGHT_KEYS],
        "override": queries.active_override(account, today),
        "issues": EmergingIssue.objects.filter(account=account, status=IssueStatus.NEW).order_by(
            "-last_alert_date"
        )[:5],
        "problems": Problem.objects.filter(
            account=account, status__in=OPEN_PROBLEM_STATUSES
        ).order_by("-opened_at")[:5],
        "guarantees_at_risk": GuaranteeAlert.objects.filter(
            guarantee__contract__account=account, status=AlertStatus.OPEN
        ).select_related("guarantee")[:5],
        "objectives": (
            plan.objectives.exclude(status=ObjectiveStatus.ON_TRACK).select_related("owner")[:6]
            if plan
            else []
        ),
        "plan": plan,
        "open_calls": list(queries.open_calls(account)[:5]),
        "renewal": renewal,
        "renewal_days": (renewal - today).days,
        "attendees": [(c, touches.get(c.pk)) for c in visit.attendees.all().order_by("name")],
    }


def render_brief_pdf(user: AnyUser, visit: Visit, now: dt.datetime) -> bytes:
    from weasyprint import HTML  # imported here: it loads pango, which only PDF runs need

    html = render_to_string(
        "strategy/brief_print.html", {**brief_context(user, visit, now), "screen": False}
    )
    pdf: bytes = HTML(string=html, base_url=None).write_pdf()
    return pdf
