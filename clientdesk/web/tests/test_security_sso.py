"""Single sign-on through OpenID Connect against a real identity provider on 127.0.0.1.

The stub provider below is an http.server thread: discovery, an authorization endpoint that
redirects back with a code, a token endpoint that checks the client secret, the redirect URI
and the PKCE verifier, userinfo behind the access token, and a JWKS with an RSA key made in
the test (RS256, `cryptography`). The whole authorization-code flow runs through Django's
test client: start → provider → callback, state, nonce and PKCE included.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.people import sso
from clientdesk.people.roles import Role, roles_of
from clientdesk.testing import Cast

CLIENT_ID = "clientdesk-test"
CLIENT_SECRET = "s3cret-for-the-stub"  # the stub provider's, made up here
CALLBACK = "http://testserver/sso/callback/"


@dataclass
class Person:
    sub: str
    email: str
    groups: list[str]
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    preferred_username: str = ""


@dataclass
class Stub:
    """What the provider holds: its key, the codes it issued, and how the next ID token is
    to be spoiled (to test each refusal)."""

    key: rsa.RSAPrivateKey
    other_key: rsa.RSAPrivateKey
    base: str = ""
    person: Person | None = None
    spoil: str = ""  # "", "signature", "audience", "expired", "issuer", "nonce"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # every token handed out, to grep for

    def id_token(self, person: Person, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.base,
            "sub": person.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": person.email,
            "email_verified": True,
            "groups": person.groups,
            "amr": person.amr,
        }
        if person.preferred_username:
            claims["preferred_username"] = person.preferred_username
        key = self.key
        if self.spoil == "signature":
            key = self.other_key
        elif self.spoil == "audience":
            claims["aud"] = "another-client"
        elif self.spoil == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        elif self.spoil == "issuer":
            claims["iss"] = "http://127.0.0.1:1/elsewhere"
        elif self.spoil == "nonce":
            claims["nonce"] = "not-the-one-we-sent"
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _json(self, body: Any, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(
                    {
                        "issuer": stub.base,
                        "authorization_endpoint": f"{stub.base}/authorize",
                        "token_endpoint": f"{stub.base}/token",
                        "userinfo_endpoint": f"{stub.base}/userinfo",
                        "jwks_uri": f"{stub.base}/jwks",
                    }
                )
            elif url.path == "/jwks":
                jwk = jwt.algorithms.RSAAlgorithm.to_jwk(stub.key.public_key(), as_dict=True)
                self._json({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
            elif url.path == "/authorize":
                assert stub.person is not None, "the test says who signs in at the provider"
                assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                code = secrets.token_urlsafe(16)
                stub.codes[code] = {**query, "person": stub.person}
                back = (
                    f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                )
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()
            elif url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                person = stub.tokens.get(token)
                if person is None:
                    self._json({"error": "invalid_token"}, 401)
                    return
                self._json({"sub": person.sub, "email": person.email, "groups": person.groups})
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path != "/token":
                self._json({"error": "not_found"}, 404)
                return
            issued = stub.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .decode()
                .rstrip("=")
            )
            if (
                issued is None
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("redirect_uri") != issued["redirect_uri"]
                or issued.get("code_challenge_method") != "S256"
                or challenge != issued.get("code_challenge")
            ):
                self._json({"error": "invalid_grant"}, 400)
                return
            access = secrets.token_urlsafe(24)
            stub.tokens[access] = issued["person"]
            id_token = stub.id_token(issued["person"], issued["nonce"])
            stub.issued += [access, id_token]
            self._json(
                {
                    "access_token": access,
                    "id_token": id_token,
                    "token_type": "Bearer",
                    "expires_in": 300,
                }
            )

    return Handler


@pytest.fixture(scope="module")
def provider_server() -> Iterator[Stub]:
    stub = Stub(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        other_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    stub.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()


@pytest.fixture
def stub(provider_server: Stub, settings: Any) -> Iterator[Stub]:
    """SSO on, pointed at the stub by discovery, with the test urlconf that has its routes."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_DISCOVERY_URL = f"{provider_server.base}/.well-known/openid-configuration"
    settings.OIDC_ROLE_MAP = "cd-managers=Manager, cd-associates=Associate, cd-sales=sales"
    settings.OIDC_ROLE_CLAIM = "groups"
    settings.OIDC_TRUST_PROVIDER_MFA = True
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "clientdesk.people.sso.SsoBackend",
    ]
    settings.ROOT_URLCONF = "clientdesk.web.tests.sso_urlconf"
    sso.forget_discovery()
    provider_server.spoil = ""
    provider_server.person = None
    yield provider_server
    sso.forget_discovery()


def _sign_in(client: Client, stub: Stub, person: Person, next_url: str = "") -> Any:
    """The browser's trip: our start page → the provider → our callback."""
    stub.person = person
    start = client.get(reverse("sso:start") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlparse(at_provider.headers["Location"])
    assert f"http://testserver{back.path}" == CALLBACK
    return client.get(back.path, dict(parse_qs(back.query)))


def _refusals(reason: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="sso.refused", detail__reason=reason))


