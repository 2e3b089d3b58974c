"""Fixtures shared by every app's tests."""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import hypothesis
import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings
from pytest_django.django_compat import is_django_unittest
from pytest_django.fixtures import validate_django_db

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

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SPARK_TEST_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:CICompilerCount=1"

# Generated books shared across the session's tests: the `generated_books` fixture.
pytest_plugins = ["clientdesk.synth.testing"]


@pytest.fixture(autouse=True)
def _data_dir(settings: object, tmp_path: Path) -> None:
    """Each test gets its own data dir and lake, plain static storage (no manifest) and a fast
    password hasher (the real one spends ~0.4 s per user on purpose)."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS  # type: ignore[attr-defined]
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
def cast(request: pytest.FixtureRequest, db: None) -> Cast:
    """The named cast (clientdesk/testing.py). A test that shares it (`shares_cast`) gets a copy
    of the cast its worker holds; another one gets a cast made for it."""
    held = _held_cast(request.config)
    if request.node.stash.get(SHARES_CAST, False) and held is not None and held.is_open:
        return held.copy()
    return make_cast()


@pytest.fixture
def login(client: Client, cast: Cast):  # type: ignore[no-untyped-def]
    """login("alice") signs the test client in as a cast member and returns the client."""

    def _login(name: str) -> Client:
        client.force_login(cast.users()[name])
        return client

    return _login


# The cast, made once for a run of consecutive tests on a worker instead of once a test.
#
# `make_cast` writes 7 users, 2 accounts, 3 assignments, a contact, a contract and their audit
# rows through the real actions: ~0.07 CPU s, in some 1,500 tests. A database test that asks
# for the cast and nothing transactional (`shares_cast`) runs inside a transaction its worker
# holds with the cast in it, as Django's TestCase holds `setUpTestData`'s rows for a class:
# the test's own transaction (pytest-django's `db`) is a savepoint in it, rolled back at the
# test's end, so no test sees what another wrote. Each test gets a deep copy of the held
# cast's objects (as TestCase copies `setUpTestData`'s), so one that changes an object in
# memory leaves the next test the cast as it was made. The held transaction is rolled back
# before any test that does not share the cast (it would see the cast's rows, or needs to
# commit), and at the end of the session; the next test that shares makes the cast again.


class HeldCast:
    """The worker's held transaction and the cast made in it (`shares_cast`)."""

    def __init__(self, blocker: Any) -> None:
        self._blocker = blocker
        self._atomic: Any = None
        self._cast: Cast | None = None
        self.made = 0  # how many times this worker made the held cast

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        """Makes the cast in a transaction left open, unless it is open already. Does nothing
        when the connection is already in a transaction (a module's own, as the access
        matrix's): the cast is then made for each test as before."""
        if self.is_open:
            return
        with self._blocker.unblock():
            if connections[DEFAULT_DB_ALIAS].in_atomic_block:
                return
            # The users' passwords hashed as every test hashes them (`_data_dir`).
            with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
                atomic = transaction.atomic()
                atomic._from_testcase = True  # type: ignore[attr-defined]  # as TestCase's own
                atomic.__enter__()
                try:
                    cast = make_cast()
                except BaseException:
                    transaction.set_rollback(True)
                    atomic.__exit__(None, None, None)
                    raise
        self._atomic, self._cast = atomic, cast
        self.made += 1

    def copy(self) -> Cast:
        if self._cast is None:
            raise RuntimeError("no cast is held: `open` makes it")
        return copy.deepcopy(self._cast)

    def close(self) -> None:
        """Rolls the held transaction back, and with it the cast."""
        if not self.is_open:
            return
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic, self._cast = None, None


SHARES_CAST = pytest.StashKey[bool]()
_HELD_CAST = pytest.StashKey[HeldCast]()


def _held_cast(config: pytest.Config) -> HeldCast | None:
    return config.stash.get(_HELD_CAST, None)


