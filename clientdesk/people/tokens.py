"""Personal API tokens: created once, shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clientdesk.audit.recording import record_audit
from clientdesk.people.models import ApiToken

TOKEN_PREFIX = "cd_"  # noqa: S105  (a prefix that marks our tokens, not a secret)
# read: GET; write: every other method; reports: the report runs and their files.
SCOPES = ("read", "write", "reports")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(
    user: User,
    name: str,
    *,
    acting_user: User,
    scopes: Iterable[str] = SCOPES,
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token, shown once: it works for `days` (CLIENTDESK_API_TOKEN_DAYS by default) and
    only for `scopes` (read, write, reports)."""
    wanted = sorted(set(scopes), key=SCOPES.index) if set(scopes) <= set(SCOPES) else None
    if not wanted:
        raise ValueError(f"scopes are some of {', '.join(SCOPES)}, not {sorted(scopes)}")
    lifetime = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= lifetime <= 366:
        raise ValueError("a token lives 1 to 366 days")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:8],
        digest=_digest(raw),
        scopes=",".join(wanted),
        expires_at=timezone.now() + dt.timedelta(days=lifetime),
    )
    record_audit(
        actor=acting_user,
        action="api_token.create",
        obj=token,
        after={
            "user": user.get_username(),
            "name": name,
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
        kind="security",
    )
    return token, raw


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User | None) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_audit(
        actor=acting_user,
        action="api_token.revoke",
        obj=token,
        after={"user": token.user.get_username(), "name": token.name, "prefix": token.prefix},
        kind="security",
    )


def token_for(raw: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its user active) a raw token is, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(Q(expires_at__gt=now), digest=_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a live raw token belongs to, or None."""
    token = token_for(raw)
    return token.user if token is not None else None