def test_sso_is_off_without_a_client_id(cast: Cast, client: Client, settings: Any) -> None:
    assert settings.OIDC_RP_CLIENT_ID == ""
    assert "clientdesk.people.sso.SsoBackend" not in settings.AUTHENTICATION_BACKENDS
    with pytest.raises(NoReverseMatch):
        reverse("sso:start")
    assert client.get("/sso/start/").status_code == 404
    page = client.get("/login/").content.decode()
    assert "Sign in with SSO" not in page
    # Even routed (a stale urlconf), the views refuse to run while SSO is off.
    settings.ROOT_URLCONF = "clientdesk.web.tests.sso_urlconf"
    assert client.get("/sso/start/").status_code == 404
    assert client.get("/sso/callback/", {"code": "x", "state": "y"}).status_code == 404


def test_the_start_asks_for_a_code_with_state_nonce_and_pkce(
    cast: Cast, client: Client, stub: Stub
) -> None:
    page = client.get("/login/").content.decode()
    assert "Sign in with SSO" in page and 'href="/sso/start/"' in page
    start = client.get("/sso/start/")
    assert start.status_code == 302
    asked = urlparse(start["Location"])
    query = {k: v[0] for k, v in parse_qs(asked.query).items()}
    assert f"{asked.scheme}://{asked.netloc}{asked.path}" == f"{stub.base}/authorize"
    assert query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert query["scope"] == "openid email profile"
    assert query["code_challenge_method"] == "S256"
    kept = client.session["oidc_states"][query["state"]]
    assert kept["nonce"] == query["nonce"] and len(query["nonce"]) == 32
    assert len(query["state"]) == 32


def test_a_new_user_signs_in_with_the_mapped_role(cast: Cast, client: Client, stub: Stub) -> None:
    person = Person("idp-7", "Nora.Quinn@Example.org", ["cd-associates", "staff"], ["pwd"], "nora")
    answer = _sign_in(client, stub, person)
    assert answer.status_code == 302 and answer["Location"] == "/"
    user = User.objects.get(username="nora")
    assert user.email == "Nora.Quinn@Example.org"
    assert not user.has_usable_password()
    assert roles_of(user) == frozenset({Role.ASSOCIATE})
    assert client.get("/").status_code == 200
    assert client.session["_auth_user_id"] == str(user.pk)
    event = AuditEvent.objects.get(action="sso.sign_in")
    assert event.kind == "security" and event.actor_id == user.pk
    assert event.after == {
        "roles": ["Associate"],
        "created": True,
        "issuer": stub.base,
        "provider_mfa": False,
    }
    # No token the provider issued is in the audit trail or the session.
    trail = json.dumps(list(AuditEvent.objects.values("before", "after", "detail")))
    session = json.dumps(dict(client.session.items()))
    for token in stub.issued:
        assert token not in trail and token not in session
    # A second sign-in finds the same user (no second account); roles unchanged, no "before".
    client.logout()
    _sign_in(client, stub, person)
    assert User.objects.filter(email__iexact="nora.quinn@example.org").count() == 1
    again = AuditEvent.objects.filter(action="sso.sign_in").order_by("pk").last()
    assert again is not None and again.before is None and again.after is not None
    assert again.after["created"] is False


def test_an_existing_user_is_matched_by_email_and_takes_the_providers_roles(
    cast: Cast, client: Client, stub: Stub
) -> None:
    person = Person("idp-bob", "BOB@example.org", ["cd-managers"])
    answer = _sign_in(client, stub, person, next_url="/inquiries/")
    assert answer.status_code == 302 and answer["Location"] == "/inquiries/"
    assert client.session["_auth_user_id"] == str(cast.bob.pk)
    bob = User.objects.get(pk=cast.bob.pk)
    assert roles_of(bob) == frozenset({Role.MANAGER})
    event = AuditEvent.objects.get(action="sso.sign_in")
    assert event.before == {"roles": ["Associate"]}
    assert event.after is not None and event.after["roles"] == ["Manager"]
    assert event.after["created"] is False


@pytest.mark.parametrize(
    ("spoil", "detail"),
    [
        ("signature", "signature does not verify"),
        ("audience", "another client"),
        ("expired", "expired"),
        ("issuer", "another issuer"),
        ("nonce", "nonce"),
    ],
)
def test_a_spoiled_id_token_is_refused(
    cast: Cast, client: Client, stub: Stub, spoil: str, detail: str
) -> None:
    stub.spoil = spoil
    answer = _sign_in(client, stub, Person("idp-9", "zed@example.org", ["cd-managers"]))
    assert answer.status_code == 403
    assert "could not be trusted" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="zed@example.org").exists()
    (event,) = _refusals("token")
    assert detail in event.detail["detail"] and event.kind == "security"
    assert client.get("/").status_code == 302


