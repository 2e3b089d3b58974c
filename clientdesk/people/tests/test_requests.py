"""`signed_in_user`: the one way views and API routes name who is asking."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

import clientdesk
from clientdesk.people.requests import signed_in_user
from clientdesk.testing import Cast


def test_the_signed_in_user_is_the_request_user(cast: Cast) -> None:
    request = RequestFactory().get("/")
    request.user = cast.alice
    assert signed_in_user(request) is cast.alice


def test_nobody_signed_in_is_refused(cast: Cast) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in_user(request)
    cast.bob.is_active = False
    request.user = cast.bob
    with pytest.raises(PermissionDenied):
        signed_in_user(request)


def test_no_module_keeps_its_own_copy() -> None:
    # The eight copies of `_user(request)` are gone; a new one would be found here.
    root = Path(clientdesk.__file__).parent
    copy = "cast(User, " + "request.user)"  # split, so this file is not one
    copies = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if copy in path.read_text(encoding="utf-8")
    ]
    assert copies == []
