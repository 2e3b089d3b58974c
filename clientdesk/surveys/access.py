"""Who builds, sends and reads surveys, decided here only.

* Surveys (the questions) are built and changed by managers and admins; everyone who sees
  accounts reads them. Service operations have no surveys.
* Sending to an account follows the account (its team and the managers); the transactional
  send after resolved inquiries, across accounts, is the managers'.
* Results, responses and follow-ups follow the account's scope; the follow-up is worked by
  whoever may write on the account (the executive reads, changes nothing).

Anything outside a user's scope answers 404, exactly like an id that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from clientdesk.accounts.access import Need, accounts_visible_to, can
from clientdesk.accounts.models import Account
from clientdesk.people.roles import (
    EDITS_ASSIGNED_ACCOUNTS,
    MANAGES_ACCOUNTS,
    SEES_ALL_ACCOUNTS,
    roles_of,
)
from clientdesk.surveys.models import FollowUp, Survey, SurveyResponse, SurveySchedule

AnyUser = AbstractBaseUser | AnonymousUser


def reads_surveys(user: AnyUser) -> bool:
    return bool(roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS))


def manages_surveys(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def require_reader(user: AnyUser) -> None:
    if not reads_surveys(user):
        raise PermissionDenied("Surveys are for the account team.")


def require_manager(user: AnyUser) -> None:
    if not manages_surveys(user):
        raise PermissionDenied("Only a manager builds surveys and sends them across accounts.")


def access_survey_by_id(user: AnyUser, survey_id: int, *, manage: bool = False) -> Survey:
    """The survey (404 for those who read no surveys), and with manage, 403 unless a manager."""
    if not reads_surveys(user):
        raise Http404("No such survey.")
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise Http404("No such survey.")
    if manage:
        require_manager(user)
    return survey


def responses_visible_to(user: AnyUser) -> QuerySet[SurveyResponse]:
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return SurveyResponse.objects.all()
    return SurveyResponse.objects.filter(account__in=accounts_visible_to(user))


def follow_ups_visible_to(user: AnyUser) -> QuerySet[FollowUp]:
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return FollowUp.objects.all()
    return FollowUp.objects.filter(account__in=accounts_visible_to(user))


def access_follow_up_by_id(user: AnyUser, follow_up_id: int, *, write: bool = False) -> FollowUp:
    """The follow-up if its account is the user's to see (else 404) and, with write, to work
    (else 403)."""
    found = (
        follow_ups_visible_to(user)
        .select_related("account", "owner", "response", "response__survey")
        .filter(pk=follow_up_id)
        .first()
    )
    if found is None:
        raise Http404("No such follow-up.")
    if write and not can(user, found.account, Need.WRITE):
        raise PermissionDenied("You can see this follow-up but not work it.")
    return found


def accounts_to_schedule(user: AnyUser) -> QuerySet[Account]:
    """The accounts the user may send to, so schedule for: a manager's every account, an
    associate's own; none for a reader who writes nothing (the executive)."""
    roles = roles_of(user)
    if roles & MANAGES_ACCOUNTS:
        return Account.objects.all()
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        return accounts_visible_to(user)
    return Account.objects.none()


def schedules_visible_to(user: AnyUser) -> QuerySet[SurveySchedule]:
    if not reads_surveys(user):
        return SurveySchedule.objects.none()
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return SurveySchedule.objects.all()
    return SurveySchedule.objects.filter(account__in=accounts_visible_to(user))


def access_schedule_by_id(
    user: AnyUser, schedule_id: int, *, write: bool = False
) -> SurveySchedule:
    """The schedule if its account is the user's to see (else 404) and, with write, to send
    to (else 403)."""
    found = (
        schedules_visible_to(user)
        .select_related("account", "survey", "last_send")
        .filter(pk=schedule_id)
        .first()
    )
    if found is None:
        raise Http404("No such schedule.")
    if write and not can(user, found.account, Need.WRITE):
        raise PermissionDenied("You can see this schedule but not change it.")
    return found
