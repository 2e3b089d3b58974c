"""The pages of single sign-on (rules, checks and writes in `clientdesk.people.sso`): the
start (to the provider, with state, nonce and PKCE kept in the session), the callback, the
refused page, and the sign-in page with its "Sign in with SSO" link when SSO is on."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from clientdesk.people.sso import (
    PROVIDER_MFA_SESSION_KEY,
    SsoRefused,
    provider,
    record_sso_refusal,
    sso_enabled,
)

STATES_KEY = "oidc_states"  # where mozilla-django-oidc keeps each sign-in's state → nonce
STATE_SECONDS = 600  # a sign-in left at the provider longer than this starts again


class SignInView(LoginView):
    """Django's sign-in page; it offers SSO when SSO is on."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        return context


def refused(request: HttpRequest, refusal: SsoRefused) -> HttpResponse:
    record_sso_refusal(refusal)
    return render(request, "web/sso_refused.html", {"message": refusal.message}, status=403)


class SsoStartView(OIDCAuthenticationRequestView):  # type: ignore[misc]  # the library is untyped
    """To the provider's authorization endpoint; the library draws state, nonce and the PKCE
    verifier and keeps them in the session."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoint is read per request (discovery), below

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider().authorization_endpoint
        except SsoRefused as refusal:
            return refused(request, refusal)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class SsoCallbackView(View):
    """The provider sends the browser back here with a code and the state: the state must be
    one this session started (then it is used up), the code is exchanged and the ID token
    checked by `SsoBackend`; any refusal is audited and shown plainly (403)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            raise Http404
        try:
            user = self._authenticate(request)
        except SsoRefused as refusal:
            if request.user.is_authenticated:
                auth.logout(request)
            return refused(request, refusal)
        auth.login(request, user)  # a new session key; user.backend says it was SSO
        if settings.OIDC_TRUST_PROVIDER_MFA and getattr(user, "sso_provider_mfa", False):
            request.session[PROVIDER_MFA_SESSION_KEY] = True
        wanted = request.session.pop("oidc_login_next", None)
        return HttpResponseRedirect(wanted or reverse("home"))

    def _authenticate(self, request: HttpRequest) -> Any:
        state = request.GET.get("state", "")
        states: dict[str, Any] = request.session.get(STATES_KEY) or {}
        entry = states.pop(state, None) if state else None
        if entry is not None:
            request.session[STATES_KEY] = states  # used up: a replayed callback is refused
            request.session.save()
        error = request.GET.get("error")
        if error:
            code = "".join(ch for ch in error[:64] if ch.isalnum() or ch in "_-")
            raise SsoRefused("provider", f"the provider answered error={code}")
        if entry is None or not request.GET.get("code"):
            raise SsoRefused("state", "the state is not one this session started")
        if time.time() - float(entry.get("added_on", 0)) > STATE_SECONDS:
            raise SsoRefused("state", "the sign-in started more than 10 minutes ago")
        user = auth.authenticate(
            request=request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
        if user is None:
            raise SsoRefused("token", "no backend accepted the answer")
        return user
