"""Optional single sign-on through OpenID Connect (the authorization-code flow, with state,
nonce and PKCE), on mozilla-django-oidc.

Off entirely while `CLIENTDESK_OIDC_CLIENT_ID` is unset: no backend, no URLs, no link on the
sign-in page. When on, the identity provider (IdP) is the authority for who may sign in and
in which role:

- the ID token is checked here in full (signature with the provider's JWKS key or the client
  secret, issuer, audience = our client id, expiry, issued-at, nonce); the library checks only
  the signature and the nonce;
- the user's roles come from one claim (`CLIENTDESK_OIDC_ROLE_CLAIM`, `groups` by default)
  through `CLIENTDESK_OIDC_ROLE_MAP`; a user none of whose values maps to a role is refused
  and no account is made; on every sign-in the user's role groups are set to the mapped ones
  (other groups are kept), and a change is in the audit row;
- users are matched by the `email` claim (case-insensitive); a superuser (a break-glass local
  account) and an inactive user never sign in through SSO;
- our own authenticator code is still asked after SSO unless the ID token's `amr` says the
  provider did multi-factor (RFC 8176: mfa, otp, hwk, swk, sc) and
  `CLIENTDESK_OIDC_TRUST_PROVIDER_MFA` is on (the default).

Every sign-in and every refusal writes a security audit row; never a token or a code.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from clientdesk.audit.recording import record_audit
from clientdesk.people.roles import Role, ensure_role_groups

# The session key that says the provider did the second factor (read by the MFA middleware).
PROVIDER_MFA_SESSION_KEY = "clientdesk_sso_provider_mfa"
# RFC 8176 authentication method references that mean more than a password.
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sc"})
DISCOVERY_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 60

# What the refused page says for each reason (the audit row keeps the technical detail).
REASONS: dict[str, str] = {
    "state": (
        "This sign-in did not start here, was used already or is too old. "
        "Start again from the sign-in page."
    ),
    "provider": (
        "The identity provider did not complete the sign-in. Try again; if it keeps "
        "happening, tell your administrator."
    ),
    "token": (
        "The identity provider's answer could not be trusted (its signature, audience, "
        "issuer or time did not check out). Nothing was signed in."
    ),
    "role": (
        "Your identity provider account has no clientdesk role. Ask your administrator to "
        "add you to one of the groups that give access to clientdesk."
    ),
    "account": (
        "This clientdesk account cannot sign in with single sign-on. Ask your administrator."
    ),
}


class SsoRefused(Exception):
    """A sign-in refused for `reason` (a key of REASONS); `detail` goes to the audit row."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail[:300]
        self.email = ""  # the provider's email claim, when the refusal came after reading it

    @property
    def message(self) -> str:
        return REASONS[self.reason]


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str


def sso_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


_discovered: dict[str, tuple[float, Provider]] = {}
_discovery_lock = threading.Lock()


def provider(now: float | None = None) -> Provider:
    """The provider's issuer and endpoints: from its discovery document (kept an hour per
    process) when `CLIENTDESK_OIDC_DISCOVERY_URL` is set, else from the five settings."""
    url = settings.OIDC_DISCOVERY_URL
    if not url:
        found = Provider(
            issuer=settings.OIDC_ISSUER,
            authorization_endpoint=settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
            token_endpoint=settings.OIDC_OP_TOKEN_ENDPOINT,
            userinfo_endpoint=settings.OIDC_OP_USER_ENDPOINT,
            jwks_uri=settings.OIDC_OP_JWKS_ENDPOINT,
        )
        _require(found)
        return found
    clock = time.monotonic() if now is None else now
    with _discovery_lock:
        kept = _discovered.get(url)
        if kept is not None and clock - kept[0] < DISCOVERY_SECONDS:
            return kept[1]
    try:
        answer = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        answer.raise_for_status()
        document = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoRefused("provider", f"discovery failed: {type(exc).__name__}") from None
    found = Provider(
        issuer=str(document.get("issuer", "")),
        authorization_endpoint=str(document.get("authorization_endpoint", "")),
        token_endpoint=str(document.get("token_endpoint", "")),
        userinfo_endpoint=str(document.get("userinfo_endpoint", "")),
        jwks_uri=str(document.get("jwks_uri", "")),
    )
    _require(found)
    with _discovery_lock:
        _discovered[url] = (clock, found)
    return found


