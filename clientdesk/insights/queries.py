"""Reads of issues and problems, always starting from the caller's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.insights.access import issues_visible_to, problems_visible_to
from clientdesk.insights.models import (
    OPEN_PROBLEM_STATUSES,
    ActionStatus,
    CorrectiveAction,
    EmergingIssue,
    IssueStatus,
    Problem,
    ProblemStatus,
)
from clientdesk.lib.work import WorkItem, WorkList

AnyUser = AbstractBaseUser | AnonymousUser


def filtered_issues(user: AnyUser, params: dict[str, Any]) -> QuerySet[EmergingIssue]:
    qs = issues_visible_to(user).select_related("account", "problem")
    if params.get("account"):
        qs = qs.filter(account=params["account"])
    if params.get("family"):
        qs = qs.filter(family=params["family"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("level") == "book":
        qs = qs.filter(account__isnull=True)
    elif params.get("level") == "account":
        qs = qs.filter(account__isnull=False)
    return qs.order_by("-first_alert_date", "-id")


def issue_stats(qs: QuerySet[EmergingIssue]) -> dict[str, int]:
    return {
        "issues": qs.count(),
        "new": qs.filter(status=IssueStatus.NEW).count(),
        "with_problem": qs.filter(status=IssueStatus.PROBLEM).count(),
        "book_level": qs.filter(account__isnull=True).count(),
    }


def problem_columns(user: AnyUser) -> list[tuple[str, str, list[Problem]]]:
    """The board: one column per status, the user's problems in each."""
    problems = list(
        problems_visible_to(user).select_related("account", "owner").prefetch_related("actions")
    )
    return [
        (value, label, [p for p in problems if p.status == value])
        for value, label in ProblemStatus.choices
    ]


