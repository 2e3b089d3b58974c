"""Who may run, read and schedule reports.

* A stewardship report follows its account: whoever may read the account may run it and
  download its runs (others get 404, as for the account itself).
* The portfolio report is for the roles that see the whole book (managers, executives,
  admins); each portfolio run is downloadable by the person it was made for (it holds their
  scope), and by admins.
* Schedules mail reports outside the team: managers and admins keep them.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clientdesk.accounts.access import AnyUser, accounts_visible_to
from clientdesk.people.roles import MANAGES_ACCOUNTS, SEES_ALL_ACCOUNTS, Role, roles_of
from clientdesk.reports.models import ReportKind, ReportRun, ReportSchedule


def _uid(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0


def can_run_portfolio(user: AnyUser) -> bool:
    return bool(roles_of(user) & SEES_ALL_ACCOUNTS)


def require_portfolio(user: AnyUser) -> None:
    if not can_run_portfolio(user):
        raise PermissionDenied("The portfolio report is for managers and executives.")


def can_schedule(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def require_schedule(user: AnyUser) -> None:
    if not can_schedule(user):
        raise PermissionDenied("Report schedules are kept by managers.")


def runs_visible_to(user: AnyUser) -> QuerySet[ReportRun]:
    """Stewardship runs of visible accounts; portfolio runs made for the user (admins: all)."""
    if not user.is_authenticated:
        return ReportRun.objects.none()
    mine = Q(kind=ReportKind.PORTFOLIO, requested_by_id=_uid(user))
    if Role.ADMIN in roles_of(user):
        mine = Q(kind=ReportKind.PORTFOLIO)
    stewardship = Q(kind=ReportKind.STEWARDSHIP, account__in=accounts_visible_to(user))
    return ReportRun.objects.filter(stewardship | mine)


def access_run_by_id(user: AnyUser, run_id: int) -> ReportRun:
    run = runs_visible_to(user).select_related("account", "requested_by").filter(pk=run_id)
    found = run.first()
    if found is None:
        raise Http404("No such report run.")
    return found


def schedules_visible_to(user: AnyUser) -> QuerySet[ReportSchedule]:
    if not can_schedule(user):
        return ReportSchedule.objects.none()
    return ReportSchedule.objects.all()


def access_schedule_by_id(user: AnyUser, schedule_id: int) -> ReportSchedule:
    require_schedule(user)
    found = schedules_visible_to(user).filter(pk=schedule_id).first()
    if found is None:
        raise Http404("No such schedule.")
    return found
