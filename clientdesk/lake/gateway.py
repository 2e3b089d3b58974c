"""The analytics gateway: the only way to read the lake.

    with open_lake(request.user) as lake:               # or Scope.all() / Scope.account(acme)
        claims = lake.medical_claim                     # an Ibis table expression
        by_month = claims.group_by(...).aggregate(...)  # build any Ibis expression on it
        frame = lake.execute(by_month)                  # bounded in rows and time

`open_lake` opens the engine (`settings.ENGINE` or `engine=`: DuckDB embedded in-process, or
Spark in local mode with one SparkSession per process), registers every lake table over the
Parquet files of committed batches only, and filters each table to the caller's accounts
(`clientdesk.accounts.access.visible_account_ids`, the one place scope is decided). Tables are
registered with `read_parquet` on both engines; the Ibis expressions built on them run the
same on either.

`execute` adds a row limit (more than `max_rows` rows raise `RowLimitExceeded` rather than
being cut silently) and a time limit (`QueryTimeout`, the query is interrupted).

**Derived tables** (`Lake.derived(DerivedTable(...))`): an Ibis expression over the lake
materialised once per load version as Parquet under `LAKE_DIR/_derived/<name>/<version>/`,
then read like a lake table (scoped the same way). The version digests the committed batches
of the tables it reads, its revision, the engine and a caller's key, so a reload makes it
stale and the next read rebuilds it. It is built over every account (never a caller's
scope), sorted (by account first) so an account's rows are a small read, written to a
temporary folder and renamed into place: a crash never leaves half a derived table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from clientdesk.accounts.access import visible_account_ids
from clientdesk.lake import storage
from clientdesk.lake.schemas import TABLE_NAMES, get_table

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from clientdesk.accounts.models import Account

ENGINES = ("duckdb", "spark")
DEFAULT_MAX_ROWS = 100_000
DEFAULT_TIMEOUT_S = 120.0
DERIVED_BUILD_TIMEOUT_S = 3600.0
# DuckDB takes up to 80 % of RAM by default; a build (final action over every claim line
# version, sorting the result) would, on a machine others share. Capped, it spills to disk.
DERIVED_BUILD_MEMORY_LIMIT = "4GB"
_DERIVED_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class LakeError(Exception):
    """A lake read that cannot be answered; the message is one line."""


class RowLimitExceeded(LakeError):
    pass


class QueryTimeout(LakeError):
    pass


@dataclass(frozen=True)
class Scope:
    """Which accounts' rows a reader may see: `account_ids` None means every account."""

    account_ids: tuple[int, ...] | None
    label: str

    @classmethod
    def all(cls) -> Scope:
        """Every account: for the CLI and system jobs, never for a person's request."""
        return cls(None, "all accounts")

    @classmethod
    def account(cls, account: Account | int) -> Scope:
        account_id = account if isinstance(account, int) else account.pk
        return cls((account_id,), f"account {account_id}")

    @classmethod
    def accounts(cls, account_ids: Iterable[int]) -> Scope:
        ids = tuple(sorted(set(account_ids)))
        return cls(ids, f"{len(ids)} accounts")

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser) -> Scope:
        """What the user may see, as the account book decides it."""
        ids = visible_account_ids(user)
        label = f"user {user.get_username() or 'anonymous'}"
        return cls(None, label) if ids is None else cls(tuple(sorted(ids)), label)


@dataclass(frozen=True)
class DerivedTable:
    """A table computed from the lake and kept until the data it reads is reloaded.

    `build` gets an unscoped Lake (every account, same engine and connection) and returns the
    Ibis expression to materialise; it may read other derived tables through it. `sources`
    are the lake tables it reads (directly or through another derived table): a batch
    committed to or replaced in any of them makes the table stale. Bump `revision` when the
    logic of `build` changes. Rows are written sorted by `sort_by` (account_id first, so
    one account's rows sit together and a scoped read skips the rest by Parquet statistics).
    """

    name: str
    sources: tuple[str, ...]
    build: Callable[[Lake], ir.Table]
    revision: int = 1
    sort_by: tuple[str, ...] = ("account_id",)

    def __post_init__(self) -> None:
        if not _DERIVED_NAME.match(self.name):
            raise ValueError(f"derived table name {self.name!r}: use a-z, 0-9 and _")
        if "account_id" not in self.sort_by[:1]:
            raise ValueError("derived tables are sorted by account_id first")


