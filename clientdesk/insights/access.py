"""Who sees and works emerging issues, problems and corrective actions, decided here only.

* Managers and admins see and work everything; executives read everything.
* Associates see the issues and problems of their accounts (not book-level ones) and may open
  a problem from an issue on an account they serve.
* Service-operations partners see and work only the problems they own and the problems where
  they own a corrective action: the problem owner edits the record and its actions, an action
  owner updates that action. Issues are not theirs to browse.

Anything outside a user's scope answers 404, exactly like an id that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clientdesk.accounts.access import Need, accounts_visible_to, can
from clientdesk.insights.models import CorrectiveAction, EmergingIssue, Problem
from clientdesk.people.roles import (
    EDITS_ASSIGNED_ACCOUNTS,
    MANAGES_ACCOUNTS,
    SEES_ALL_ACCOUNTS,
    Role,
    roles_of,
)

AnyUser = AbstractBaseUser | AnonymousUser


def _uid(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0


def manages_problems(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def can_browse_issues(user: AnyUser) -> bool:
    """The emerging-issues pages: everyone who sees accounts (not service operations only)."""
    return bool(roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS))


def issues_visible_to(user: AnyUser) -> QuerySet[EmergingIssue]:
    roles = roles_of(user)
    if roles & SEES_ALL_ACCOUNTS:
        return EmergingIssue.objects.all()
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        return EmergingIssue.objects.filter(account__in=accounts_visible_to(user))
    return EmergingIssue.objects.none()


def access_issue_by_id(user: AnyUser, issue_id: int) -> EmergingIssue:
    issue = issues_visible_to(user).select_related("account", "problem").filter(pk=issue_id)
    found = issue.first()
    if found is None:
        raise Http404("No such issue.")
    return found


def can_open_problem(user: AnyUser, issue: EmergingIssue) -> bool:
    if manages_problems(user):
        return True
    return issue.account is not None and can(user, issue.account, Need.WRITE)


def problems_visible_to(user: AnyUser) -> QuerySet[Problem]:
    roles = roles_of(user)
    if roles & SEES_ALL_ACCOUNTS:
        return Problem.objects.all()
    scope = Q(pk__in=[])
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        scope |= Q(account__in=accounts_visible_to(user))
    if Role.SERVICE_OPS in roles:
        uid = _uid(user)
        scope |= Q(owner_id=uid) | Q(
            pk__in=CorrectiveAction.objects.filter(owner_id=uid).values("problem_id")
        )
    return Problem.objects.filter(scope)


def can_edit_problem(user: AnyUser, problem: Problem) -> bool:
    """Edit the record (root cause, whys, status, summary) and add corrective actions."""
    return manages_problems(user) or (
        Role.SERVICE_OPS in roles_of(user) and problem.owner_id == _uid(user)
    )


def can_update_action(user: AnyUser, action: CorrectiveAction) -> bool:
    return can_edit_problem(user, action.problem) or (
        Role.SERVICE_OPS in roles_of(user) and action.owner_id == _uid(user)
    )


def can_link_inquiries(user: AnyUser, problem: Problem) -> bool:
    """Link or unlink inquiries: managers, and associates who work the problem's account
    (service operations do not see inquiries)."""
    if manages_problems(user):
        return True
    return problem.account is not None and can(user, problem.account, Need.WRITE)


def access_problem_by_id(user: AnyUser, problem_id: int, *, write: bool = False) -> Problem:
    """The problem if the user may see it (else 404) and, with write, edit it (else 403)."""
    problem = (
        problems_visible_to(user).select_related("account", "owner").filter(pk=problem_id).first()
    )
    if problem is None:
        raise Http404("No such problem.")
    if write and not can_edit_problem(user, problem):
        raise PermissionDenied("You can see this problem but not change it.")
    return problem


def access_action_by_id(user: AnyUser, problem_id: int, action_id: int) -> CorrectiveAction:
    """A corrective action the user may update: 404 when the problem or action is not theirs
    to see, 403 when they see it but may not change it."""
    problem = access_problem_by_id(user, problem_id)
    action = problem.actions.select_related("problem", "owner").filter(pk=action_id).first()
    if action is None:
        raise Http404("No such action.")
    if not can_update_action(user, action):
        raise PermissionDenied("Only the problem or action owner updates this action.")
    return action
