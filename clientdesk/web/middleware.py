"""Safeguards on every answer: nothing a signed-in reader saw stays in a cache, and a session
left alone signs itself out.

- `Cache-Control: no-store, private` and `Vary: Authorization, Cookie` on every page, download
  and API answer given to a signed-in user or a token: a shared computer's browser cache or a
  proxy keeps no PHI (HIPAA §164.312(a)(2)(iii), automatic logoff; §164.312(e) transmission).
- An idle timeout (CLIENTDESK_IDLE_MINUTES, 15 by default) besides the absolute session
  lifetime (CLIENTDESK_SESSION_SECONDS): a session untouched for that long is signed out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

LAST_SEEN = "_clientdesk_last_seen"
# Write the session at most this often for activity alone (each write is a database row).
TOUCH_SECONDS = 30


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "HTTP_AUTHORIZATION" in request.META or request.path.startswith("/api/"):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
            patch_vary_headers(response, ["Authorization", "Cookie"])
        return response


class IdleTimeoutMiddleware:
    """After AuthenticationMiddleware: signs out a session idle for longer than allowed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(LAST_SEEN)
            idle_limit = settings.IDLE_TIMEOUT_SECONDS
            if isinstance(last, int | float) and now - last > idle_limit:
                logout(request)
                return _signed_out(request)
            if not isinstance(last, int | float) or now - last >= TOUCH_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def _signed_out(request: HttpRequest) -> HttpResponse:
    login = reverse("login")
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login
        return response
    if request.path.startswith("/api/") or request.headers.get("Accept") == "application/json":
        return JsonResponse({"detail": "Signed out after inactivity."}, status=401)
    query = urlencode({"next": request.get_full_path(), "idle": "1"})
    return HttpResponseRedirect(f"{login}?{query}")
