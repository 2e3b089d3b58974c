"""Start-up checks of the configuration (run by `clientdesk check` and every command)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def configuration(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.ENGINE not in {"duckdb", "spark"}:
        problems.append(
            Error(
                f"CLIENTDESK_ENGINE is {settings.ENGINE!r}",
                hint="Set it to duckdb (default) or spark.",
                id="clientdesk.E001",
            )
        )
    if not settings.DEBUG and settings.SECRET_KEY and len(settings.SECRET_KEY) < 32:
        problems.append(
            Warning(
                "CLIENTDESK_SECRET_KEY is shorter than 32 characters.",
                id="clientdesk.W001",
            )
        )
    return problems


@register(deploy=True)
def two_factor(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """A served instance asks every user for a second factor; off only for a local demo or
    bench (`clientdesk serve` tolerates this warning on a loopback address only)."""
    if getattr(settings, "MFA_REQUIRED", True):
        return []
    return [
        Warning(
            "Two-factor sign-in is off (CLIENTDESK_MFA_REQUIRED=0).",
            hint="Unset CLIENTDESK_MFA_REQUIRED; off is for a local demo or bench on 127.0.0.1.",
            id="clientdesk.W002",
        )
    ]
