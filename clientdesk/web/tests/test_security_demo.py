"""`clientdesk demo` against an existing database touches no existing user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from clientdesk.demo.team import DEMO_PASSWORD, ensure_demo_users

pytestmark = pytest.mark.django_db


def test_the_demo_never_resets_an_existing_users_password_or_role() -> None:
    admin = User.objects.create_user("admin", password="a-real-secret-of-theirs")
    users = ensure_demo_users()
    admin.refresh_from_db()
    assert admin.check_password("a-real-secret-of-theirs")
    assert not admin.check_password(DEMO_PASSWORD)
    assert not admin.is_superuser and not admin.groups.exists()
    # the users it made have the demo password
    assert users["manager"].check_password(DEMO_PASSWORD)
    again = ensure_demo_users()
    assert again["manager"].pk == users["manager"].pk
