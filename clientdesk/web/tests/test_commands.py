"""The shell's CLI verbs: `serve` checks before it serves; `token` prints a usable token once."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from clientdesk.lib import static_collect
from clientdesk.testing import Cast
from clientdesk.web.management.commands.serve import (
    default_threads,
    default_workers,
    refuse_failing_deploy_checks,
)


def test_serve_checks_migrations_and_collects_hashed_static(
    db: None, settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Gzip only: Brotli at its top quality takes some 20 s over the API pages' 8 MB of Swagger
    # and ReDoc, and it is WhiteNoise's code, not ours; the hashing and the gzip files are.
    monkeypatch.setattr("whitenoise.compress.brotli_installed", False)
    settings.STATIC_ROOT = tmp_path / "static"  # type: ignore[attr-defined]
    settings.STORAGES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    out = io.StringIO()
    call_command("serve", "--check-only", "--bind", "127.0.0.1:8123", stdout=out)
    assert "Serving on http://127.0.0.1:8123" in out.getvalue()
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "vendor/htmx/htmx.min.js" in manifest["paths"]
    assert "web/clientdesk.css" in manifest["paths"]
    hashed = manifest["paths"]["web/clientdesk.css"]
    assert (tmp_path / "static" / f"{hashed}.gz").is_file()


def test_serve_collects_static_again_only_when_a_static_file_changed(
    db: None, settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("whitenoise.compress.brotli_installed", False)
    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "note.css").write_text("body { color: black; }")
    # The test's own static folder alone: whether a start collects is decided the same way for
    # one file as for the app's (static_fingerprint), and three collects of all of them
    # (WhiteNoise hashing and gzipping the API docs' 8 MB) made this test 7.9 s instead of
    # 1.9 s. The collect of the app's own files is the test above.
    settings.STATICFILES_DIRS = [("extra", ours)]  # type: ignore[attr-defined]
    settings.STATICFILES_FINDERS = [  # type: ignore[attr-defined]
        "django.contrib.staticfiles.finders.FileSystemFinder"
    ]
    settings.STATIC_ROOT = tmp_path / "static"  # type: ignore[attr-defined]
    settings.STORAGES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    collects: list[str] = []
    real = call_command

    def counted(name: str, *args: object, **kwargs: object) -> None:
        collects.append(name)
        real(name, *args, **kwargs)

    monkeypatch.setattr(static_collect, "call_command", counted)

    def paths() -> dict[str, str]:
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
        return dict(manifest["paths"])

    def run() -> str:
        out = io.StringIO()
        call_command("serve", "--check-only", stdout=out)
        return out.getvalue()

    run()
    first = paths()["extra/note.css"]
    assert collects == ["collectstatic"]
    assert "not collected again" in run()  # nothing changed: the second start skips it
    assert collects == ["collectstatic"]

    (ours / "note.css").write_text("body { color: navy; }")  # an asset changed: collected
    run()
    assert collects == ["collectstatic", "collectstatic"]
    assert paths()["extra/note.css"] != first
    assert (tmp_path / "static" / paths()["extra/note.css"]).read_text().endswith("navy; }")

    (tmp_path / "static" / paths()["extra/note.css"]).unlink()  # the output lost a file
    run()
    assert collects == ["collectstatic"] * 3
    assert (tmp_path / "static" / paths()["extra/note.css"]).is_file()


def test_serve_refuses_pending_migrations(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    with pytest.raises(CommandError, match="1 migration\\(s\\) not applied"):
        call_command("serve", "--check-only")


def test_token_create_prints_a_working_token(cast: Cast, client: Client) -> None:
    out = io.StringIO()
    call_command("token", "create", "alice", "--name", "laptop", "--format", "json", stdout=out)
    raw = json.loads(out.getvalue())["token"]
    response = client.get("/api/accounts/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and response.json()["count"] == 1


def test_token_for_unknown_user_is_a_one_line_error(db: None) -> None:
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        call_command("token", "create", "nobody")


def test_healthz_answers_without_login(client: Client, db: None) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_serve_refuses_a_failing_deploy_check(db: None, settings: object) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match=r"security\.W018"):
        call_command("serve", "--check-only")


def test_serve_on_an_open_address_needs_https_only_cookies(db: None, settings: object) -> None:
    with pytest.raises(CommandError, match=r"security\.W012") as refused:
        call_command("serve", "--check-only", "--bind", "0.0.0.0:8000")
    assert "security.W008" not in str(refused.value)  # the TLS proxy redirects
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True  # type: ignore[attr-defined]
    settings.SECURE_HSTS_SECONDS = 31_536_000  # type: ignore[attr-defined]
    settings.MFA_REQUIRED = True  # type: ignore[attr-defined]
    refuse_failing_deploy_checks("0.0.0.0:8000")


def test_serve_starts_gunicorn_preloaded_with_workers_for_the_cores(
    db: None, settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("clientdesk.web.management.commands.serve.os.cpu_count", lambda: 2)
    monkeypatch.setattr(
        "clientdesk.web.management.commands.serve.database_server_here", lambda database: False
    )
    monkeypatch.setattr(
        "clientdesk.web.management.commands.serve.collect_static_when_changed", lambda: False
    )
    monkeypatch.delenv("CLIENTDESK_WARM_UP", raising=False)
    started: list[list[str]] = []
    monkeypatch.setattr(
        "clientdesk.web.management.commands.serve.os.execv",
        lambda path, argv: started.append(argv),
    )
    call_command("serve", "--no-worker", "--bind", "127.0.0.1:8123", stdout=io.StringIO())
    argv = started[0]
    assert argv[argv.index("--workers") + 1] == "3"  # 2 cores + 1
    assert argv[argv.index("--threads") + 1] == str(default_threads())  # 1 on SQLite, 2 else
    assert argv[argv.index("--timeout") + 1] == "120"
    assert "--preload" in argv
    assert os.environ["CLIENTDESK_WARM_UP"] == "1"  # wsgi.py warms the master before the fork


def test_a_worker_has_a_second_thread_only_to_wait_on_a_database_server() -> None:
    assert default_threads({"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/cd.sqlite3"}) == 1
    assert default_threads({"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1"}) == 2
    assert default_threads({"ENGINE": "django.db.backends.postgresql", "HOST": "db.internal"}) == 2


def test_a_database_server_on_this_machine_takes_the_extra_workers_place() -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/clientdesk.sqlite3"}
    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "clientdesk"}
    assert default_workers(2, sqlite) == 3  # SQLite runs inside the workers
    assert default_workers(2, {**postgres, "HOST": "127.0.0.1"}) == 2
    assert default_workers(2, {**postgres, "HOST": ""}) == 2  # the Unix socket
    assert default_workers(2, {**postgres, "HOST": "/var/run/postgresql"}) == 2
    assert default_workers(2, {**postgres, "HOST": "db.internal"}) == 3
    assert default_workers(8, {**postgres, "HOST": "10.0.0.7"}) == 9


def test_warm_up_loads_the_code_list_the_views_and_the_engine_and_leaves_no_connection_open() -> (
    None
):
    import sys

    from django.db import connection
    from django.urls import get_resolver

    from clientdesk.utilization.reference import category_label
    from clientdesk.web.warm import warm_up

    before = connection.connection
    warm_up()
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        # Django never closes an in-memory SQLite database (a SQLite run's test database), which
        # an earlier test of this worker may have opened: warm_up must not have opened one.
        assert connection.connection is before
    else:
        assert connection.connection is None
    assert category_label("I10") == "Essential (primary) hypertension"
    assert "url_patterns" in vars(get_resolver())  # the URLconf loaded (a cached_property)
    assert "clientdesk.accounts.views" in sys.modules
    assert "ibis.backends.duckdb" in sys.modules