@dataclass(frozen=True)
class DerivedInfo:
    """Where a derived table's current version lives and whether this call built it."""

    name: str
    version: str
    path: Path
    built: bool
    seconds: float


# --- engines ---------------------------------------------------------------------------

_spark_lock = threading.Lock()
_spark: SparkSession | None = None


def spark_session() -> SparkSession:
    """The process's one SparkSession: local mode on loopback, no UI, few shuffle partitions,
    warehouse under DATA_DIR, UTC session time zone. Started on first use (about 8 s)."""
    global _spark  # one session per process is the point
    with _spark_lock:
        if _spark is None:
            os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
            from pyspark.sql import SparkSession

            warehouse = Path(settings.DATA_DIR) / "spark-warehouse"
            warehouse.mkdir(parents=True, exist_ok=True)
            _spark = (
                SparkSession.builder.master("local[2]")
                .appName("clientdesk")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "2")
                .config("spark.sql.warehouse.dir", str(warehouse))
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate()
            )
            _spark.sparkContext.setLogLevel("ERROR")
        return _spark


class Lake:
    """The lake tables as Ibis expressions, scoped to one caller. Use `open_lake`."""

    def __init__(
        self,
        scope: Scope,
        engine: str,
        max_rows: int,
        timeout_s: float,
        *,
        _shared_with: Lake | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise LakeError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.scope = scope
        self.engine = engine
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self._tables: dict[str, ir.Table] = {}
        self._views: list[str] = []
        self._suffix = uuid.uuid4().hex[:12]
        self._unscoped: Lake | None = None
        self._owner = _shared_with
        self._spill: Path | None = None  # DuckDB's spill folder while building derived tables
        if _shared_with is not None:
            self._con: Any = _shared_with._con
        elif engine == "duckdb":
            self._con = ibis.duckdb.connect()
            self._con.raw_sql("SET TimeZone = 'UTC'")
        else:
            self._con = ibis.pyspark.connect(spark_session())

    # --- tables ------------------------------------------------------------------------

    def table(self, name: str) -> ir.Table:
        """The lake table `name`: committed batches only, filtered to this lake's scope."""
        if name not in self._tables:
            try:
                schema = get_table(name)
            except KeyError as error:
                raise LakeError(str(error.args[0])) from None
            files = [str(f) for f in storage.committed_files(schema)]
            self._tables[name] = self._scoped(self._register(f"lake_{name}", files))
        return self._tables[name]

    def _register(self, prefix: str, files: list[str]) -> ir.Table:
        view = f"{prefix}_{self._suffix}"
        if self.engine == "duckdb":
            raw = self._con.read_parquet(files, table_name=view)
        else:
            # ibis's PySpark read_parquet takes one path; this is the same registration
            # (a temporary view) over the list of files.
            spark_session().read.parquet(*files).createOrReplaceTempView(view)
            raw = self._con.table(view)
        self._views.append(view)
        return raw

    def _scoped(self, table: ir.Table) -> ir.Table:
        ids = self.scope.account_ids
        if ids is None:
            return table
        if not ids:
            return table.filter(ibis.literal(False))
        if len(ids) == 1:
            # An equality is what Parquet min/max statistics prune row groups by.
            return table.filter(table.account_id == ids[0])
        return table.filter(table.account_id.isin(list(ids)))

    @property
    def eligibility(self) -> ir.Table:
        return self.table("eligibility")

    @property
    def medical_claim(self) -> ir.Table:
        return self.table("medical_claim")

    @property
    def pharmacy_claim(self) -> ir.Table:
        return self.table("pharmacy_claim")

    @property
    def call_record(self) -> ir.Table:
        return self.table("call_record")

    @property
    def ivr_session(self) -> ir.Table:
        return self.table("ivr_session")

    @property
    def claim_processing(self) -> ir.Table:
        return self.table("claim_processing")

    @property
    def inquiry_import(self) -> ir.Table:
        return self.table("inquiry_import")

    @property
    def survey_response(self) -> ir.Table:
        return self.table("survey_response")

    # --- derived tables ----------------------------------------------------------------

    def unscoped(self) -> Lake:
        """The same lake over every account, on the same connection: what derived tables
        are built from. Internal to builds; never hand it to a person's request."""
        if self.scope.account_ids is None:
            return self
        if self._unscoped is None:
            self._unscoped = Lake(
                Scope.all(), self.engine, self.max_rows, self.timeout_s, _shared_with=self
            )
        return self._unscoped

    def derived_version(self, spec: DerivedTable, *, key: str = "") -> str:
        """The version a derived table has for the lake's current load: engine, revision,
        the caller's `key` (e.g. a reference it joins) and the sources' committed batches."""
        try:
            loaded = storage.load_version(spec.sources)
        except KeyError as error:
            raise LakeError(str(error.args[0])) from None
        text = f"{spec.name}|{spec.revision}|{key}|{loaded}"
        return f"{self.engine}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"

    def materialize(self, spec: DerivedTable, *, key: str = "") -> DerivedInfo:
        """Make sure the derived table exists for the current load version: build it (once,
        across processes) when it does not. Returns where it is and whether this built it."""
        version = self.derived_version(spec, key=key)
        folder = storage.derived_dir(spec.name) / version
        if folder.is_dir():
            return DerivedInfo(spec.name, version, folder, False, 0.0)
        started = time.perf_counter()
        with storage.derived_lock(spec.name):
            if folder.is_dir():  # another process built it while this one waited
                return DerivedInfo(spec.name, version, folder, False, 0.0)
            storage.remove_derived_except(spec.name, keep=version)
            partial = folder.with_name(f".tmp-{uuid.uuid4().hex}")
            source = self.unscoped()
            expr = spec.build(source).order_by(list(spec.sort_by))
            try:
                if self.engine == "duckdb":
                    partial.mkdir(parents=True)
                    target = partial / "part-00000.parquet"
                    with self._build_memory():
                        self._guarded(
                            lambda: self._con.to_parquet(expr, target), DERIVED_BUILD_TIMEOUT_S
                        )
                else:
                    self._guarded(
                        lambda: self._con.to_parquet(expr, partial), DERIVED_BUILD_TIMEOUT_S
                    )
                seconds = time.perf_counter() - started
                (partial / "_manifest.json").write_text(
                    json.dumps(
                        {
                            "name": spec.name,
                            "version": version,
                            "revision": spec.revision,
                            "sources": list(spec.sources),
                            "key": key,
                            "seconds": round(seconds, 3),
                        }
                    )
                )
                os.rename(partial, folder)  # atomic: readers see all of it or none
            except BaseException:
                storage.remove_derived_except(spec.name, keep=version)
                raise
        return DerivedInfo(spec.name, version, folder, True, time.perf_counter() - started)

    @contextlib.contextmanager
    def _build_memory(self) -> Iterator[None]:
        """DuckDB capped at DERIVED_BUILD_MEMORY_LIMIT while a build runs, spilling to
        LAKE_DIR/_derived/.spill/<lake> (removed when the lake closes)."""
        root = self._owner or self
        if root._spill is None:
            # One folder per connection: DuckDB cannot switch it once it has spilled there.
            root._spill = storage.derived_dir() / ".spill" / root._suffix
            root._spill.mkdir(parents=True, exist_ok=True)
            self._con.con.execute(f"SET temp_directory = '{root._spill}'")
        limit = self._con.con.sql("SELECT current_setting('memory_limit')").fetchall()[0][0]
        self._con.con.execute(f"SET memory_limit = '{DERIVED_BUILD_MEMORY_LIMIT}'")
        try:
            yield
        finally:
            self._con.con.execute(f"SET memory_limit = '{limit}'")

    def derived(self, spec: DerivedTable, *, key: str = "") -> ir.Table:
        """The derived table for the current load version (built on first use), filtered to
        this lake's scope like a lake table."""
        cache_key = f"derived:{spec.name}:{key}"
        if cache_key not in self._tables:
            info = self.materialize(spec, key=key)
            files = sorted(str(f) for f in info.path.rglob("*.parquet"))
            if not files:
                raise LakeError(f"derived table {spec.name} has no files in {info.path}")
            raw = self._register(f"derived_{spec.name}", files)
            self._tables[cache_key] = self._scoped(raw)
        return self._tables[cache_key]

    # --- running -----------------------------------------------------------------------

    def execute(self, expr: ir.Expr) -> Any:
        """Run an expression built on this lake's tables: a pandas DataFrame for a table, a
        Series for a column, a Python value for a scalar. More than `max_rows` rows raise
        RowLimitExceeded; a query running past `timeout_s` is interrupted (QueryTimeout)."""
        if isinstance(expr, ir.Table):
            result = self._run(expr.limit(self.max_rows + 1))
        elif isinstance(expr, ir.Column):
            name = expr.get_name()
            result = self._run(expr.as_table().limit(self.max_rows + 1))[name]
        else:
            return self._run(expr)
        if len(result) > self.max_rows:
            raise RowLimitExceeded(
                f"the query returns more than {self.max_rows:,} rows; aggregate further or "
                "ask for fewer"
            )
        return result

    def _run(self, expr: ir.Expr) -> Any:
        return self._guarded(lambda: self._con.execute(expr), self.timeout_s)

    def _guarded(self, work: Callable[[], Any], timeout_s: float) -> Any:
        state = {"running": True, "fired": False}
        lock = threading.Lock()
        group = f"clientdesk-{uuid.uuid4().hex}"

        def interrupt() -> None:
            with lock:
                if not state["running"]:
                    return
                state["fired"] = True
                if self.engine == "duckdb":
                    self._con.con.interrupt()
                else:
                    spark_session().sparkContext.cancelJobsWithTag(group)

        if self.engine == "spark":
            context = spark_session().sparkContext
            context.setInterruptOnCancel(True)
            context.addJobTag(group)
        timer = threading.Timer(timeout_s, interrupt)
        timer.daemon = True
        timer.start()
        try:
            return work()
        except Exception as error:
            if state["fired"]:
                raise QueryTimeout(
                    f"the query ran longer than {timeout_s:g} s and was stopped"
                ) from None
            raise LakeError(f"the query failed: {str(error).splitlines()[0]}") from error
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
            if self.engine == "spark":
                spark_session().sparkContext.removeJobTag(group)

    # --- lifetime ----------------------------------------------------------------------

    def close(self) -> None:
        """Drop this lake's table registrations (the Spark session itself stays up)."""
        if self._unscoped is not None:
            self._unscoped.close()
            self._unscoped = None
        if self.engine == "spark":
            catalog = spark_session().catalog
            for view in self._views:
                catalog.dropTempView(view)
        elif self._owner is None:
            self._con.disconnect()
        if self._spill is not None:
            shutil.rmtree(self._spill, ignore_errors=True)
            self._spill = None
        self._views.clear()
        self._tables.clear()

    def __enter__(self) -> Lake:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


# --- preparing derived tables after a load -------------------------------------------------

_preparers: dict[str, Callable[[Lake], list[str]]] = {}


def register_preparer(name: str, prepare: Callable[[Lake], list[str]]) -> None:
    """An app's way to build its derived tables right after a load (`prepare_derived`, run
    by `clientdesk ingest --prepare`), instead of on the first query. `prepare` gets an
    unscoped lake and returns the names of the tables it built."""
    _preparers[name] = prepare


def prepare_derived(*, engine: str | None = None) -> dict[str, list[str]]:
    """Build every registered app's derived tables for the lake's current load version;
    returns, per app, the tables built (none when they were current)."""
    with open_lake(Scope.all(), engine=engine, timeout_s=DERIVED_BUILD_TIMEOUT_S) as lake:
        return {name: prepare(lake) for name, prepare in sorted(_preparers.items())}


def open_lake(
    user_or_scope: AbstractBaseUser | AnonymousUser | Scope,
    *,
    engine: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Lake:
    """Open the lake for a user (scoped to the accounts they may see) or an explicit Scope."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else Scope.for_user(user_or_scope)
    return Lake(scope, engine or settings.ENGINE, max_rows, timeout_s)


__all__ = [
    "TABLE_NAMES",
    "DerivedInfo",
    "DerivedTable",
    "Lake",
    "LakeError",
    "QueryTimeout",
    "RowLimitExceeded",
    "Scope",
    "open_lake",
    "prepare_derived",
    "register_preparer",
    "spark_session",
]