def _day_range(first: dt.date, last: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The instants a period of local days starts and ends (exclusive) in the account's zone:
    a problem opened at 20:00 in New York on the last day belongs to the period, although it
    is already the next day in UTC."""
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def account_period_insights(account_id: int, first: dt.date, last: dt.date) -> dict[str, Any]:
    """ "Emerging issues and actions taken" for a stewardship report (the caller has checked
    the account is the reader's): the account's issues whose alerts fall in the period, and the
    problems that were open at any time in it, each with its corrective actions, as plain data.

    Issues: id, title, summary, family, first/last alert, estimated start, observed, expected,
    status, problem reference. Problems: reference, title, status, root cause category and
    text, sponsor summary, fix date, verified on, linked inquiries, affected members, claims
    and dollars, and actions (description, owner, due date, status, completed on)."""
    issues = EmergingIssue.objects.filter(
        account_id=account_id, first_alert_date__lte=last, last_alert_date__gte=first
    ).select_related("problem")
    zone = ZoneInfo(Account.objects.values_list("timezone", flat=True).get(pk=account_id))
    start, end = _day_range(first, last, zone)
    problems = (
        Problem.objects.filter(account_id=account_id, opened_at__lt=end)
        .exclude(
            Q(status=ProblemStatus.VERIFIED, verified_on__lt=first)
            | Q(status=ProblemStatus.CLOSED, updated_at__lt=start)
        )
        .select_related("owner")
        .prefetch_related("actions__owner")
        .order_by("opened_at", "id")
    )
    return {
        "issues": [
            {
                "id": i.pk,
                "title": i.title,
                "summary": i.summary,
                "family": i.family,
                "estimated_start": i.estimated_start,
                "first_alert_date": i.first_alert_date,
                "last_alert_date": i.last_alert_date,
                "observed": i.observed,
                "expected": i.expected,
                "status": i.status,
                "problem": i.problem.reference if i.problem else None,
            }
            for i in issues.order_by("first_alert_date", "id")
        ],
        "problems": [
            {
                "reference": p.reference,
                "title": p.title,
                "status": p.status,
                "status_label": p.get_status_display(),
                "root_cause_category": p.get_root_cause_category_display(),
                "root_cause": p.root_cause,
                "sponsor_summary": p.sponsor_summary,
                "opened_on": p.opened_at.astimezone(zone).date(),
                "fix_date": p.fix_date,
                "verified_on": p.verified_on,
                "linked_inquiries": p.affected_inquiries,
                "affected_members": p.affected_members,
                "affected_claims": p.affected_claims,
                "affected_dollars": p.affected_dollars,
                "actions": [
                    {
                        "description": a.description,
                        "owner": a.owner.get_full_name() or a.owner.get_username(),
                        "due_date": a.due_date,
                        "status": a.get_status_display(),
                        "completed_on": a.completed_on,
                    }
                    for a in p.actions.all()
                ],
            }
            for p in problems
        ],
    }


def training_findings(since: dt.date | None = None) -> list[dict[str, Any]]:
    """Findings that feed training (for the team's curriculum): every problem with a training
    topic, grouped by topic, newest first, with the problems behind each (reference, account,
    root-cause category, opened on)."""
    qs = Problem.objects.exclude(training_topic="").select_related("account")
    if since is not None:
        qs = qs.filter(opened_at__date__gte=since)
    topics: dict[str, dict[str, Any]] = {}
    for p in qs.order_by("-opened_at", "-id"):
        key = p.training_topic.strip()
        entry = topics.setdefault(key.casefold(), {"topic": key, "problems": []})
        entry["problems"].append(
            {
                "id": p.pk,
                "reference": p.reference,
                "title": p.title,
                "account_id": p.account_id,
                "account": p.account.name if p.account else "",
                "root_cause_category": p.root_cause_category,
                "opened_on": timezone.localdate(p.opened_at),
            }
        )
    return list(topics.values())


def issue_work_list(user: AnyUser, limit: int = 5) -> WorkList:
    """Emerging issues on the reader's accounts (and the book's) nobody has acted on yet,
    the newest alert first."""
    new = issues_visible_to(user).filter(status=IssueStatus.NEW)
    total = new.count()
    rows = new.select_related("account").order_by("-last_alert_date", "-id")[:limit]
    items = [
        WorkItem(
            title=i.title,
            detail=(
                f"{i.observed:,.0f} against {i.expected:,.1f} expected since "
                f"{i.estimated_start:%b %-d} · last alert {i.last_alert_date:%b %-d}"
            ),
            url=reverse("insights:issue_detail", args=[i.pk]),
            when=i.last_alert_date,
        )
        for i in rows
    ]
    return WorkList(
        key="issues",
        heading="New emerging issues",
        total=total,
        url=reverse("insights:issues") + "?status=new",
        empty="No new emerging issue on your accounts.",
        items=items,
    )


def action_work_list(user: AnyUser, today: dt.date, limit: int = 5) -> WorkList:
    """The reader's corrective actions not yet done, overdue first."""
    mine = CorrectiveAction.objects.filter(
        owner_id=user.pk or 0,
        status__in=(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS),
        problem__in=problems_visible_to(user),
    )
    total = mine.count()
    rows = mine.select_related("problem").order_by("due_date", "id")[:limit]
    items = [
        WorkItem(
            title=a.description,
            detail=(
                f"{a.problem.reference} {a.problem.title} · "
                + (
                    f"overdue since {a.due_date:%b %-d}"
                    if a.due_date < today
                    else f"due {a.due_date:%b %-d}"
                )
            ),
            url=reverse("insights:problem_detail", args=[a.problem_id]),
            when=a.due_date,
            urgent=a.due_date < today,
        )
        for a in rows
    ]
    return WorkList(
        key="actions",
        heading="My corrective actions",
        total=total,
        url=reverse("insights:problems"),
        empty="No corrective action is waiting on you.",
        items=items,
    )


def problem_work_list(user: AnyUser, limit: int = 5) -> WorkList:
    """Open problems the reader owns for service operations, the oldest first."""
    mine = problems_visible_to(user).filter(owner_id=user.pk or 0, status__in=OPEN_PROBLEM_STATUSES)
    total = mine.count()
    rows = mine.select_related("account").order_by("opened_at", "id")[:limit]
    items = [
        WorkItem(
            title=f"{p.reference} · {p.title}",
            detail=(
                f"{p.get_status_display()} · "
                f"{p.account.name if p.account else 'whole book'} · "
                f"opened {p.opened_at:%b %-d}"
            ),
            url=reverse("insights:problem_detail", args=[p.pk]),
            when=timezone.localdate(p.opened_at),
        )
        for p in rows
    ]
    return WorkList(
        key="problems",
        heading="My problems",
        total=total,
        url=reverse("insights:problems"),
        empty="No open problem is assigned to you.",
        items=items,
    )


# --- text themes, for the apps that read free text of their own ------------------------------


@dataclass(frozen=True)
class TextThemes:
    """Themes fitted on a set of texts: `labels` (`word · word · word`, in the model's order)
    and `assigned[i]`, the dominant theme of `texts[i]` ('' for a blank text)."""

    labels: list[str]
    assigned: list[str]


MIN_THEME_TEXTS = 40
"""Fewer non-blank texts than this give no themes (`themes.MIN_NOTES`, the detector's own
minimum; a test holds the two equal without importing scikit-learn here)."""


def text_themes(texts: Sequence[str], n_themes: int | None = None) -> TextThemes | None:
    """The emerging-issues text engine (TF-IDF + NMF, fixed seed: the same texts give the same
    themes) on any free text, e.g. survey verbatims; None when the texts are too few or too
    alike to say anything. One engine for the product: apps call this, never a second one."""
    from clientdesk.insights.themes import fit_themes

    model = fit_themes(list(texts), n_themes)
    if model is None:
        return None
    blank = [not t.strip() for t in texts]
    written = [t for t, b in zip(texts, blank, strict=True) if not b]
    themes = iter(model.assign(written))
    return TextThemes(list(model.names), ["" if b else next(themes) for b in blank])
