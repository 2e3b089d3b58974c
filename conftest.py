"""Fixtures shared by every app's tests."""

from __future__ import annotations

from pathlib import Path

import hypothesis
import pytest
from django.test import Client

from clientdesk.testing import Cast, make_cast

# Property tests draw the same examples on every run (a red run can be run again as it was) and
# are judged on what they find, not on how fast a loaded 2-core machine draws examples.
hypothesis.settings.register_profile(
    "clientdesk",
    derandomize=True,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.too_slow],
)
hypothesis.settings.load_profile("clientdesk")

SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1"

# Generated books shared across the session's tests: the `generated_books` fixture.
pytest_plugins = ["clientdesk.synth.testing"]


@pytest.fixture(autouse=True)
def _data_dir(settings: object, tmp_path: Path) -> None:
    """Each test gets its own data dir and lake, plain static storage (no manifest) and a fast
    password hasher (the real one spends ~0.4 s per user on purpose)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    settings.LAKE_DIR = tmp_path / "var" / "lake"  # type: ignore[attr-defined]
    # Tests travel in time (SLA clocks, schedules) with a signed-in client: the idle sign-out
    # is tested on its own (web/tests/test_security_sessions.py sets it back).
    settings.IDLE_TIMEOUT_SECONDS = 10 * 365 * 24 * 3600  # type: ignore[attr-defined]
    # Tests sign in with force_login or the password form alone: the second step (TOTP) is
    # tested on its own (web/tests/test_security_mfa.py and its browser test set it back on).
    settings.MFA_REQUIRED = False  # type: ignore[attr-defined]
    # The Spark parity tests run many small queries in a JVM started for them: with the quick
    # JIT alone (C1) and one garbage-collector thread its CPU fell from 77 to 39 s for the six
    # tests (docs/configuration.md). Read once, when the worker's JVM starts.
    settings.SPARK_JAVA_OPTIONS = SPARK_TEST_JAVA_OPTIONS  # type: ignore[attr-defined]
    settings.STORAGES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def cast(db: None) -> Cast:
    return make_cast()


@pytest.fixture
def login(client: Client, cast: Cast):  # type: ignore[no-untyped-def]
    """login("alice") signs the test client in as a cast member and returns the client."""

    def _login(name: str) -> Client:
        client.force_login(cast.users()[name])
        return client

    return _login


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Spark tests share one worker, and so do the browser tests (`make test` runs
    `--dist loadgroup`): each process starts its own SparkSession, or its own Chromium and live
    server, and two of them on a two-core machine cost more than they gain.

    First of the collection hooks: xdist names each grouped test `id@group` in its own hook, and
    a mark added after it is never seen (it was not, until this ran first). pytest is held below
    9.2, whose structured node ids lose that suffix (pytest-dev/pytest-xdist#1386)."""
    for item in items:
        for heavy in ("spark", "browser"):
            if item.get_closest_marker(heavy):
                item.add_marker(pytest.mark.xdist_group(heavy))