def test_a_user_without_a_mapped_role_is_refused_and_not_created(
    cast: Cast, client: Client, stub: Stub
) -> None:
    answer = _sign_in(client, stub, Person("idp-3", "pat@example.org", ["everyone", "vpn"]))
    assert answer.status_code == 403
    assert "has no clientdesk role" in answer.content.decode()
    assert not User.objects.filter(email="pat@example.org").exists()
    (event,) = _refusals("role")
    assert event.object_label == "pat@example.org"
    assert not AuditEvent.objects.filter(action="sso.sign_in").exists()


def test_a_wrong_or_replayed_state_is_refused(cast: Cast, client: Client, stub: Stub) -> None:
    stub.person = Person("idp-4", "alice@example.org", ["cd-associates"])
    start = client.get("/sso/start/")
    back = urlparse(
        requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    )
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    forged = client.get("/sso/callback/", {"code": query["code"], "state": "forged-state"})
    assert forged.status_code == 403 and "did not start here" in forged.content.decode()
    # Another browser (no session) bringing this code and state is refused too.
    other = Client()
    assert other.get("/sso/callback/", query).status_code == 403
    # The right browser succeeds once; the replay is refused.
    assert client.get("/sso/callback/", query).status_code == 302
    client.logout()
    assert client.get("/sso/callback/", query).status_code == 403
    assert len(_refusals("state")) == 3


def test_a_provider_error_and_a_superuser_are_refused(
    cast: Cast, client: Client, stub: Stub
) -> None:
    client.get("/sso/start/")
    state = next(iter(client.session["oidc_states"]))
    denied = client.get("/sso/callback/", {"error": "access_denied", "state": state})
    assert denied.status_code == 403
    assert _refusals("provider")[0].detail["detail"] == "the provider answered error=access_denied"
    answer = _sign_in(client, stub, Person("idp-ada", "ada@example.org", ["cd-managers"]))
    assert answer.status_code == 403 and "_auth_user_id" not in client.session
    assert "superuser" in _refusals("account")[0].detail["detail"]


def test_our_code_is_still_asked_unless_the_provider_did_mfa(
    cast: Cast, client: Client, stub: Stub, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    _sign_in(client, stub, Person("idp-1", "alice@example.org", ["cd-associates"], ["pwd"]))
    assert client.get("/")["Location"].startswith("/mfa/enrol/")
    client.logout()
    _sign_in(client, stub, Person("idp-1", "alice@example.org", ["cd-associates"], ["pwd", "mfa"]))
    assert client.get("/").status_code == 200
    latest = AuditEvent.objects.filter(action="sso.sign_in").order_by("pk").last()
    assert latest is not None and latest.after is not None
    assert latest.after["provider_mfa"] is True
    client.logout()
    settings.OIDC_TRUST_PROVIDER_MFA = False
    _sign_in(client, stub, Person("idp-1", "alice@example.org", ["cd-associates"], ["pwd", "hwk"]))
    assert client.get("/")["Location"].startswith("/mfa/enrol/")


def test_the_role_map_is_read_strictly() -> None:
    mapping = sso.parse_role_map("cd-managers=Manager, ops = service operations,x=SERVICE_OPS")
    assert mapping == {"cd-managers": Role.MANAGER, "ops": Role.SERVICE_OPS, "x": Role.SERVICE_OPS}
    with pytest.raises(ImproperlyConfigured, match="cd-boss=Boss"):
        sso.parse_role_map("cd-boss=Boss")
    with pytest.raises(ImproperlyConfigured):
        sso.parse_role_map("Manager")
    claims = {"groups": ["ops", "cd-managers", 7], "role": "ops"}
    assert sso.roles_from_claims(claims, "groups", mapping) == {Role.MANAGER, Role.SERVICE_OPS}
    assert sso.roles_from_claims(claims, "role", mapping) == {Role.SERVICE_OPS}
    assert sso.roles_from_claims(claims, "missing", mapping) == frozenset()
    assert sso.provider_did_mfa({"amr": ["pwd", "otp"]}) is True
    assert sso.provider_did_mfa({"amr": ["pwd"]}) is False
    assert sso.provider_did_mfa({"amr": "mfa"}) is False  # amr is a list (RFC 8176)


def test_start_up_checks_name_what_sso_lacks(settings: Any) -> None:
    from clientdesk.web.checks import single_sign_on

    assert single_sign_on(None) == []  # off
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = ""
    settings.OIDC_DISCOVERY_URL = ""
    settings.OIDC_ROLE_MAP = "cd-x=Boss"
    assert sorted(str(e.id) for e in single_sign_on(None)) == [
        "clientdesk.E010",
        "clientdesk.E011",
        "clientdesk.E012",
    ]
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_DISCOVERY_URL = "https://idp.example.org/.well-known/openid-configuration"
    settings.OIDC_ROLE_MAP = "cd-x=Executive"
    assert single_sign_on(None) == []