def forget_discovery() -> None:
    with _discovery_lock:
        _discovered.clear()


def _require(found: Provider) -> None:
    missing = [
        name
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint")
        if not getattr(found, name)
    ]
    if not found.jwks_uri and not settings.OIDC_RP_SIGN_ALGO.startswith("HS"):
        missing.append("jwks_uri")
    if missing:
        raise SsoRefused("provider", f"provider configuration lacks {', '.join(missing)}")


def parse_role_map(text: str) -> dict[str, Role]:
    """`cd-managers=Manager, cd-sales=Sales` → {"cd-managers": Role.MANAGER, …}. A role is
    named by its title (Manager, Service operations) or its code (SERVICE_OPS), any case."""
    by_name = {role.value.lower(): role for role in Role} | {
        role.name.lower(): role for role in Role
    }
    mapping: dict[str, Role] = {}
    for pair in text.split(","):
        if not pair.strip():
            continue
        value, sep, role_name = pair.rpartition("=")
        role = by_name.get(role_name.strip().lower())
        if not sep or not value.strip() or role is None:
            raise ImproperlyConfigured(
                f"CLIENTDESK_OIDC_ROLE_MAP: {pair.strip()!r} is not provider-value=role "
                f"(roles: {', '.join(r.value for r in Role)})"
            )
        mapping[value.strip()] = role
    return mapping


def roles_from_claims(
    claims: Mapping[str, Any], claim: str, mapping: Mapping[str, Role]
) -> frozenset[Role]:
    """The roles the provider's values for `claim` map to (a list of values or one string)."""
    raw = claims.get(claim)
    values: Iterable[Any] = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return frozenset(mapping[v] for v in values if isinstance(v, str) and v in mapping)


def provider_did_mfa(claims: Mapping[str, Any]) -> bool:
    amr = claims.get("amr")
    return isinstance(amr, list) and any(isinstance(m, str) and m in MFA_METHODS for m in amr)


def _role_names(user: User) -> list[str]:
    wanted = {role.value for role in Role}
    return sorted(n for n in user.groups.values_list("name", flat=True) if n in wanted)


