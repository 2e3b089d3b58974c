"""Invitation tokens: unguessable, one per invitation, never stored.

The invitation keeps a random nonce and the SHA-256 of its token; the token itself is the
HMAC of the nonce under the site's secret key (256 bits, URL-safe), so the reminder can carry
the same link again while a copy of the database alone gives no working link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

_SALT = b"clientdesk.surveys.invitation:"


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), _SALT + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    """43 URL-safe characters: anything else is refused before the database is asked."""
    return len(text) == 43 and all(c.isalnum() or c in "-_" for c in text)
