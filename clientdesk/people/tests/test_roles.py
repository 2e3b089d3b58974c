"""A user's roles are their groups' names, read in one fixed statement per request."""

from __future__ import annotations

from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientdesk.people.roles import GROUP_NAMES_SQL, Role, roles_of
from clientdesk.testing import Cast


def test_the_statement_names_the_auth_models_tables_and_columns() -> None:
    group, through = Group._meta, User.groups.through._meta
    assert (
        group.db_table,
        group.pk.column,
        group.get_field("name").column,
        through.db_table,
        through.get_field("group").column,
        through.get_field("user").column,
    ) == ("auth_group", "id", "name", "auth_user_groups", "group_id", "user_id")
    assert "auth_group.name FROM auth_group INNER JOIN auth_user_groups" in GROUP_NAMES_SQL
    assert "auth_user_groups.group_id = auth_group.id" in GROUP_NAMES_SQL
    assert GROUP_NAMES_SQL.endswith("WHERE auth_user_groups.user_id = %s")


def test_roles_are_the_users_groups_read_once_a_request(cast: Cast) -> None:
    for name, user in cast.users().items():
        fresh = User.objects.get(pk=user.pk)  # no roles kept on it yet
        names = set(fresh.groups.values_list("name", flat=True))
        expected = {role for role in Role if role.value in names}
        if fresh.is_superuser:
            expected.add(Role.ADMIN)
        with CaptureQueriesContext(connection) as queries:
            assert roles_of(fresh) == frozenset(expected), name
            assert roles_of(fresh) == frozenset(expected), name
        assert len(queries) == 1, name


def test_a_group_given_or_taken_shows_on_the_next_request(cast: Cast) -> None:
    manager = Group.objects.get(name=Role.MANAGER.value)
    assert roles_of(User.objects.get(pk=cast.alice.pk)) == frozenset({Role.ASSOCIATE})
    cast.alice.groups.add(manager)
    assert roles_of(User.objects.get(pk=cast.alice.pk)) == {Role.ASSOCIATE, Role.MANAGER}
    cast.alice.groups.remove(manager)
    Group.objects.create(name="Not a role").user_set.add(cast.alice)
    assert roles_of(User.objects.get(pk=cast.alice.pk)) == frozenset({Role.ASSOCIATE})