def shares_cast(item: pytest.Item) -> bool:
    """A test that asks for the root conftest's `cast` in pytest-django's ordinary (rolled
    back) database transaction on the default database: not transactional, not resetting
    sequences or serializing, not a unittest class."""
    if not isinstance(item, pytest.Function) or "cast" not in item.fixturenames:
        return False
    defs = item._fixtureinfo.name2fixturedefs.get("cast")
    if not defs or defs[-1].func.__module__ != __name__:  # a module's own cast (access matrix)
        return False
    whole = ("transactional_db", "live_server", "django_db_reset_sequences")
    if any(name in item.fixturenames for name in (*whole, "django_db_serialized_rollback")):
        return False
    if is_django_unittest(item):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return True
    transactional, reset, databases, serialized, available = validate_django_db(marker)
    return not (transactional or reset or serialized) and databases is None and available is None


@pytest.fixture(scope="session")
def _held_cast_holder(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[HeldCast]:
    """The worker's HeldCast, its transaction rolled back before the test databases go."""
    held = HeldCast(django_db_blocker)
    request.config.stash[_HELD_CAST] = held
    yield held
    held.close()


@pytest.fixture
def _held_cast_open(_held_cast_holder: HeldCast) -> None:
    """Set up first for a test that shares the cast (`pytest_collection_modifyitems` puts it
    there), before its own transaction (`db`, or the django_db marker's) opens inside."""
    _held_cast_holder.open()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before a test that does not share the cast is set up: the held cast rolled back."""
    held = _held_cast(item.config)
    if held is not None and not item.stash.get(SHARES_CAST, False):
        held.close()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Spark tests share one worker, and so do the browser tests (`make test` runs
    `--dist loadgroup`): each process starts its own SparkSession, or its own Chromium and live
    server, and two of them on a two-core machine cost more than they gain.

    First of the collection hooks: xdist names each grouped test `id@group` in its own hook, and
    a mark added after it is never seen (it was not, until this ran first). pytest is held below
    9.2, whose structured node ids lose that suffix (pytest-dev/pytest-xdist#1386). Without
    xdist (`-p no:xdist`) there is nothing to group, and no `xdist_group` mark to add."""
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        for heavy in ("spark", "browser"):
            if grouped and item.get_closest_marker(heavy):
                item.add_marker(pytest.mark.xdist_group(heavy))
        if isinstance(item, pytest.Function) and shares_cast(item):
            item.stash[SHARES_CAST] = True
            item.fixturenames.insert(0, "_held_cast_open")  # before the test's transaction


# The test database, migrated once a run (`django_db_setup`, `migrated_sqlite` below).
#
# pytest-django gives each pytest-xdist worker a test database of its own and migrates it: 118
# migrations, ~15 CPU s a worker on a quiet machine. Here the first worker to need a database
# migrates its own as before and leaves a copy of the result in the run's shared folder; a
# worker that comes later starts from the copy instead of migrating (a worker asking while the
# first migrates waits for it, as for a generated book):
#
# - SQLite: the migrated database is written to a file (SQLite's backup API) and read back into
#   the other worker's database, in memory or on disk.
# - PostgreSQL: the first worker makes a template database from its own (`CREATE DATABASE …
#   TEMPLATE`); another worker's database is created from it. The template is dropped when the
#   worker that made it ends.
#
# Everything else of Django's test-database creation runs as before (the database created, its
# serialization, the cache tables, the teardown). With --reuse-db or --nomigrations, pytest-django's
# setup runs unchanged. The copy holds what `migrate` wrote: the tables, the rows the data
# migrations seed, the content types and permissions.
#
# A test that runs the app in a subprocess with a SQLite database of its own can start it from
# the same copy (`migrated_sqlite`) instead of migrating there.


def _shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's folder: under pytest-xdist the one every worker shares (the pattern
    pytest-xdist documents for session data, as the book shelf's), else the session's own."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "test-databases"
    shared.mkdir(parents=True, exist_ok=True)
    return shared


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _quoted(connection: BaseDatabaseWrapper, name: str) -> str:
    return str(connection.ops.quote_name(name))


class MigratedOnce:
    """Stands in for `migrate` while the test databases are created: the first call for an
    alias in the run migrates and keeps a copy, every later one (another worker's) copies it."""

    def __init__(self, shared: Path, real: Callable[..., Any]) -> None:
        self._shared = shared
        self._real = real
        self.templates: list[tuple[str, str]] = []  # (alias, PostgreSQL template) made here

    def __call__(self, name: str, *args: Any, **options: Any) -> Any:
        if name != "migrate":
            return self._real(name, *args, **options)
        alias = options.get("database", DEFAULT_DB_ALIAS)
        connection = connections[alias]
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            return self._real(name, *args, **options)
        marker = self._shared / f"{alias}.{vendor}.json"
        with _locked(self._shared / f"{alias}.lock"):
            if marker.exists():
                self._copy_in(connection, json.loads(marker.read_text()))
                self._log(f"{alias} copied")
                return None
            result = self._real(name, *args, **options)
            saved = self._copy_out(connection)
            partial = marker.with_suffix(f".{os.getpid()}.part")
            partial.write_text(json.dumps(saved))
            partial.replace(marker)  # written last: the copy is whole
            self._log(f"{alias} migrated")
            return result

    def _log(self, line: str) -> None:
        """One line a database a worker: who migrated, who copied (setup.log in the folder)."""
        with open(self._shared / "setup.log", "a") as log:
            log.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {line}\n")

    def _copy_out(self, connection: BaseDatabaseWrapper) -> dict[str, str]:
        if connection.vendor == "sqlite":
            path = self._shared / f"{connection.alias}.sqlite3"
            path.unlink(missing_ok=True)
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            return {"sqlite": str(path)}
        name = str(connection.settings_dict["NAME"])
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        template = f"{name.removesuffix(f'_{worker}') if worker else name}_migrated"
        connection.close()  # a template database has no one connected to it
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(connection, template)}")
            cursor.execute(
                f"CREATE DATABASE {_quoted(connection, template)} "
                f"TEMPLATE {_quoted(connection, name)}"
            )
        self.templates.append((connection.alias, template))
        return {"postgresql": template}

    @staticmethod
    def _copy_in(connection: BaseDatabaseWrapper, saved: dict[str, str]) -> None:
        if connection.vendor == "sqlite":
            source = sqlite3.connect(f"file:{saved['sqlite']}?mode=ro", uri=True)
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
            return
        name = str(connection.settings_dict["NAME"])
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE {_quoted(connection, name)}")  # just made, empty
            cursor.execute(
                f"CREATE DATABASE {_quoted(connection, name)} "
                f"TEMPLATE {_quoted(connection, saved['postgresql'])}"
            )

    def drop_templates(self) -> None:
        """Drops the PostgreSQL templates made here, and their markers, so that a worker
        starting after this one ends migrates its own."""
        for alias, template in self.templates:
            connection = connections[alias]
            with _locked(self._shared / f"{alias}.lock"):
                (self._shared / f"{alias}.postgresql.json").unlink(missing_ok=True)
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(connection, template)}")
        self.templates.clear()


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's `django_db_setup`, with `migrate` run once a run (the module's text)."""
    from django.core import management
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    keepdb = django_db_keepdb and not django_db_createdb
    if not django_db_use_migrations:
        _disable_migrations()
    once = MigratedOnce(_shared_folder(tmp_path_factory), management.call_command)
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    # `migrate` is stood in for only where this run makes the databases from scratch.
    as_made = keepdb or not django_db_use_migrations
    swap = (
        contextlib.nullcontext() if as_made else mock.patch.object(management, "call_command", once)
    )
    with django_db_blocker.unblock(), swap:
        db_cfg = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            aliases=aliases,  # type: ignore[arg-type]  # the stubs say a mapping; any collection
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    yield
    with django_db_blocker.unblock():
        once.drop_templates()
        if not django_db_keepdb:
            try:
                teardown_databases(db_cfg, verbosity=request.config.option.verbose)
            except Exception as exc:  # as pytest-django's own teardown: a warning
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
                )


@pytest.fixture
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory, db: None) -> Callable[[Path], bool]:
    """migrated_sqlite(path) writes this run's migrated SQLite database to `path` and answers
    True; it answers False (the caller migrates there itself) when the run's test database is
    not SQLite or was not made here (--reuse-db, --nomigrations). It asks for `db` so that the
    run's test database is made (and with it the copy) before the test."""
    marker = _shared_folder(tmp_path_factory) / f"{DEFAULT_DB_ALIAS}.sqlite.json"

    def write(path: Path) -> bool:
        if not marker.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(json.loads(marker.read_text())["sqlite"], path)
        return True

    return write
