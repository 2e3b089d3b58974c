"""Two-factor sign-in (TOTP, RFC 6238) with django-otp: enrolment, verification, recovery codes.

Every staff login is password + a six-digit code from an authenticator app (or one of ten
single-use recovery codes) when CLIENTDESK_MFA_REQUIRED is on (the default); a user with no
confirmed device is sent to enrol right after the password. API tokens are not sessions and
are unaffected. Each enrolment, each refused code and each recovery code used writes a
security audit row (never the code or the secret).
"""

from __future__ import annotations

import datetime as dt
from base64 import b32encode
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clientdesk.audit.recording import record_audit

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def mfa_required() -> bool:
    return getattr(settings, "MFA_REQUIRED", True) is not False


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in by hand."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator an enrolment page shows (made once, until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def do_confirm_enrolment(user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm `device` with a code from the app; returns the new recovery codes (shown once)
    or None when the code is wrong (audited as a failure). Replaces an earlier authenticator."""
    if device.user_id != user.pk or device.confirmed:
        raise ValueError("not this user's pending authenticator")
    if not device.verify_token(_digits(token)):
        _record_failure(user, "enrolment")
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record_audit(
        actor=user,
        action="mfa.enrol",
        obj=user,
        after={"device": "totp", "recovery_codes": len(codes)},
        kind="security",
    )
    return codes


@transaction.atomic
def do_new_recovery_codes(user: User) -> list[str]:
    """Ten new single-use codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    record_audit(
        actor=user,
        action="mfa.recovery_codes_renewed",
        obj=user,
        after={"recovery_codes": len(codes)},
        kind="security",
    )
    return codes


def do_verify(user: User, token: str) -> TOTPDevice | StaticDevice | None:
    """The device that accepts `token` (a TOTP code, or a recovery code, which is used up), or
    None. Each device throttles itself after failures (django-otp's doubling delay); every
    failure and every recovery code used writes an audit row."""
    code = token.strip().replace(" ", "")
    with transaction.atomic():
        device: TOTPDevice | StaticDevice | None = totp_device(user)
        is_totp = len(code) == 6 and code.isascii() and code.isdigit()
        if device is not None and is_totp and device.verify_token(code):
            return device
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None and not is_totp and recovery.verify_token(code.lower()):
            left = recovery.token_set.count()
            record_audit(
                actor=user,
                action="mfa.recovery_code_used",
                obj=user,
                after={"recovery_codes_left": left},
                kind="security",
            )
            return recovery
    _record_failure(user, "sign-in")
    return None


def _digits(token: str) -> str:
    return "".join(ch for ch in token if ch.isascii() and ch.isdigit())[:8]


@transaction.atomic
def _record_failure(user: User, stage: str) -> None:
    record_audit(
        actor=user,
        action="mfa.failure",
        obj=user,
        detail={"stage": stage},
        kind="security",
    )


@transaction.atomic
def do_seed_device(user: User, *, acting_user: User | None) -> TOTPDevice:
    """A confirmed authenticator made by an administrator's command (the demo's users): its
    secret is given to the user out of band."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True)
    record_audit(
        actor=acting_user,
        action="mfa.enrol",
        obj=user,
        after={"device": "totp", "seeded": True},
        kind="security",
    )
    return device


@dataclass(frozen=True)
class MfaStatus:
    user: User
    enrolled: bool
    recovery_codes_left: int
    last_used_at: dt.datetime | None


def mfa_statuses() -> list[MfaStatus]:
    """Every active user with their second factor, for the administrators' page (3 queries)."""
    users = list(User.objects.filter(is_active=True).order_by("username"))
    totp = {d.user_id: d for d in TOTPDevice.objects.filter(confirmed=True).order_by("-pk")}
    left = dict(
        StaticDevice.objects.filter(confirmed=True)
        .annotate(left=Count("token_set"))
        .values_list("user_id", "left")
    )
    return [
        MfaStatus(
            user=u,
            enrolled=u.pk in totp,
            recovery_codes_left=left.get(u.pk, 0),
            last_used_at=totp[u.pk].last_used_at if u.pk in totp else None,
        )
        for u in users
    ]


def _device_state(user: User) -> dict[str, Any]:
    return {
        "authenticator": is_enrolled(user),
        "recovery_codes": StaticToken.objects.filter(device__user=user).count(),
    }


@transaction.atomic
def do_reset_mfa(user: User, *, acting_user: User) -> dict[str, Any]:
    """Remove the user's authenticator and recovery codes (a lost phone and no code left): at
    the next sign-in, after the password, they enrol again. Audited with what was removed."""
    before = _device_state(user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_audit(
        actor=acting_user,
        action="mfa.reset",
        obj=user,
        before=before,
        after=_device_state(user),
        kind="security",
    )
    return before


def record_device_admin(
    acting_user: User, device: TOTPDevice | StaticDevice, change: str, changed: list[str]
) -> None:
    """The audit row of a device added, changed or deleted in Django admin (never its key or
    codes: only which fields changed)."""
    kind = "totp" if isinstance(device, TOTPDevice) else "recovery codes"
    record_audit(
        actor=acting_user,
        action=f"mfa.device_{change}",
        obj=device.user,
        detail={"device": kind, "name": device.name, "fields": sorted(changed)},
        kind="security",
    )
