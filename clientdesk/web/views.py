"""The shell pages: home (what needs attention), health check and error pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientdesk.accounts.access import accounts_visible_to
from clientdesk.accounts.queries import book_summary, needs_attention
from clientdesk.lib.work import WORK_LISTS, WorkList
from clientdesk.people.roles import EDITS_ASSIGNED_ACCOUNTS, roles_of
from clientdesk.web.memo import ReaderMemo


def work_lists(user: Any, now: dt.datetime) -> list[WorkList]:
    """What needs the reader now: the lists the apps registered (lib/work.py) that are for
    this reader, in the order a working day takes them."""
    return WORK_LISTS.for_reader(user, now)


# The home page's reads, per reader, until the next write or the next minute (web/memo.py).
HOME = ReaderMemo[dict[str, Any]](size=256)


def home_reads(user: Any, now: dt.datetime) -> dict[str, Any]:
    """Everything the home page reads from the apps for this reader now."""
    today = timezone.localdate(now)
    mine = accounts_visible_to(user)
    if roles_of(user) & EDITS_ASSIGNED_ACCOUNTS:
        mine = mine.filter(assignments__user_id=user.pk or 0)
    else:  # the portfolio's next renewals: those still ahead
        mine = mine.filter(renewal_date__gte=today)
    return {
        "my_accounts": list(mine.order_by("renewal_date")[:12]),
        "attention": needs_attention(user, today)[:15],
        "summary": book_summary(user),
        "work": work_lists(user, now),
    }


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    now = timezone.now()
    hour = timezone.localtime(now).hour
    context = {
        "part_of_day": "morning" if hour < 12 else "afternoon" if hour < 18 else "evening",
        **HOME.get(user, now, lambda: home_reads(user, now)),
    }
    return render(request, "web/home.html", context)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the production-style run: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    _anonymous_if_unauthenticated(request)
    return render(request, "web/error.html", {"code": 404, "title": "Not found"}, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    _anonymous_if_unauthenticated(request)
    return render(
        request,
        "web/error.html",
        {"code": 403, "title": "Not allowed", "text": str(exception) or None},
        status=403,
    )


def _anonymous_if_unauthenticated(request: HttpRequest) -> None:
    """Errors raised before AuthenticationMiddleware ran (DisallowedHost, a bad cookie) reach
    the error pages without request.user; the templates read it."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    _anonymous_if_unauthenticated(request)
    return render(request, "web/error.html", {"code": 400, "title": "Bad request"}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request details here: the page must not echo anything the user sent.
    _anonymous_if_unauthenticated(request)
    return render(
        request, "web/error.html", {"code": 500, "title": "Something went wrong"}, status=500
    )
