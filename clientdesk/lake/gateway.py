"""The analytics gateway: the only way to read the lake, and it takes the reader.

    with open_lake(request.user) as lake:               # the accounts this person may see
        claims = lake.medical_claim                     # an Ibis table expression
        by_month = claims.group_by(...).aggregate(...)  # build any Ibis expression on it
        frame = lake.execute(by_month)                  # bounded in rows and time

    with open_lake(request.user, accounts=[acme.pk]) as lake: ...   # narrowed to one account
    with open_lake(SystemActor("guarantee evaluation")) as lake: ...  # a job: every account

**Who reads.** `open_lake` takes the reader, never a scope: a user, whose rows are the
accounts the accounts app's one access rule gives them (`visible_account_ids`), narrowed to
`accounts=` when given (never widened); or a `SystemActor`, a named job (the CLI, the clock,
a batch, a derived-table build) that reads every account or `accounts=`. There is no way for
a view to ask for "every account": it holds a user, and a user's lake is their scope. Jobs
that only a system may run take a `SystemActor` and refuse a user (`require_system`);
functions on a person's path take a user and refuse a SystemActor (`require_person`).

**Book-wide figures for a person** (the book an account is compared with, the billed dollars
of a book-level problem) come from an *aggregate read*: `open_aggregates(reader, purpose=...)`
opens a lake over every account whose `execute` is refused; it answers `aggregate(...)`
(Ibis scalar pairs: a figure and the distinct members it is over) or `aggregate_with(...)` (a
function of a lake that returns `lib.small_cells.Aggregate`s), and returns only cells, never
rows: a cell of 1 to 10 members comes back suppressed (value and count withheld, not rounded),
a cell of 11 or more exactly (`clientdesk.lib.small_cells`).

`open_lake` opens the engine (`settings.ENGINE` or `engine=`: DuckDB embedded in-process, or
Spark in local mode with one SparkSession per process), registers every lake table over the
Parquet files of committed batches only, and filters each table to the reader's accounts.
Tables are registered with `read_parquet` on both engines; the Ibis expressions built on them
run the same on either.

`execute` adds a row limit (more than `max_rows` rows raise `RowLimitExceeded` rather than
being cut silently) and a time limit (`QueryTimeout`, the query is interrupted).

**Derived tables** (`Lake.derived(DerivedTable(...))`): an Ibis expression over the lake
materialised once per load version as Parquet under `LAKE_DIR/_derived/<name>/<version>/`,
then read like a lake table (scoped the same way). The version digests the committed batches
of the tables it reads, its revision, the engine and a caller's key, so a reload makes it
stale and the next read rebuilds it. It is built by the system (`DERIVED_BUILD`, over every
account, never a reader's scope; the build's rows go to disk, not to the reader), sorted (by
account first) so an account's rows are a small read, written to a temporary folder and
renamed into place: a crash never leaves half a derived table. A version built while none of
its sources had a committed batch is the same table in every lake: a process builds it once and
copies its file into any other empty lake (the first pages of a new lake, and the tests).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import sqlglot as sg
import sqlglot.expressions as sge
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from ibis.backends.duckdb import Backend as IbisDuckDB
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler
from ibis.backends.sql.datatypes import DuckDBType

from clientdesk.accounts.access import visible_account_ids
from clientdesk.lake import storage
from clientdesk.lake.schemas import TABLE_NAMES, get_table
from clientdesk.lake.sql_shapes import ShapeCache
from clientdesk.lake.staging import enrollment_spans
from clientdesk.lib.small_cells import Aggregate, Cell, suppress_all

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
class SystemActor:
    """A job that reads the lake on no person's behalf, named for what it is:
    `SystemActor("guarantee evaluation")`, `SystemActor("clientdesk utilization CLI")`.
    It reads every account (or the `accounts=` it asks for). Never built from a request."""

    job: str

    def __post_init__(self) -> None:
        if not isinstance(self.job, str) or not self.job.strip():
            raise ValueError("a system actor is named for its job")

    def __str__(self) -> str:
        return f"system: {self.job}"


AnyUser = AbstractBaseUser | AnonymousUser
Reader = AnyUser | SystemActor
"""Who reads the lake: a person (their scope) or a named system job."""

DERIVED_BUILD = SystemActor("derived-table build")


def require_system(reader: object, job: str) -> SystemActor:
    """The reader of a system-only job (every account), or TypeError: a user is refused."""
    if not isinstance(reader, SystemActor):
        raise TypeError(f"{job} is a system job: it reads as a SystemActor, not as {reader!r}")
    return reader


def require_person(reader: object) -> AnyUser:
    """The user a person's read is for, or TypeError: a SystemActor is refused."""
    if isinstance(reader, SystemActor) or not hasattr(reader, "is_authenticated"):
        raise TypeError(f"a person's read takes the requesting user, not {reader!r}")
    return cast(AnyUser, reader)  # duck-typed CLI principals carry the same API


