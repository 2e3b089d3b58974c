"""Choosing a person in a form: by name, sorted by last name, among the people who may hold
the part (no executive as a corrective action's owner, no departed user anywhere)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from clientdesk.people.roles import Role


def person_name(user: User) -> str:
    """How a person is named on every page: their full name, the login only without one."""
    return user.get_full_name() or user.get_username()


def people_with_roles(*roles: Role) -> QuerySet[User]:
    """Active people holding any of ``roles``, by last name, first name."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[r.value for r in roles])
        .distinct()
        .order_by("last_name", "first_name", "id")
    )


class PersonChoiceField(forms.ModelChoiceField[User]):
    """A select of people that shows names, not logins."""

    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


def show_names(field: Any, queryset: QuerySet[User]) -> None:
    """Make a model form's user field (a ``ModelChoiceField`` Django built) a list of
    ``queryset`` by name."""
    field.queryset = queryset
    field.label_from_instance = person_name
