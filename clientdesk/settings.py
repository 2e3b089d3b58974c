"""Django settings for clientdesk. Every value that varies comes from the environment (conf.py)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

from clientdesk.conf import (
    BASE_DIR,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_secret_key,
)

django_stubs_ext.monkeypatch()

# Files the app writes (the database, the lake, rejects and warnings files, reports,
# attachments, backups) are the service user's alone: 0600 files, 0700 folders.
os.umask(0o077)

DATA_DIR = Path(
    env_str(
        "CLIENTDESK_DATA_DIR",
        str(BASE_DIR / "var"),
        "Folder for the SQLite database, the lake (Parquet), exports and the local secret key.",
    )
).resolve()
LAKE_DIR = DATA_DIR / "lake"

DEBUG = env_bool(
    "CLIENTDESK_DEBUG", False, "Django debug pages (off for `make demo`, as in production)."
)
SECRET_KEY = env_str(
    "CLIENTDESK_SECRET_KEY",
    "",
    "Secret key; when unset, one is generated once and kept in DATA_DIR/secret_key.",
) or local_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list(
    "CLIENTDESK_ALLOWED_HOSTS",
    ["127.0.0.1", "localhost", "testserver"],
    "Comma-separated host names the server answers for.",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CLIENTDESK_CSRF_TRUSTED_ORIGINS", [], "Comma-separated origins trusted for CSRF (https://…)."
)
SECURE_COOKIES = env_bool(
    "CLIENTDESK_SECURE_COOKIES",
    False,
    "Send session and CSRF cookies over HTTPS only (turn on behind TLS).",
)
ENGINE = env_str(
    "CLIENTDESK_ENGINE", "duckdb", "Analytics engine for lake reads: duckdb (default) or spark."
)
SPARK_JAVA_OPTIONS = env_str(
    "CLIENTDESK_SPARK_JAVA_OPTIONS",
    "",
    "Extra JVM options for the Spark engine's driver (the JIT, the garbage collector).",
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # so /api/docs serves Swagger UI from the package's static files, not a CDN
    "axes",
    "csp",
    "django_otp",  # two-factor sign-in: TOTP authenticators and recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clientdesk.web",
    "clientdesk.audit",
    "clientdesk.people",
    "clientdesk.accounts",
    "clientdesk.inquiries",
    "clientdesk.lake",
    "clientdesk.insights",
    "clientdesk.guarantees",
    "clientdesk.utilization",
    "clientdesk.growth",
    "clientdesk.financials",
    "clientdesk.surveys",
    "clientdesk.strategy",
    "clientdesk.team",
    "clientdesk.implementations",
    "django_tasks",
    "django_tasks_db",
    "clientdesk.reports",
    "clientdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clientdesk.web.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clientdesk.web.mfa.MfaRequiredMiddleware",
    "clientdesk.web.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientdesk.urls"
# Django's form renderer with its select boxes written in Python: the same HTML, a fifth of the
# inquiries list's CPU less (clientdesk/lib/form_renderer.py).
FORM_RENDERER = "clientdesk.lib.form_renderer.FormRenderer"
WSGI_APPLICATION = "clientdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientdesk.web.context.navigation",
            ],
            # One way to write figures on every page; in lib, so any app's template loads it.
            "libraries": {"formatting": "clientdesk.lib.formatting_filters"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str(
            "DATABASE_URL",
            f"sqlite:///{DATA_DIR / 'clientdesk.sqlite3'}",
            "Operational database; SQLite under DATA_DIR by default, postgres://… for PostgreSQL.",
        ),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept (60 s, as for PostgreSQL): opening one runs the PRAGMAs below and
    # closing the last one checkpoints the WAL, together ~6 ms CPU, as much as a whole request
    # to the public survey page (bench/surveys.py).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while a load writes; IMMEDIATE avoids upgrade deadlocks.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Two-factor sign-in (clientdesk.people.mfa): password, then a TOTP code or a recovery code.
MFA_REQUIRED = env_bool(
    "CLIENTDESK_MFA_REQUIRED",
    True,
    "Every sign-in needs a code from an authenticator app after the password (users without one "
    "enrol first). Off only for a local demo: `clientdesk serve` refuses it on an open address.",
)
OTP_TOTP_ISSUER = "clientdesk"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # Django admin never shows a user's TOTP key or QR code
OTP_TOTP_THROTTLE_FACTOR = 1  # after each wrong code, wait 1, 2, 4, 8… seconds (django-otp)
LOGIN_REDIRECT_URL = "home"

# Optional single sign-on through OpenID Connect (clientdesk.people.sso): entirely off (no
# URLs, no login link, no backend) while CLIENTDESK_OIDC_CLIENT_ID is unset.
OIDC_RP_CLIENT_ID = env_str(
    "CLIENTDESK_OIDC_CLIENT_ID",
    "",
    "Client id clientdesk has at the identity provider; set it to turn single sign-on on.",
)
OIDC_RP_CLIENT_SECRET = env_str(
    "CLIENTDESK_OIDC_CLIENT_SECRET", "", "Client secret clientdesk has at the identity provider."
)
OIDC_DISCOVERY_URL = env_str(
    "CLIENTDESK_OIDC_DISCOVERY_URL",
    "",
    "The provider's /.well-known/openid-configuration (read once an hour for the issuer and "
    "endpoints), or give the five values below instead.",
)
OIDC_ISSUER = env_str(
    "CLIENTDESK_OIDC_ISSUER", "", "Issuer (iss) every ID token must carry (without discovery)."
)
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
    "CLIENTDESK_OIDC_AUTHORIZATION_URL", "", "Authorization endpoint (without discovery)."
)
OIDC_OP_TOKEN_ENDPOINT = env_str(
    "CLIENTDESK_OIDC_TOKEN_URL", "", "Token endpoint (without discovery)."
)
OIDC_OP_USER_ENDPOINT = env_str(
    "CLIENTDESK_OIDC_USERINFO_URL", "", "Userinfo endpoint (without discovery)."
)
OIDC_OP_JWKS_ENDPOINT = env_str(
    "CLIENTDESK_OIDC_JWKS_URL", "", "The provider's signing keys, JWKS (without discovery)."
)
OIDC_RP_SIGN_ALGO = env_str(
    "CLIENTDESK_OIDC_SIGN_ALGO",
    "RS256",
    "Algorithm ID tokens are signed with: RS256/ES256… (keys from JWKS) or HS256 (secret).",
)
OIDC_RP_SCOPES = env_str(
    "CLIENTDESK_OIDC_SCOPES", "openid email profile", "Scopes asked of the provider."
)
OIDC_ROLE_CLAIM = env_str(
    "CLIENTDESK_OIDC_ROLE_CLAIM",
    "groups",
    "Claim (ID token or userinfo) holding the user's groups or roles at the provider.",
)
OIDC_ROLE_MAP = env_str(
    "CLIENTDESK_OIDC_ROLE_MAP",
    "",
    "Comma-separated provider-value=role pairs, e.g. cd-managers=Manager,cd-sales=Sales; a "
    "user none of whose values maps is refused.",
)
OIDC_TRUST_PROVIDER_MFA = env_bool(
    "CLIENTDESK_OIDC_TRUST_PROVIDER_MFA",
    True,
    "Skip clientdesk's own authenticator code when the ID token's amr says the provider did "
    "multi-factor (mfa, otp, hwk, swk, sc); otherwise SSO users type our code too.",
)
OIDC_TIMEOUT = 10  # seconds for each call to the provider (token, userinfo, JWKS)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_STORE_ACCESS_TOKEN = False  # we keep no provider token in the session
OIDC_STORE_ID_TOKEN = False
OIDC_AUTHENTICATE_CLASS = "clientdesk.web.sso.SsoStartView"
OIDC_CALLBACK_CLASS = "clientdesk.web.sso.SsoCallbackView"
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.append("clientdesk.people.sso.SsoBackend")
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures per user name and address lock for 15 minutes.
AXES_FAILURE_LIMIT = env_int(
    "CLIENTDESK_LOGIN_FAILURE_LIMIT", 5, "Failed logins before a 15-minute lock-out."
)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
# Behind a reverse proxy the sign-in lock-out and the public pages' rate limit count the client,
# not the proxy: see clientdesk/lib/client_address.py.
TRUSTED_PROXIES = env_list(
    "CLIENTDESK_TRUSTED_PROXIES",
    [],
    "Reverse proxies in front of the app, as addresses or networks (CIDR); empty trusts none.",
)
AXES_CLIENT_IP_CALLABLE = "clientdesk.lib.client_address.client_address"

SESSION_COOKIE_AGE = env_int(
    "CLIENTDESK_SESSION_SECONDS", 8 * 3600, "Session lifetime in seconds (idle or not)."
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
API_TOKEN_DAYS = env_int(
    "CLIENTDESK_API_TOKEN_DAYS", 90, "Days a new API token works (1 to 366; 90 by default)."
)
IDLE_TIMEOUT_SECONDS = 60 * env_int(
    "CLIENTDESK_IDLE_MINUTES",
    15,
    "Minutes without a request after which a signed-in session is signed out (besides the "
    "absolute lifetime).",
)
SECURE_HSTS_SECONDS = env_int(
    "CLIENTDESK_HSTS_SECONDS",
    0,
    "Strict-Transport-Security max-age in seconds (0: not sent; behind TLS use 31536000).",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(
    "CLIENTDESK_HSTS_SUBDOMAINS", False, "Add includeSubDomains to the HSTS header."
)
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    # htmx comes from the npm registry at setup (package.json); nothing third-party is committed.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o600  # Django chmods uploads itself (0644 otherwise)
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

EMAIL_BACKEND = env_str(
    "CLIENTDESK_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend",
    "Django mail backend; console by default (the demo prints mail to the terminal).",
)
DEFAULT_FROM_EMAIL = env_str(
    "CLIENTDESK_FROM_EMAIL", "clientdesk@localhost", "Sender address of notification mail."
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_member_data": {"()": "clientdesk.web.logging.NoMemberDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_member_data"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "clientdesk": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# A load's rejects and warnings files (rows as sent, member data) are erased after this.
REJECTS_RETENTION_DAYS = env_int(
    "CLIENTDESK_REJECTS_RETENTION_DAYS",
    90,
    "Days a load's rejects and warnings files are kept; the clock erases older ones daily.",
)

REPORT_RETENTION_DAYS = env_int(
    "CLIENTDESK_REPORT_RETENTION_DAYS",
    365,
    "Days a report run's files (deck, workbook, PDF) are kept; the clock erases older ones daily.",
)
ATTACHMENT_RETENTION_DAYS = env_int(
    "CLIENTDESK_ATTACHMENT_RETENTION_DAYS",
    2190,
    "Days an inquiry's attachments are kept after it closes; the clock erases older ones daily.",
)

# The team app: a closed candidate file (hired, declined, rejected) is erased after this.
CANDIDATE_RETENTION_DAYS = env_int(
    "CLIENTDESK_CANDIDATE_RETENTION_DAYS",
    730,
    "Days a closed candidate file is kept before `clientdesk team purge` erases it.",
)
QUALITY_SAMPLE_PERCENT = env_int(
    "CLIENTDESK_QUALITY_SAMPLE_PERCENT",
    5,
    "Percent of each associate's resolved inquiries sampled for quality review each month.",
)

# The insurer's branding on the reports that leave the building (checked at start-up:
# clientdesk/reports/branding.py).
REPORT_BRAND_NAME = env_str(
    "CLIENTDESK_REPORT_BRAND_NAME", "", "The insurer's name on report covers and footers."
)
REPORT_BRAND_COLOUR = env_str(
    "CLIENTDESK_REPORT_BRAND_COLOUR",
    "#1F5F8B",
    "The accent colour of report decks and PDFs (titles, headings), as #RRGGBB.",
)
REPORT_BRAND_LOGO = env_str(
    "CLIENTDESK_REPORT_BRAND_LOGO", "", "A PNG or JPEG logo for the reports' covers (a path)."
)
REPORT_DECK_TEMPLATE = env_str(
    "CLIENTDESK_REPORT_DECK_TEMPLATE",
    "",
    "A .pptx whose masters and layouts the decks are built on (a path; empty: the default).",
)

# Background tasks (django-tasks): report runs queue in the database; `clientdesk db_worker`
# runs them (`clientdesk serve` starts one). "immediate" runs them inside the web request.
REPORT_QUEUE = env_str(
    "CLIENTDESK_REPORT_QUEUE",
    "database",
    "Where report runs go: database (a worker runs them) or immediate (in the request).",
)
if REPORT_QUEUE not in {"database", "immediate"}:
    raise ValueError(f"CLIENTDESK_REPORT_QUEUE must be database or immediate, not {REPORT_QUEUE!r}")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if REPORT_QUEUE == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