def _label(reader: Reader) -> str:
    if isinstance(reader, SystemActor):
        return str(reader)
    return f"user {reader.get_username() or 'anonymous'}"


@dataclass(frozen=True)
class Scope:
    """Which accounts' rows a lake holds (`account_ids` None: every account) and for whom.
    Made by the gateway from the reader; callers read `lake.scope`, never build one."""

    account_ids: tuple[int, ...] | None
    label: str

    @classmethod
    def _of(cls, reader: Reader, accounts: Iterable[Account | int] | None) -> Scope:
        narrow = None if accounts is None else {a if isinstance(a, int) else a.pk for a in accounts}
        if isinstance(reader, SystemActor):
            ids = narrow
            label = _label(reader)
        else:
            person = require_person(reader)
            visible = visible_account_ids(person)  # the accounts app's one access rule
            if visible is None:
                ids = narrow
            elif narrow is None:
                ids = set(visible)
            else:
                ids = set(visible) & narrow  # narrowing never widens a person's scope
            label = _label(person)
        if ids is None:
            return cls(None, f"{label}: all accounts")
        return cls(tuple(sorted(ids)), f"{label}: {len(ids)} accounts")

    @property
    def every_account(self) -> bool:
        return self.account_ids is None


@dataclass(frozen=True)
class DerivedTable:
    """A table computed from the lake and kept until the data it reads is reloaded.

    `build` gets a Lake over every account (read by `DERIVED_BUILD`, same engine and
    connection) and returns the
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
    warehouse under DATA_DIR, UTC session time zone, the JVM options of SPARK_JAVA_OPTIONS.
    Started on first use (about 8 s)."""
    global _spark  # one session per process is the point
    with _spark_lock:
        if _spark is None:
            os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
            # Spark's Python workers run this interpreter (the virtualenv's, with its
            # libraries), not whichever `python3` the PATH finds first (it did).
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            from pyspark.sql import SparkSession

            warehouse = Path(settings.DATA_DIR) / "spark-warehouse"
            warehouse.mkdir(parents=True, exist_ok=True)
            builder = SparkSession.builder
            if settings.SPARK_JAVA_OPTIONS:  # read when the JVM starts, so only here
                builder = builder.config(
                    "spark.driver.extraJavaOptions", settings.SPARK_JAVA_OPTIONS
                )
            _spark = (
                builder.master("local[2]")
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


# (mypy sees the Ibis classes below as Any: hence their `type: ignore[misc]`)
class _DuckDBTypes(DuckDBType):  # type: ignore[misc]
    @classmethod
    @functools.cache
    def from_string(cls, text: str, nullable: bool | None = None) -> dt.DataType:
        """A DuckDB type name as an Ibis type, parsed (by sqlglot, 0.2 ms) once a process:
        Ibis parses every column's type each time a table is registered (47 of the 51 ms
        of opening medical_claim, eligibility and pharmacy claims). Types are immutable."""
        return super().from_string(text, nullable)


class _DuckDBCompiler(DuckDBCompiler):  # type: ignore[misc]
    type_mapper = _DuckDBTypes


_SQL_SHAPES = ShapeCache("duckdb")


class _DuckDB(IbisDuckDB):  # type: ignore[misc]
    """Ibis's DuckDB backend, its table registrations' type names parsed once a process and
    its queries compiled once a shape (`sql_shapes`: the same marts on every page, over each
    lake's own views)."""

    compiler = _DuckDBCompiler()

    def compile(
        self,
        expr: ir.Expr,
        /,
        *,
        limit: int | str | None = None,
        params: Mapping[ir.Expr, Any] | None = None,
        pretty: bool = False,
    ) -> str:
        def by_ibis(query: ir.Expr) -> str:
            return cast(
                str, super(_DuckDB, self).compile(query, limit=limit, params=params, pretty=pretty)
            )

        return _SQL_SHAPES.compile(
            expr, by_ibis, limit=limit, has_params=bool(params), pretty=pretty
        )


_duckdb_lock = threading.Lock()
_duckdb: tuple[int, duckdb.DuckDBPyConnection] | None = None  # (pid, the process's database)


def _duckdb_connection(*, own_database: bool = False) -> Any:
    """An Ibis DuckDB backend on a connection of its own, in UTC.

    A reader's lake gets a new connection to the process's one in-memory database (about
    1 ms; a database of its own took 13-14 ms, on every page that reads the lake). DuckDB
    keeps what a connection makes apart from the others: its temporary views (the lake's
    tables) and tables (Ibis caches), its session settings (the time zone), its queries (an
    interrupt stops that connection's alone). A derived-table build gets a database of its
    own: its memory cap and spill folder are settings of the whole database. A process forked
    after its parent opened the database (a server's workers) opens its own."""
    global _duckdb  # one database per process is the point
    if own_database:
        con = _DuckDB().connect()
    else:
        with _duckdb_lock:
            if _duckdb is None or _duckdb[0] != os.getpid():
                _duckdb = (os.getpid(), duckdb.connect())
            connection = _duckdb[1].cursor()
        con = _DuckDB.from_connection(connection)
    con.raw_sql("SET TimeZone = 'UTC'")
    return con


# version -> the Parquet file of a derived table built with no committed batch in its sources
# (a new lake's, every test's): the same bytes in every lake of the process, so built once.
_empty_builds: dict[str, bytes] = {}

READ = "read"  # a reader's lake: rows of their scope
AGGREGATE = "aggregate"  # every account, answering suppressed cells only
AGGREGATE_SOURCE = "aggregate source"  # inside an aggregate read: never leaves the gateway
BUILD = "derived build"  # inside a derived-table build: its rows go to disk


class Lake:
    """The lake tables as Ibis expressions, for one reader. Use `open_lake` (rows in the
    reader's scope) or `open_aggregates` (book-wide cells, suppressed under 11 members)."""

    def __init__(
        self,
        scope: Scope,
        engine: str,
        max_rows: int,
        timeout_s: float,
        *,
        reader: Reader,
        kind: str = READ,
        purpose: str = "",
        _shared_with: Lake | None = None,
    ) -> None:
        if engine not in ENGINES:
            raise LakeError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.scope = scope
        self.reader = reader
        self.kind = kind
        self.purpose = purpose
        self.engine = engine
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self._tables: dict[str, ir.Table] = {}
        self._views: list[str] = []
        self._suffix = uuid.uuid4().hex[:12]
        self._twins: dict[str, Lake] = {}
        self._owner = _shared_with
        self._spill: Path | None = None  # DuckDB's spill folder while building derived tables
        if _shared_with is not None:
            self._con: Any = _shared_with._con
        elif engine == "duckdb":
            self._con = _duckdb_connection(own_database=kind == BUILD)
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
            self._tables[name] = self._register(f"lake_{name}", files)
        return self._tables[name]

    def _register(self, prefix: str, files: list[str]) -> ir.Table:
        """The Parquet `files` as a temporary view of this lake's that holds its scope's rows
        only. The scope's filter is inside the view, not in the Ibis expression: nothing built
        on the table can reach past it, and a query is the same shape whichever accounts its
        lake holds (its SQL compiled once a process, `sql_shapes`)."""
        view = f"{prefix}_{self._suffix}"
        condition = self._scope_condition()
        if self.engine == "duckdb":
            # By column name: a batch written before a column joined the table reads it as
            # null. A temporary view: the connection's own, dropped with it. (Written here, not
            # by Ibis's read_parquet: opening a lake with three tables took 30 ms CPU, now 20.)
            rows = sg.select(sge.Star()).from_(
                sge.Anonymous(
                    this="read_parquet",
                    expressions=[
                        sge.convert(files),
                        sg.to_identifier("union_by_name").eq(sge.true()),
                    ],
                )
            )
            if condition is not None:
                rows = rows.where(condition, dialect="duckdb")
            create = sge.Create(
                this=sg.to_identifier(view, quoted=True),
                kind="VIEW",
                expression=rows,
                properties=sge.Properties(expressions=[sge.TemporaryProperty()]),
            )
            self._con.raw_sql(create.sql(dialect="duckdb"))
            table = self._con.table(view)
        else:
            # ibis's PySpark read_parquet takes one path; this is the same registration
            # (a temporary view) over the list of files.
            frame = spark_session().read.option("mergeSchema", "true").parquet(*files)
            if condition is not None:
                frame = frame.where(condition)
            frame.createOrReplaceTempView(view)
            table = self._con.table(view)
        self._views.append(view)
        return table

    def _scope_condition(self) -> str | None:
        """The scope as a SQL condition on account_id (the same on DuckDB and Spark), or None
        for every account. Account ids are integers, written as such."""
        ids = self.scope.account_ids
        if ids is None:
            return None
        if not ids:
            return "false"
        if len(ids) == 1:
            # An equality is what Parquet min/max statistics prune row groups by.
            return f"account_id = {int(ids[0])}"
        return f"account_id IN ({', '.join(str(int(i)) for i in sorted(ids))})"

    @property
    def eligibility(self) -> ir.Table:
        """The enrollment spans as maintained (`staging.enrollment_spans`): each span's
        latest version, full files replacing their sponsors' earlier spans. The rows as each
        file delivered them are `table("eligibility")` (e.g. to count files)."""
        if "eligibility:spans" not in self._tables:
            raw = self.table("eligibility")
            # Within one file nothing is superseded: with one batch the rows are the spans
            # (the window over every span costs ~5x a plain read of 0.5 M spans).
            several = storage.committed_batch_count("eligibility") > 1
            self._tables["eligibility:spans"] = (
                enrollment_spans(raw, storage.full_file_groups()) if several else raw
            )
        return self._tables["eligibility:spans"]

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

    def _every_account(self, reader: Reader, kind: str) -> Lake:
        """The same lake over every account for the gateway's own use: the source of a
        derived-table build (its rows go to disk; on DuckDB a database of its own, whose
        memory cap and spill folder it sets) or of an aggregate read (only suppressed cells
        come out; the same connection). Never returned to a caller."""
        twin = self._twins.get(kind)
        if twin is None:
            own = kind == BUILD and self.engine == "duckdb"
            twin = Lake(
                Scope(None, f"{reader}: all accounts ({kind})"),
                self.engine,
                self.max_rows,
                self.timeout_s,
                reader=reader,
                kind=kind,
                purpose=self.purpose,
                _shared_with=None if own else self,
            )
            self._twins[kind] = twin
        return twin

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
            # With no committed batch in its sources a table's version names the same table in
            # every lake (the same build over the same schema files): built once a process.
            empty = self.engine == "duckdb" and not storage.has_committed_batch(spec.sources)
            try:
                if empty and version in _empty_builds:
                    partial.mkdir(parents=True)
                    (partial / "part-00000.parquet").write_bytes(_empty_builds[version])
                elif self.engine == "duckdb":
                    source = self._every_account(DERIVED_BUILD, BUILD)
                    expr = spec.build(source).order_by(list(spec.sort_by))
                    partial.mkdir(parents=True)
                    target = partial / "part-00000.parquet"
                    with source._build_memory():
                        source._guarded(
                            lambda: source._con.to_parquet(expr, target), DERIVED_BUILD_TIMEOUT_S
                        )
                    if empty:
                        _empty_builds[version] = target.read_bytes()
                else:
                    source = self._every_account(DERIVED_BUILD, BUILD)
                    expr = spec.build(source).order_by(list(spec.sort_by))
                    source._guarded(
                        lambda: source._con.to_parquet(expr, partial), DERIVED_BUILD_TIMEOUT_S
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
                            "empty": empty,
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
        LAKE_DIR/_derived/.spill/<lake> (removed when the lake closes). Both settings are the
        database's, not the connection's: a build lake has a database of its own."""
        if self._owner is not None or self.kind != BUILD:
            raise LakeError("a derived table is built on a build lake's own database")
        if self._spill is None:
            # One folder per database: DuckDB cannot switch it once it has spilled there.
            self._spill = storage.derived_dir() / ".spill" / self._suffix
            self._spill.mkdir(parents=True, exist_ok=True)
            self._con.con.execute(f"SET temp_directory = '{self._spill}'")
        self._con.con.execute(f"SET memory_limit = '{DERIVED_BUILD_MEMORY_LIMIT}'")
        try:
            yield
        finally:
            # Its default again (setting back the value it read, '18.8 GiB', gave 18.7).
            self._con.con.execute("RESET memory_limit")

    def derived(self, spec: DerivedTable, *, key: str = "") -> ir.Table:
        """The derived table for the current load version (built on first use), filtered to
        this lake's scope like a lake table."""
        cache_key = f"derived:{spec.name}:{key}"
        if cache_key not in self._tables:
            info = self.materialize(spec, key=key)
            files = sorted(str(f) for f in info.path.rglob("*.parquet"))
            if not files:
                raise LakeError(f"derived table {spec.name} has no files in {info.path}")
            self._tables[cache_key] = self._register(f"derived_{spec.name}", files)
        return self._tables[cache_key]

    # --- running -----------------------------------------------------------------------

    def execute(self, expr: ir.Expr) -> Any:
        """Run an expression built on this lake's tables: a pandas DataFrame for a table, a
        Series for a column, a Python value for a scalar. More than `max_rows` rows raise
        RowLimitExceeded; a query running past `timeout_s` is interrupted (QueryTimeout).
        An aggregate lake refuses: it answers `aggregate` and `aggregate_with` only."""
        if self.kind == AGGREGATE:
            raise LakeError(
                "an aggregate read returns cells, not rows: use aggregate() or aggregate_with()"
            )
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

    # --- aggregate reads ------------------------------------------------------------

    def aggregate(self, figures: Mapping[str, tuple[ir.Scalar, ir.Scalar]]) -> dict[str, Cell]:
        """Named figures, each an Ibis scalar and the scalar count of distinct members it is
        over (`(t.charge_amount.sum(), t.member_id.nunique())`), as suppressed cells: value
        and count withheld for 1 to 10 members, exact from 11 (`lib.small_cells`)."""
        out: dict[str, Aggregate] = {}
        for name, (value, members) in figures.items():
            if not isinstance(value, ir.Scalar) or not isinstance(members, ir.Scalar):
                raise LakeError(f"aggregate {name!r}: a figure is two scalars, not rows")
            out[name] = Aggregate(_number(self._run(value)), int(_number(self._run(members)) or 0))
        return suppress_all(out)

    def aggregate_with(self, compute: Callable[[Lake], Mapping[str, Aggregate]]) -> dict[str, Cell]:
        """Cells computed by `compute` (a function of a lake over every account that returns
        named `Aggregate`s: a number and the distinct members behind it), suppressed like
        `aggregate`. The lake `compute` gets never leaves this call; anything but Aggregates
        coming back (rows, frames, lists) is refused."""
        source = self._every_account(self.reader, AGGREGATE_SOURCE)
        answers = compute(source)
        if not isinstance(answers, Mapping):
            raise LakeError("an aggregate read returns named Aggregates, not rows")
        for name, answer in answers.items():
            if not isinstance(answer, Aggregate):
                raise LakeError(f"aggregate {name!r} is a {type(answer).__name__}, not a cell")
        return suppress_all(answers)

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
        for twin in self._twins.values():
            twin.close()
        self._twins.clear()
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
    by `clientdesk ingest --prepare`), instead of on the first query. `prepare` gets a
    system lake over every account and returns the names of the tables it built."""
    _preparers[name] = prepare


def prepare_derived(
    actor: SystemActor = DERIVED_BUILD, *, engine: str | None = None
) -> dict[str, list[str]]:
    """Build every registered app's derived tables for the lake's current load version;
    returns, per app, the tables built (none when they were current). A system job: a user
    is refused."""
    actor = require_system(actor, "preparing derived tables")
    with open_lake(actor, engine=engine, timeout_s=DERIVED_BUILD_TIMEOUT_S) as lake:
        return {name: prepare(lake) for name, prepare in sorted(_preparers.items())}


def open_lake(
    reader: Reader,
    *,
    accounts: Iterable[Account | int] | None = None,
    engine: str | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Lake:
    """The lake for a reader: a user gets the accounts they may see (narrowed to `accounts`
    when given, never widened); a SystemActor gets every account (or `accounts`)."""
    if isinstance(reader, Scope):
        raise TypeError("open_lake takes the reader (a user or a SystemActor), not a scope")
    scope = scope_of(reader, accounts)
    return Lake(scope, engine or settings.ENGINE, max_rows, timeout_s, reader=reader)


def load_engine(engine: str | None = None) -> None:
    """Load the engine's ibis backend without connecting (ibis finds it through an entry point
    on first use): for a server process before it forks its workers (clientdesk/web/warm.py)."""
    getattr(ibis, engine or settings.ENGINE)


def scope_of(reader: Reader, accounts: Iterable[Account | int] | None = None) -> Scope:
    """The scope `open_lake(reader, accounts=...)` reads (for cache keys and checks)."""
    if isinstance(reader, Scope):
        raise TypeError("scope_of takes the reader (a user or a SystemActor), not a scope")
    return Scope._of(reader, accounts)


def open_aggregates(
    reader: Reader,
    *,
    purpose: str,
    engine: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Lake:
    """An aggregate read over every account on a reader's behalf (what the book benchmark
    of a person's page is): `execute` is refused; `aggregate` and `aggregate_with` return
    cells of at least 11 members, smaller ones suppressed. `purpose` names the read."""
    if isinstance(reader, Scope):
        raise TypeError("open_aggregates takes the reader (a user or a SystemActor), not a scope")
    if not isinstance(reader, SystemActor):
        require_person(reader)
    if not purpose.strip():
        raise ValueError("an aggregate read says what it is for")
    scope = Scope(None, f"{_label(reader)}: aggregates of all accounts")
    return Lake(
        scope,
        engine or settings.ENGINE,
        DEFAULT_MAX_ROWS,
        timeout_s,
        reader=reader,
        kind=AGGREGATE,
        purpose=purpose,
    )


def _number(value: Any) -> int | Decimal | None:
    """An engine's scalar as an exact number: None for NULL/NaN, int for integers, Decimal
    (from its text) otherwise."""
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return None if value != value else Decimal(str(value))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | Decimal):
        return value
    raise LakeError(f"an aggregate is a number, not {type(value).__name__}")


__all__ = [
    "AGGREGATE",
    "AGGREGATE_SOURCE",
    "BUILD",
    "DERIVED_BUILD",
    "READ",
    "TABLE_NAMES",
    "AnyUser",
    "DerivedInfo",
    "DerivedTable",
    "Lake",
    "LakeError",
    "QueryTimeout",
    "Reader",
    "RowLimitExceeded",
    "Scope",
    "SystemActor",
    "open_aggregates",
    "open_lake",
    "prepare_derived",
    "register_preparer",
    "require_person",
    "require_system",
    "scope_of",
    "spark_session",
]
