"""The second step of signing in: a code from the authenticator app, enrolment with a QR code
drawn here (segno, no third-party service sees the secret), and recovery codes.

`MfaRequiredMiddleware` sends a signed-in session that has not passed the second step to it:
to `mfa:verify` when the user has an authenticator, to `mfa:enrol` when not. Rules and writes
are in `clientdesk.people.mfa`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.people import mfa
from clientdesk.people.requests import signed_in_user
from clientdesk.people.roles import Role, roles_of
from clientdesk.people.sso import PROVIDER_MFA_SESSION_KEY

# Reachable before the second step: the steps themselves, signing out, static files, the
# health check and the API (token-authenticated, no session).
OPEN_PREFIXES = ("/mfa/", "/login/", "/logout/", "/sso/", "/static/", "/healthz", "/api/", "/s/")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="After scanning, type the 6 digits the app shows.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def is_verified(request: HttpRequest) -> bool:
    """Past the second step: our code, or an SSO sign-in whose provider did multi-factor
    (clientdesk.people.sso; CLIENTDESK_OIDC_TRUST_PROVIDER_MFA)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(PROVIDER_MFA_SESSION_KEY) is True:
        return True
    return bool(getattr(user, "is_verified", lambda: False)())


class MfaRequiredMiddleware:
    """After OTPMiddleware: a session past the password but not the code reaches nothing but
    the two steps (CLIENTDESK_MFA_REQUIRED on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and mfa.mfa_required()
            and not request.path.startswith(OPEN_PREFIXES)
            and not is_verified(request)
        ):
            step = "mfa:verify" if mfa.is_enrolled(user) else "mfa:enrol"
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse(step)
                return response
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(step)}?{query}")
        return self.get_response(request)


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _passed(request: HttpRequest, device: Any) -> None:
    request.session.cycle_key()  # a new session id once the second step is passed
    django_otp.login(request, device)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if is_verified(request):
        return redirect(_next(request))
    if not mfa.is_enrolled(user):
        return redirect(f"{reverse('mfa:enrol')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.do_verify(user, form.cleaned_data["code"])
        if device is not None:
            _passed(request, device)
            return redirect(_next(request))
        form.add_error("code", "That code did not work. Wait for a new one and try again.")
    context = {"form": form, "next": _next(request), "mfa_pending": True}
    return render(request, "web/mfa_verify.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator. Before the second step only for a user who has none: with one,
    the code comes first (a stolen password must not replace the authenticator)."""
    user = signed_in_user(request)
    if mfa.is_enrolled(user) and not is_verified(request):
        return redirect(f"{reverse('mfa:verify')}?{urlencode({'next': _next(request)})}")
    device = mfa.pending_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.do_confirm_enrolment(user, device, form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            _passed(request, device)
            return render(
                request,
                "web/mfa_recovery_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
        form.add_error("code", "That code did not match; scan again or wait for a new one.")
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": mark_safe(qr.svg_inline(scale=4, title="Scan with your authenticator app")),  # noqa: S308  (segno's own SVG of our URL)
        "secret": mfa.secret_base32(device),
        "mfa_pending": not is_verified(request),
        "replacing": mfa.is_enrolled(user),
    }
    return render(request, "web/mfa_enrol.html", context)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working); after the second step only."""
    user = signed_in_user(request)
    if not is_verified(request) or not mfa.is_enrolled(user):
        return redirect("mfa:verify")
    codes = mfa.do_new_recovery_codes(user)
    return render(
        request,
        "web/mfa_recovery_codes.html",
        {"codes": codes, "next": reverse("home"), "enrolled": False},
    )


def _require_admin(request: HttpRequest) -> User:
    """Resetting someone's second factor is user administration: admins only (DESIGN.md §1;
    a manager asks an admin, as for a role grant)."""
    user = signed_in_user(request)
    if Role.ADMIN not in roles_of(user):
        raise PermissionDenied("Only an administrator resets a user's authenticator.")
    return user


@login_required
@require_GET
def users(request: HttpRequest) -> HttpResponse:
    """Who has a second factor, with a reset for each (admins)."""
    _require_admin(request)
    return render(
        request,
        "web/mfa_users.html",
        {"statuses": mfa.mfa_statuses(), "required": mfa.mfa_required()},
    )


@login_required
@require_POST
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a user's authenticator and recovery codes; they enrol again at next sign-in."""
    admin = _require_admin(request)
    target = get_object_or_404(User, pk=user_id, is_active=True)
    removed = mfa.do_reset_mfa(target, acting_user=admin)
    if removed["authenticator"] or removed["recovery_codes"]:
        messages.success(
            request,
            f"{target.get_username()}'s authenticator and recovery codes are removed: they set "
            "up a new one at their next sign-in, after the password.",
        )
    else:
        messages.info(request, f"{target.get_username()} had no authenticator to remove.")
    return redirect("mfa:users")
