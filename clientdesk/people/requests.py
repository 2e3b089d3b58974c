"""Who is asking: the signed-in user of a page or API request."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in_user(request: HttpRequest) -> User:
    """The user behind a request that `login_required` (pages) or the API's token check has
    let through; a request without one is refused (403), never served as nobody."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("Sign in first.")
    return user
