"""Start-up checks of the configuration (run by `clientdesk check` and every command)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from clientdesk.lib.client_address import trusted_networks
from clientdesk.people.sso import parse_role_map, sso_enabled


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
    try:
        trusted_networks(tuple(settings.TRUSTED_PROXIES))
    except ValueError as error:
        problems.append(
            Error(
                str(error),
                hint="Name each proxy by its address (10.0.0.5) or network (10.1.0.0/16).",
                id="clientdesk.E002",
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


@register()
def single_sign_on(app_configs: Any, **kwargs: Any) -> list[Error]:
    """With CLIENTDESK_OIDC_CLIENT_ID set, the rest of SSO's settings must be usable."""
    if not sso_enabled():
        return []
    problems: list[Error] = []
    try:
        if not parse_role_map(settings.OIDC_ROLE_MAP):
            problems.append(
                Error(
                    "CLIENTDESK_OIDC_ROLE_MAP is empty: single sign-on would refuse everyone.",
                    hint="Map the provider's group values to roles: cd-managers=Manager,…",
                    id="clientdesk.E010",
                )
            )
    except ImproperlyConfigured as exc:
        problems.append(Error(str(exc), id="clientdesk.E010"))
    direct = (
        settings.OIDC_ISSUER
        and settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        and settings.OIDC_OP_TOKEN_ENDPOINT
        and settings.OIDC_OP_USER_ENDPOINT
    )
    if not settings.OIDC_DISCOVERY_URL and not direct:
        problems.append(
            Error(
                "Single sign-on needs CLIENTDESK_OIDC_DISCOVERY_URL or the issuer and the "
                "authorization, token and userinfo URLs.",
                id="clientdesk.E011",
            )
        )
    if not settings.OIDC_RP_CLIENT_SECRET:
        problems.append(Error("CLIENTDESK_OIDC_CLIENT_SECRET is empty.", id="clientdesk.E012"))
    return problems