@transaction.atomic
def do_sso_sign_in(claims: Mapping[str, Any], *, issuer: str) -> User:
    """The user the provider vouched for, made or updated to the mapped roles, with the
    security audit row; `SsoRefused` (nothing written) when the user may not sign in."""
    roles = roles_from_claims(
        claims, settings.OIDC_ROLE_CLAIM, parse_role_map(settings.OIDC_ROLE_MAP)
    )
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoRefused("account", "the provider sent no email claim")
    if claims.get("email_verified") is False:
        raise SsoRefused("account", "the provider says the email is not verified")
    if not roles:
        raise SsoRefused("role", f"no value of claim {settings.OIDC_ROLE_CLAIM!r} maps to a role")
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise SsoRefused("account", "two clientdesk users have this email")
    created = not matches
    if created:
        username = str(claims.get("preferred_username") or email)[:150]
        if User.objects.filter(username__iexact=username).exists():
            raise SsoRefused("account", "the user name is taken by another user")
        user = User(username=username, email=email)
        user.first_name = str(claims.get("given_name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        user.set_unusable_password()  # signs in through the provider only
        user.save()
        before: list[str] = []
    else:
        user = matches[0]
        if user.is_superuser:
            raise SsoRefused("account", "a superuser signs in with password and code only")
        if not user.is_active:
            raise SsoRefused("account", "the clientdesk user is inactive")
        before = _role_names(user)
    ensure_role_groups()
    keep = [g for g in user.groups.all() if g.name not in {r.value for r in Role}]
    user.groups.set([*keep, *Group.objects.filter(name__in=[r.value for r in roles])])
    after = sorted(r.value for r in roles)
    record_audit(
        actor=user,
        action="sso.sign_in",
        obj=user,
        before={"roles": before} if before != after else None,
        after={
            "roles": after,
            "created": created,
            "issuer": issuer,
            "provider_mfa": provider_did_mfa(claims),
        },
        kind="security",
    )
    return user


@transaction.atomic
def record_sso_refusal(refused: SsoRefused) -> None:
    record_audit(
        actor=None,
        action="sso.refused",
        object_type="sso",
        object_label=refused.email[:200],
        detail={"reason": refused.reason, "detail": refused.detail},
        kind="security",
    )


class SsoBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # the library is untyped
    """mozilla-django-oidc's backend with the provider read lazily (discovery), the ID token
    checked in full and the user made through `do_sso_sign_in`. Django makes a backend for
    every `authenticate` and every signed-in request, so `__init__` reads nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        if request is None or "code" not in request.GET or "nonce" not in kwargs:
            return None  # a password sign-in, not ours
        found = provider()
        self.issuer = found.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = found.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = found.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = found.jwks_uri
        try:
            user: User | None = super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            raise SsoRefused("provider", f"the provider answered {type(exc).__name__}") from None
        except SuspiciousOperation as exc:
            raise SsoRefused("token", str(exc)) from None
        if user is None:
            raise SsoRefused("token", "the provider sent no ID token")
        return user

    def verify_token(self, token: Any, **kwargs: Any) -> dict[str, Any]:
        """The ID token's claims, checked: algorithm, signature, iss, aud, exp, iat, nonce."""
        if not isinstance(token, str | bytes) or not token:
            raise SsoRefused("token", "no ID token")
        algorithm = self.OIDC_RP_SIGN_ALGO
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise SsoRefused("token", "the ID token is not a JWT") from None
        if header.get("alg") != algorithm:
            raise SsoRefused("token", f"signed with {header.get('alg')!r}, not {algorithm}")
        key: Any = (
            self.OIDC_RP_CLIENT_SECRET
            if algorithm.startswith("HS")
            else self.retrieve_matching_jwk(token)
        )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.ExpiredSignatureError:
            raise SsoRefused("token", "the ID token has expired") from None
        except jwt.InvalidAudienceError:
            raise SsoRefused("token", "the ID token is for another client (aud)") from None
        except jwt.InvalidIssuerError:
            raise SsoRefused("token", "the ID token is from another issuer (iss)") from None
        except jwt.InvalidSignatureError:
            raise SsoRefused("token", "the ID token's signature does not verify") from None
        except jwt.PyJWTError as exc:
            raise SsoRefused("token", f"the ID token is invalid: {type(exc).__name__}") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SsoRefused("token", "several audiences and azp is not this client")
        if kwargs.get("nonce") is None or claims.get("nonce") != kwargs["nonce"]:
            raise SsoRefused("token", "the ID token's nonce is not this sign-in's")
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        answer = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=settings.OIDC_TIMEOUT,
        )
        answer.raise_for_status()
        if answer.headers.get("content-type", "").lower().startswith("application/jwt"):
            raise SsoRefused("provider", "signed userinfo answers are not supported")
        return answer.json()

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise SsoRefused("token", "userinfo is about another subject")
        claims = {**userinfo, **payload}  # the signed ID token wins over userinfo
        try:
            user = do_sso_sign_in(claims, issuer=self.issuer)
        except SsoRefused as refused:
            refused.email = str(claims.get("email") or "")
            raise
        user.sso_provider_mfa = provider_did_mfa(claims)  # type: ignore[attr-defined]
        return user
