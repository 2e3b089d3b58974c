"""The header's search: accounts by name or group number, inquiries by Q-number, problems by
reference, each through its app's own access rule, so no result is one the reader cannot open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.inquiries.queries import inquiries_visible_to
from clientdesk.insights.access import problems_visible_to

LIMIT = 20
INQUIRY_REF = re.compile(r"^(?:Q-?)?0*(\d{1,9})$", re.IGNORECASE)
PROBLEM_REF = re.compile(r"^PRB-?0*(\d{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)


def search(user: Any, text: str) -> Results:
    """What the reader may open that matches ``text``: accounts (name contains it, or group
    number starts with it), the inquiry with that Q-number, the problem with that PRB-number."""
    query = text.strip()[:100]
    results = Results(query)
    if len(query) < 2 and not query.isdigit():
        return results
    accounts = (
        accounts_visible_to(user)
        .filter(Q(name__icontains=query) | Q(group_number__istartswith=query))
        .order_by("name")[:LIMIT]
    )
    results.hits += [
        Hit("Account", a.name, a.group_number, reverse("accounts:detail", args=[a.pk]))
        for a in accounts
    ]
    if match := INQUIRY_REF.match(query):
        inquiries = inquiries_visible_to(user).filter(pk=int(match.group(1)))
        results.hits += [
            Hit(
                "Inquiry",
                f"{q.reference} · {q.subject}",
                q.account.name,
                reverse("inquiries:detail", args=[q.pk]),
            )
            for q in inquiries.select_related("account")
        ]
    if match := PROBLEM_REF.match(query):
        problems = problems_visible_to(user).filter(pk=int(match.group(1)))
        results.hits += [
            Hit(
                "Problem",
                f"{p.reference} · {p.title}",
                p.get_status_display(),
                reverse("insights:problem_detail", args=[p.pk]),
            )
            for p in problems
        ]
    return results


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    results = search(request.user, request.GET.get("q", ""))
    return render(request, "web/search.html", {"results": results})
