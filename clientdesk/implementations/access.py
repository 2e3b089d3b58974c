"""Who may see or change implementations: the account's scope decides (accounts/access.py).

Reading a plan needs the account (READ); creating a plan, importing one, updating tasks, going
live and the review need the account team (WRITE); approving a plan (saving its baseline) is
the manager's (MANAGE), as DESIGN.md §1 says managers approve plans. A task's named owner (a
service-operations partner, say, who sees no accounts) may update that task. Templates are
read by every signed-in person; importing one needs a manager (who may create accounts).
Missing and not-yours both answer 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from clientdesk.accounts.access import (
    AnyUser,
    Need,
    access_account_by_id,
    can,
    can_create_accounts,
)
from clientdesk.implementations.models import Implementation, Task


def access_implementation(
    user: AnyUser, account_id: int, implementation_id: int, *, need: Need = Need.READ
) -> Implementation:
    account = access_account_by_id(user, account_id, need=need)
    implementation = (
        Implementation.objects.select_related("account", "template")
        .filter(pk=implementation_id, account=account)
        .first()
    )
    if implementation is None:
        raise Http404("No such implementation.")
    return implementation


def access_task(user: AnyUser, account_id: int, implementation_id: int, task_id: int) -> Task:
    """A task to update: the account team's, or the task's own owner's."""
    task = (
        Task.objects.select_related("implementation__account")
        .filter(
            pk=task_id,
            implementation_id=implementation_id,
            implementation__account_id=account_id,
        )
        .first()
    )
    if task is not None and user.is_authenticated and task.owner_id == user.pk:
        return task
    implementation = access_implementation(user, account_id, implementation_id, need=Need.WRITE)
    if task is None or task.implementation_id != implementation.pk:
        raise Http404("No such task.")
    return task


def can_edit(user: AnyUser, implementation: Implementation) -> bool:
    return can(user, implementation.account, Need.WRITE)


def can_approve(user: AnyUser, implementation: Implementation) -> bool:
    return can(user, implementation.account, Need.MANAGE)


def require_template_manager(user: AnyUser) -> None:
    if not can_create_accounts(user):
        raise PermissionDenied("Managers keep the template library.")
