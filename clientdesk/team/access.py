"""Who sees the team's HR data, decided here only (DESIGN.md §1: the most private data).

* An admin sees every person; a manager sees the people they manage (their ``Person.manager``)
  and keeps the curriculum, the requisitions they hire for and their candidates.
* An associate sees their own record: training, licenses, schedule, balances, requests.
* An executive sees aggregates only (the team overview), no one's record.
* Service operations see nothing of it.

"Not yours" and "does not exist" both answer 404. Every read of a person's HR record and of a
candidate's file writes an audit row.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.people.roles import Role, roles_of
from clientdesk.team.models import (
    Candidate,
    Person,
    Requisition,
    TimeOffRequest,
    TrainingAssignment,
)

AnyUser = AbstractBaseUser | AnonymousUser
HR_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER})


def _uid(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0


def manages_team(user: AnyUser) -> bool:
    """Managers and admins: the roster, curriculum, approvals, recruiting."""
    return bool(roles_of(user) & HR_MANAGERS)


def has_own_records(user: AnyUser) -> bool:
    """Whoever may hold a record of their own (not service operations or executives only)."""
    return bool(roles_of(user) & {Role.ADMIN, Role.MANAGER, Role.ASSOCIATE})


def reads_team_aggregates(user: AnyUser) -> bool:
    return bool(roles_of(user) & {Role.ADMIN, Role.MANAGER, Role.EXECUTIVE})


def people_visible_to(user: AnyUser) -> QuerySet[Person]:
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return Person.objects.all()
    if Role.MANAGER in roles:
        return Person.objects.filter(manager_id=_uid(user)) | Person.objects.filter(
            user_id=_uid(user)
        )
    if Role.ASSOCIATE in roles:
        return Person.objects.filter(user_id=_uid(user))
    return Person.objects.none()


def managed_people(user: AnyUser) -> QuerySet[Person]:
    """The people the user manages (everyone's for an admin), not themselves."""
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return Person.objects.all()
    if Role.MANAGER in roles:
        return Person.objects.filter(manager_id=_uid(user))
    return Person.objects.none()


def may_manage_person(user: AnyUser, person: Person) -> bool:
    roles = roles_of(user)
    return Role.ADMIN in roles or (Role.MANAGER in roles and person.manager_id == _uid(user))


def _audit_read(user: AnyUser, action: str, obj: object, label: str) -> None:
    record_audit(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
        object_id=str(obj.pk),  # type: ignore[attr-defined]
        object_label=label,
        kind=AuditEvent.Kind.HR_READ,
    )


def access_person_by_id(user: AnyUser, user_id: int, *, manage: bool = False) -> Person:
    """A person's HR record by their user id (404 outside the reader's team; 403 when the
    reader may see it but not change it). The read is audited."""
    person = people_visible_to(user).select_related("user", "manager").filter(user_id=user_id)
    found = person.first()
    if found is None:
        raise Http404("No such person.")
    if manage and not may_manage_person(user, found):
        raise PermissionDenied("Only their manager changes this record.")
    _audit_read(user, "team.person.read", found, str(found))
    return found


def requisitions_visible_to(user: AnyUser) -> QuerySet[Requisition]:
    roles = roles_of(user)
    if Role.ADMIN in roles:
        return Requisition.objects.all()
    if Role.MANAGER in roles:
        return Requisition.objects.filter(hiring_manager_id=_uid(user))
    return Requisition.objects.none()


def access_requisition_by_id(user: AnyUser, requisition_id: int) -> Requisition:
    found = requisitions_visible_to(user).filter(pk=requisition_id).first()
    if found is None:
        raise Http404("No such requisition.")
    return found


def access_candidate_by_id(user: AnyUser, candidate_id: int) -> Candidate:
    """A candidate's file: the hiring manager's and admins' only. Every read is audited."""
    found = (
        Candidate.objects.filter(requisition__in=requisitions_visible_to(user), pk=candidate_id)
        .select_related("requisition")
        .first()
    )
    if found is None:
        raise Http404("No such candidate.")
    _audit_read(user, "team.candidate.read", found, str(found))
    return found


def access_assignment_by_id(user: AnyUser, assignment_id: int) -> TrainingAssignment:
    """A training assignment: its person's, or their manager's."""
    found = (
        TrainingAssignment.objects.filter(
            pk=assignment_id, user__team_person__in=people_visible_to(user)
        )
        .select_related("course", "user")
        .first()
    )
    if found is None:
        raise Http404("No such assignment.")
    return found


def access_request_by_id(user: AnyUser, request_id: int, *, decide: bool = False) -> TimeOffRequest:
    """A time-off request: its person's, or their manager's; deciding is the manager's."""
    found = (
        TimeOffRequest.objects.filter(pk=request_id, user__team_person__in=people_visible_to(user))
        .select_related("user", "user__team_person", "kind")
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    if decide and not may_manage_person(user, found.user.team_person):
        raise PermissionDenied("Only their manager decides a request.")
    return found
