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
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterable
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

    def __init__(self, scope: Scope, engine: str, max_rows: int, timeout_s: float) -> None:
        if engine not in ENGINES:
            raise LakeError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.scope = scope
        self.engine = engine
        self.max_rows = max_rows
        self.timeout_s = timeout_s
        self._tables: dict[str, ir.Table] = {}
        self._views: list[str] = []
        self._suffix = uuid.uuid4().hex[:12]
        if engine == "duckdb":
            self._con: Any = ibis.duckdb.connect()
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
            view = f"lake_{name}_{self._suffix}"
            if self.engine == "duckdb":
                raw = self._con.read_parquet(files, table_name=view)
            else:
                # ibis's PySpark read_parquet takes one path; this is the same registration
                # (a temporary view) over the list of committed files.
                spark_session().read.parquet(*files).createOrReplaceTempView(view)
                raw = self._con.table(view)
            self._views.append(view)
            self._tables[name] = self._scoped(raw)
        return self._tables[name]

    def _scoped(self, table: ir.Table) -> ir.Table:
        ids = self.scope.account_ids
        if ids is None:
            return table
        if not ids:
            return table.filter(ibis.literal(False))
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
        timer = threading.Timer(self.timeout_s, interrupt)
        timer.daemon = True
        timer.start()
        try:
            return self._con.execute(expr)
        except Exception as error:
            if state["fired"]:
                raise QueryTimeout(
                    f"the query ran longer than {self.timeout_s:g} s and was stopped"
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
        if self.engine == "spark":
            catalog = spark_session().catalog
            for view in self._views:
                catalog.dropTempView(view)
        else:
            self._con.disconnect()
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
    "Lake",
    "LakeError",
    "QueryTimeout",
    "RowLimitExceeded",
    "Scope",
    "open_lake",
    "spark_session",
]
