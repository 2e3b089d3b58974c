"""Stable pseudonyms for members in de-identified lists (high-cost claimants, claim lines).

A pseudonym is a keyed hash (HMAC-SHA256 with the site's secret key) of the person id: the
same member always gets the same pseudonym, and it cannot be turned back into the id
without the key.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def member_pseudonym(person_id: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"utilization-member:{person_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"M-{digest[:10].upper()}"
