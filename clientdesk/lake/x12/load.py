"""`ingest_x12(paths, ...)`: read X12 files into the lake, one batch per file and table.

Each file is read once (`convert.convert`) into Parquet files of text in a work folder, then
each table's file goes through the lake's ordinary load (`ingestion.ingest_converted`): every
value checked with Tuva's severity, keys, sponsors, rejects and warnings files, one atomic,
idempotent batch named and fingerprinted by the X12 file. The acceptance report (999/TA1
style) is stored on every batch of the file and returned with its results.

835 remittances without a group (REF*1L) find their sponsor from the member's committed
eligibility (same member_id), as for claims without group_id; with none, the claim is
rejected with a reason that says to load the eligibility (or 834) first.

834 maintenance is applied across files. A record that names its span's start date loads as
a version of that span (the lake keeps each span's latest version: `staging.enrollment_spans`).
A termination, reinstatement or change that names no start (INS03/HD01 024, 025, 001 with
only an end or effective date) is applied here to the member's spans as loaded so far (the
committed spans and this file's own): it becomes a new version of each span it acts on, with
its end date or the member's new details. One that finds no span is counted against its
transaction set with its segment position. Within one file the last record of a span wins.
A transaction set with BGN08 RX (replace) or 4 (verify, audit) is a full file: it replaces
its sponsor's spans loaded before (`IngestBatch.full_file_groups`).

An 837 names the member, not the person: a claim line's person_id is the person of the
member's committed eligibility (an 834 carries it in REF*ABB, the person id), else the member
id, so claims join the eligibility and pharmacy loaded from other files.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.contrib.auth.models import User

from clientdesk.accounts.models import Account
from clientdesk.lake import storage
from clientdesk.lake.ingestion import (
    BatchResult,
    IngestError,
    Origin,
    StreamedRows,
    file_sha256,
    ingest_converted,
    ingest_streamed,
    other_csv_format,
)
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.schemas import get_table, sql_literal
from clientdesk.lake.staging import enrollment_spans
from clientdesk.lake.x12.convert import (
    ELIGIBILITY_COLUMNS,
    TABLE_COLUMNS,
    Conversion,
    finish,
    read,
)
from clientdesk.lake.x12.reader import X12FormatError, sniff

TABLE_ORDER = ("eligibility", "medical_claim", "claim_processing")


def describe_not_x12(path: Path, why: str) -> str:
    """A one-line error for a file that is not X12, naming what it looks like."""
    with path.open("rb") as handle:
        head = handle.read(65_536)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith((b"{", b"[")) and b'"resourceType"' in start:
        return f"{path.name}: FHIR JSON, not X12: load it with `clientdesk ingest fhir FILE`"
    if start.startswith(b"PAR1"):
        return f"{path.name}: a Parquet file, not X12: load it with `clientdesk ingest TABLE FILE`"
    first = start.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    columns = {c.strip().strip('"') for c in first.split(",")}
    other = other_csv_format(columns)
    if other:
        return f"{path.name}: {other}"
    if len(columns) > 2:
        return f"{path.name}: a CSV file, not X12: load it with `clientdesk ingest TABLE FILE`"
    return f"{path.name}: {why}"


def ingest_x12(
    paths: Sequence[str | os.PathLike[str]],
    *,
    acting_user: User | None,
    create_accounts: bool = False,
    replace: bool = False,
    data_source: str | None = None,
    test: bool = False,
) -> list[BatchResult]:
    """Load X12 834/835/837 files; see the module docstring. `test`: a test file (e.g. a
    sponsor's 834 for an eligibility test round): its batches keep their counts, rejects and
    acceptance report, and no lake reader ever reads their rows (`IngestBatch.test`)."""
    if not paths:
        raise IngestError("no files given")
    files = [Path(p) for p in paths]
    for path in files:
        if not path.is_file():
            raise IngestError(f"{path.name}: no such file")
        if path.stat().st_size == 0:
            raise IngestError(f"{path.name}: the file is empty")
        try:
            sniff(path)
        except X12FormatError as error:
            raise IngestError(describe_not_x12(path, str(error))) from None
    results: list[BatchResult] = []
    with storage.ingest_lock():
        storage.clean_orphans()
        for path in files:
            results.extend(
                _one_file(
                    path,
                    acting_user=acting_user,
                    create_accounts=create_accounts,
                    replace=replace,
                    data_source=data_source,
                    test=test,
                )
            )
    return results


def _one_file(
    path: Path,
    *,
    acting_user: User | None,
    create_accounts: bool,
    replace: bool,
    data_source: str | None,
    test: bool,
) -> list[BatchResult]:
    work = storage.lake_dir() / "_staging" / f"x12-{uuid.uuid4().hex}"
    pipeline: _Pipeline | None = None
    try:
        if path.stat().st_size >= STREAM_BYTES:
            persons = storage.committed_files(get_table("eligibility"))
            pipeline = _Pipeline(path, work, persons, create_accounts=create_accounts)
        try:
            conv = read(
                path,
                work,
                data_source=data_source,
                sinks={"medical_claim": pipeline.put} if pipeline is not None else None,
            )
        except X12FormatError as error:
            raise IngestError(f"{path.name}: {error}") from None
        finally:
            if pipeline is not None:
                pipeline.close()
        if pipeline is not None and _streamable(conv, pipeline.checksum, test=test):
            converted = finish(conv)
            origin = Origin(path, "x12", pipeline.checksum, converted.report)
            result = ingest_streamed(
                pipeline.streamed,
                origin,
                acting_user=acting_user,
                create_accounts=create_accounts,
                replace=replace,
                test=test,
            )
            return _said(path, converted.report, [result])
        if pipeline is not None:
            pipeline.unstream(conv)
        converted = finish(conv)
        report = converted.report
        if "eligibility_changes" in converted.tables or "eligibility" in converted.tables:
            _apply_to_earlier_spans(converted.tables, work, report)
        if "medical_claim" in converted.tables:
            _persons_from_eligibility(converted.tables["medical_claim"])
            if converted.superseded:
                report["reversed_lines_of_replaced_claims"] = _reverse_superseded(
                    converted.tables["medical_claim"], converted.superseded
                )
        if "claim_processing" in converted.tables:
            unresolved = _sponsors_from_eligibility(converted.tables["claim_processing"])
            report["remittances_without_eligibility"] = unresolved
        origin = Origin(path, "x12", pipeline.checksum if pipeline else file_sha256(path), report)
        results = [
            ingest_converted(
                table,
                converted.tables[table],
                origin,
                acting_user=acting_user,
                create_accounts=create_accounts,
                replace=replace,
                test=test,
            )
            for table in TABLE_ORDER
            if table in converted.tables
        ]
        if not results:
            kinds = ", ".join(sorted(report["transaction_types"])) or "none"
            message = (
                f"{path.name}: nothing to load into the lake (transaction sets: {kinds}; "
                f"{report['rejected']} rejected)"
            )
            if report.get("span_changes_unmatched"):
                message += (
                    f"; {report['span_changes_unmatched']} change(s) of spans loaded before "
                    "found no such span: load the earlier 834 (or the full file) first"
                )
            results.append(
                BatchResult(
                    table="",
                    source=path.name,
                    status="nothing_to_load",
                    batch_id=0,
                    message=message,
                    report=report,
                )
            )
        return _said(path, report, results)
    finally:
        if pipeline is not None:
            pipeline.streamed.close()
        shutil.rmtree(work, ignore_errors=True)


def _said(path: Path, report: dict[str, Any], results: list[BatchResult]) -> list[BatchResult]:
    """The results with the file's report and what the load did in their messages."""
    unresolved = int(report.get("remittances_without_eligibility") or 0)
    for result in results:
        result.report = report
        if result.table:  # one file feeds several tables: say which
            result.message = result.message.replace(
                f"{path.name}:", f"{path.name} -> {result.table}:", 1
            )
        result.message += _report_line(report)
        if result.table == "eligibility":
            result.message += _maintenance_line(report, test=result.test)
        if result.table == "claim_processing" and result.rows_loaded:
            # Decided: an 835 has no element for it, so its claims carry no flag (null)
            # and are left out of the auto-adjudication rate; the load says so.
            result.message += (
                f"; an 835 does not say whether a claim was auto-adjudicated, pended or "
                f"audited: its {result.rows_loaded:,} claim(s) have no auto-adjudication "
                "flag and are left out of that rate; measure it from the claims "
                "platform's claim_processing feed"
            )
        if unresolved and result.table == "claim_processing":
            result.message += (
                f"; {unresolved} remittance claim(s) found no eligibility for their member "
                "(no sponsor): load the 834 or eligibility first, then this file with --replace"
            )
    return results


# --- a big 837: read on one core, checked on the other ---------------------------------------

STREAM_BYTES = 64 * 1024 * 1024
"""A file at least this big has its claim lines checked while it is read (`_Pipeline`)."""
QUEUE_PARTS = 2  # parts read and not yet checked, at most (each `convert.SINK_ROWS` rows)


class _Pipeline:
    """The medical_claim rows of a big file, checked in a second thread while the reader
    (this thread) reads on: the reader hands each part (`convert.SINK_ROWS` rows) to `put`,
    a bounded queue holds at most `QUEUE_PARTS`, and the second thread checks them
    (`ingestion.StreamedRows`; DuckDB, Arrow and file writes, which release the GIL, and no
    database access) and keeps them as read in an Arrow file. When the file is read, the
    batch is judged and written as one (`ingest_streamed`) if the file is what the streamed
    load covers (`_streamable`: claim lines only, no claim frequency code to apply, not
    loaded before); otherwise the parts kept as read become the converted file and the
    file loads as any other (`unstream`). Either way the same rows load: reading and
    checking overlap, so the load takes about as long as the reading alone."""

    def __init__(
        self, path: Path, work: Path, eligibility: list[Path], *, create_accounts: bool
    ) -> None:
        self.path = path
        self.work = work
        self.eligibility = eligibility
        self.raw = work / "read"  # the parts as read, one Arrow file each
        self.raw.mkdir(parents=True)
        self.parts = 0
        self.streamed = StreamedRows(
            "medical_claim",
            work / "stream",
            TABLE_COLUMNS["medical_claim"],
            create_accounts=create_accounts,
        )
        self.queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=QUEUE_PARTS)
        self.error: BaseException | None = None
        self.checksum = ""
        self.thread = threading.Thread(target=self._run, name="x12-check", daemon=True)
        self.thread.start()

    def put(self, part: pa.Table) -> None:
        """The reader's sink: wait for room in the queue (stop when the checker failed)."""
        while True:
            if self.error is not None:
                raise IngestError(f"{self.path.name}: {self.error}")
            try:
                self.queue.put(part, timeout=0.2)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        try:
            self.checksum = file_sha256(self.path)
            persons = _person_map(self.eligibility)
            while (part := self.queue.get()) is not None:
                kept = self.raw / f"part-{self.parts:05d}.arrow"
                with pa.OSFile(str(kept), "wb") as sink, pa.ipc.new_file(sink, part.schema) as out:
                    out.write_table(part)
                self.parts += 1
                self.streamed.add(_with_persons(part, persons))
        except BaseException as error:  # the reader sees it at its next part, or in close
            self.error = error
            while self.queue.get() is not None:  # let the reader finish its puts
                pass

    def close(self) -> None:
        """Wait for the checker to finish the parts handed over; raise its error."""
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            error = self.error
            if isinstance(error, IngestError):
                raise error
            raise IngestError(f"{self.path.name}: {error}") from error

    def unstream(self, conv: Conversion) -> None:
        """Make the parts kept as read the converted medical_claim file (for `finish` and
        the ordinary load), every column of the table in order, as `convert` writes it."""
        self.streamed.close()
        writer = conv.writers.get("medical_claim")
        if writer is None or not writer.rows:
            return
        schema = pa.schema([pa.field(c, pa.string()) for c in TABLE_COLUMNS["medical_claim"]])
        with pq.ParquetWriter(writer.path, schema, compression="zstd") as out:
            for number in range(self.parts):
                kept = self.raw / f"part-{number:05d}.arrow"
                with pa.memory_map(str(kept)) as source:
                    part = pa.ipc.open_file(source).read_all()
                count = part.num_rows
                out.write_table(
                    pa.table(
                        [
                            part.column(c)
                            if c in part.column_names
                            else pa.nulls(count, pa.string())
                            for c in schema.names
                        ],
                        schema=schema,
                    ),
                    row_group_size=max(count, 1),
                )
                kept.unlink()


def _streamable(conv: Conversion, checksum: str, *, test: bool) -> bool:
    """Whether the rows checked as they were read load as they are: the file gave claim
    lines only, with no claim frequency code to apply (a replacement or void acts on the
    file as a whole: `convert._apply_frequency`), and is not loaded already (a reload says
    so, or replaces, the ordinary way)."""
    rows = {name: w.rows for name, w in conv.writers.items() if w.rows}
    if set(rows) != {"medical_claim"} or conv.adjustments:
        return False
    return not IngestBatch.objects.filter(
        checksum=checksum, status=BatchStatus.COMMITTED, test=test
    ).exists()


def _person_map(eligibility: list[Path]) -> pa.Table | None:
    """member_id -> person_id of the committed eligibility (`_persons_from_eligibility`)."""
    if len(eligibility) <= 1:  # the schema file alone: no eligibility loaded
        return None
    listed = ", ".join(sql_literal(str(f)) for f in eligibility)
    con = duckdb.connect()
    try:
        return con.sql(
            f"SELECT member_id, arg_max(person_id, enrollment_start_date) AS person_id "  # noqa: S608  # our own paths
            f"FROM read_parquet([{listed}]) WHERE member_id IS NOT NULL GROUP BY member_id"
        ).to_arrow_table()
    finally:
        con.close()


def _with_persons(part: pa.Table, persons: pa.Table | None) -> pa.Table:
    """A part's person_id set to the person of the member's eligibility, when it has one."""
    if persons is None or not persons.num_rows:
        return part
    at = part.schema.get_field_index("person_id")
    found = pc.index_in(part.column("member_id"), value_set=persons.column("member_id"))
    person = pc.take(persons.column("person_id").cast(pa.string()), found)
    return part.set_column(at, "person_id", pc.coalesce(person, part.column(at)))


# The member details a change carries over the span's (when the 834 gives them).
_DETAILS = (
    "subscriber_id",
    "gender",
    "birth_date",
    "subscriber_relation",
    "first_name",
    "last_name",
    "address",
    "city",
    "state",
    "zip_code",
)
# What identifies a span within one data source (the lake's key adds the account).
_SPAN = ("data_source", "member_id", "payer", "plan", "enrollment_start_date")
OPEN_END = "9999-12-31"


def _apply_to_earlier_spans(tables: dict[str, Path], work: Path, report: dict[str, Any]) -> None:
    """Turn the 834 records that act on spans without naming their start (`tables
    ["eligibility_changes"]`) into versions of those spans, and keep the last record of each
    span within the file; rewrites `tables["eligibility"]` (see the module docstring).

    What each change does to the spans it matches (same data_source and member_id; same plan
    when an HD named it, else every plan of the member), per plan the latest-starting span:
    - terminate (date D): the span in force on D (start <= D, end open or >= D) ends on D;
    - reinstate: the most recently ended span(s) run open again (or to the end it gives);
    - change: the span (in force on the effective date, when given) takes the new details.
    """
    columns = list(ELIGIBILITY_COLUMNS)
    text = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in columns)
    ibis_con = ibis.duckdb.connect()
    con = ibis_con.con
    try:
        if "eligibility" in tables:
            source = sql_literal(str(tables["eligibility"]))
            con.execute(f"CREATE TABLE own AS SELECT {text} FROM read_parquet({source})")  # noqa: S608
        else:
            listed = ", ".join(f"NULL::VARCHAR AS {quote(c)}" for c in columns)
            con.execute(f"CREATE TABLE own AS SELECT {listed} LIMIT 0")
        matched = 0
        unmatched: list[int] = []
        if "eligibility_changes" in tables:
            changes = sql_literal(str(tables["eligibility_changes"]))
            con.execute(
                f"""CREATE TABLE chg AS SELECT row_number() OVER () AS cid, {text},
                      change_action, change_date, plan_given
                    FROM read_parquet({changes})"""  # noqa: S608  # our own path and names
            )
            lake_columns = {c.name for c in get_table("eligibility").columns}
            committed = ibis_con.read_parquet(
                [str(f) for f in storage.committed_files(get_table("eligibility"))],
                union_by_name=True,
            )
            spans = enrollment_spans(committed, storage.full_file_groups())
            spans = spans.select(
                **{
                    c: (spans[c].cast("string") if c in lake_columns else ibis.null("string"))
                    for c in columns
                }
            )
            ibis_con.create_table("committed", spans)
            same = " AND ".join(f"o.{c} IS NOT DISTINCT FROM s.{c}" for c in _SPAN)
            con.execute(
                f"""
                CREATE TABLE cand AS
                SELECT * FROM own
                UNION ALL
                SELECT * FROM committed s
                WHERE NOT EXISTS (SELECT 1 FROM own o WHERE {same})
                """  # noqa: S608  # our own names
            )
            details = ", ".join(
                f"coalesce(c.{quote(d)}, s.{quote(d)}) AS {quote(d)}" for d in _DETAILS
            )
            kept = ", ".join(
                f"s.{quote(c)}" for c in columns if c not in _DETAILS and c not in (
                    "enrollment_end_date", "file_date", "x12_position")
            )  # fmt: skip
            con.execute(
                f"""
                CREATE TABLE pairs AS
                WITH m AS (
                  SELECT c.cid, c.change_action AS action, c.change_date AS d,
                         c.enrollment_end_date AS given_end, c.file_date AS c_file_date,
                         c.x12_position AS c_position, {details}, {kept},
                         s.enrollment_end_date AS s_end,
                         coalesce(s.enrollment_end_date, '{OPEN_END}') AS s_until
                  FROM chg c JOIN cand s
                    ON s.data_source = c.data_source AND s.member_id = c.member_id
                   AND (c.plan_given = '0' OR s.plan IS NOT DISTINCT FROM c.plan)
                ),
                eligible AS (
                  SELECT * FROM m WHERE
                    (action = 'terminate' AND enrollment_start_date <= d AND s_until >= d)
                    OR (action = 'change' AND (d IS NULL OR s_until >= d))
                    OR action = 'reinstate'
                ),
                latest AS (
                  SELECT * FROM eligible
                  QUALIFY enrollment_start_date = max(enrollment_start_date)
                          OVER (PARTITION BY cid, plan)
                ),
                chosen AS (
                  SELECT * FROM latest
                  QUALIFY action <> 'reinstate'
                       OR s_until = coalesce(
                            max(CASE WHEN s_until < '{OPEN_END}' THEN s_until END)
                              OVER (PARTITION BY cid),
                            s_until)
                )
                SELECT *, CASE action WHEN 'terminate' THEN d
                                      WHEN 'reinstate' THEN coalesce(given_end, '{OPEN_END}')
                                      ELSE s_end END AS new_end
                FROM chosen
                """  # noqa: S608  # our own names
            )
            picked = ", ".join(
                "new_end AS enrollment_end_date"
                if c == "enrollment_end_date"
                else "c_file_date AS file_date"
                if c == "file_date"
                else "c_position AS x12_position"
                if c == "x12_position"
                else quote(c)
                for c in columns
            )
            con.execute(f"INSERT INTO own SELECT {picked} FROM pairs")  # noqa: S608
            row = con.execute("SELECT count(DISTINCT cid) FROM pairs").fetchone()
            matched = int(row[0]) if row else 0
            unmatched = [
                int(r[0])
                for r in con.execute(
                    "SELECT CAST(x12_position AS BIGINT) FROM chg "
                    "WHERE cid NOT IN (SELECT cid FROM pairs) ORDER BY 1"
                ).fetchall()
            ]
        key = ", ".join(quote(c) for c in _SPAN)
        listed = ", ".join(quote(c) for c in columns)
        out = work / "eligibility.applied.parquet"
        con.execute(
            f"""COPY (SELECT {listed} FROM own
                      QUALIFY row_number() OVER (PARTITION BY {key}
                              ORDER BY CAST(x12_position AS BIGINT) DESC) = 1
                      ORDER BY CAST(x12_position AS BIGINT))
                TO {sql_literal(str(out))} (FORMAT parquet)"""  # noqa: S608  # our own names
        )
        row = con.execute(f"SELECT count(*) FROM read_parquet({sql_literal(str(out))})").fetchone()  # noqa: S608
        rows = int(row[0]) if row else 0
    finally:
        ibis_con.disconnect()
    tables.pop("eligibility_changes", None)
    if rows:
        tables["eligibility"] = out
    else:
        tables.pop("eligibility", None)
    report["span_changes_applied"] = matched
    report["span_changes_unmatched"] = len(unmatched)
    _count_unmatched(report, unmatched)


def _count_unmatched(report: dict[str, Any], positions: list[int]) -> None:
    """Count each change that found no span against its transaction set, at its position."""
    if not positions:
        return
    sets = report.get("transaction_sets", [])
    for position in positions:
        for entry in sets:
            start = int(entry["position"])
            if start <= position < start + int(entry["segments"]):
                entry["rejected_records"] = int(entry["rejected_records"]) + 1
                entry["findings"].append(
                    {
                        "position": position,
                        "severity": "warning",
                        "message": "a termination, reinstatement or change of coverage that "
                        "names no start date found no span loaded before for this member: "
                        "load the earlier 834 (or the full file) first",
                    }
                )
                if entry["status"] == "accepted":
                    entry["status"] = "accepted with errors"
                break
    statuses = [e["status"] for e in sets]
    report["accepted"] = statuses.count("accepted")
    report["accepted_with_errors"] = statuses.count("accepted with errors")
    report["rejected_records"] = int(report.get("rejected_records") or 0) + len(positions)


def _maintenance_line(report: dict[str, Any], *, test: bool) -> str:
    """What the 834 did to spans loaded before (empty when nothing); a test file's changes
    are only checked against them."""
    parts = []
    applied = int(report.get("span_changes_applied") or 0)
    unmatched = int(report.get("span_changes_unmatched") or 0)
    if applied or unmatched:
        parts.append(
            f"{applied} termination(s), reinstatement(s) or change(s) "
            f"{'found their' if test else 'applied to'} spans loaded before"
            + (f", {unmatched} found no span (see the acceptance report)" if unmatched else "")
        )
    groups = report.get("full_file_groups") or []
    if groups and not test:
        parts.append(
            f"a full file for group(s) {', '.join(groups)}: it replaces their spans loaded "
            "from earlier files"
        )
    return "".join(f"; {p}" for p in parts)


def _report_line(report: dict[str, Any]) -> str:
    return (
        f" [X12: {report['transactions']} transaction set(s): {report['accepted']} accepted, "
        f"{report['accepted_with_errors']} accepted with errors, {report['rejected']} rejected; "
        f"{report['records']} record(s) read, {report['rejected_records']} not loaded]"
    )


def _reverse_superseded(parquet: Path, claim_ids: list[str]) -> int:
    """Append to the converted claim lines a reversal of every committed line of the claims a
    replacement in this file supersedes under another claim id (the line's latest version,
    amounts negative), so final action drops them; returns how many lines."""
    files = storage.committed_files(get_table("medical_claim"))
    listed = ", ".join(sql_literal(str(f)) for f in files)
    con = duckdb.connect()
    try:
        source = sql_literal(str(parquet))
        describe = "DESCRIBE SELECT * FROM read_parquet"
        columns = [r[0] for r in con.execute(f"{describe}({source})").fetchall()]
        committed = {
            r[0] for r in con.execute(f"{describe}([{listed}], union_by_name = true)").fetchall()
        }
        money = ("paid_amount", "allowed_amount", "charge_amount")

        def pick(column: str) -> str:
            if column not in committed:
                return f"NULL::VARCHAR AS {quote(column)}"
            if column in money:
                return f"CAST(-abs({quote(column)}) AS VARCHAR) AS {quote(column)}"
            return f"CAST({quote(column)} AS VARCHAR) AS {quote(column)}"

        con.execute(
            f"""
            CREATE TABLE reversed AS
            WITH lines AS (
              SELECT *, row_number() OVER (
                PARTITION BY claim_id, claim_line_number, data_source
                ORDER BY file_date DESC NULLS LAST, ingest_datetime DESC, batch_id DESC) AS _n
              FROM read_parquet([{listed}], union_by_name = true)
              WHERE claim_id IN (SELECT unnest(?::VARCHAR[]))
            )
            SELECT {", ".join(pick(c) for c in columns if c != "x12_position")},
                   '0' AS x12_position
            FROM lines WHERE _n = 1 AND coalesce(paid_amount, 0) >= 0
            """,  # noqa: S608  # our own paths and quoted names
            [claim_ids],
        )
        count = con.execute("SELECT count(*) FROM reversed").fetchone()
        listed_columns = ", ".join(quote(c) for c in columns)
        tmp = parquet.with_suffix(".reversed.parquet")
        con.execute(
            f"COPY (SELECT {listed_columns} FROM read_parquet({source}) UNION ALL "  # noqa: S608
            f"SELECT {listed_columns} FROM reversed) TO {sql_literal(str(tmp))} (FORMAT parquet)"
        )
        tmp.replace(parquet)
        return int(count[0]) if count else 0
    finally:
        con.close()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _persons_from_eligibility(parquet: Path) -> None:
    """Set person_id of claim lines to the person of the member's committed eligibility
    (the file is rewritten only when a line's person changes)."""
    files = storage.committed_files(get_table("eligibility"))
    if len(files) <= 1:  # the schema file alone: no eligibility loaded
        return
    listed = ", ".join(sql_literal(str(f)) for f in files)
    con = duckdb.connect()
    try:
        source = sql_literal(str(parquet))
        con.execute(
            f"""
            CREATE TEMP TABLE person AS
            SELECT member_id, arg_max(person_id, enrollment_start_date) AS person_id
            FROM read_parquet([{listed}], union_by_name = true) GROUP BY member_id
            """  # noqa: S608  # our own paths
        )
        changed = con.execute(
            f"SELECT count(*) FROM read_parquet({source}) r JOIN person p "  # noqa: S608
            "ON p.member_id = r.member_id WHERE p.person_id IS DISTINCT FROM r.person_id"
        ).fetchone()
        if not changed or not changed[0]:
            return
        tmp = parquet.with_suffix(".persons.parquet")
        con.execute(
            f"""
            COPY (
              SELECT r.* REPLACE (coalesce(p.person_id, r.person_id) AS person_id)
              FROM read_parquet({source}) r LEFT JOIN person p ON p.member_id = r.member_id
              ORDER BY CAST(r.x12_position AS BIGINT), TRY_CAST(r.claim_line_number AS BIGINT)
            ) TO {sql_literal(str(tmp))} (FORMAT parquet)
            """  # noqa: S608  # our own paths
        )
        tmp.replace(parquet)
    finally:
        con.close()


def _sponsors_from_eligibility(parquet: Path) -> int:
    """Fill group_id of remittance rows from the sponsor of the member's committed
    eligibility (the latest span's account); returns how many rows found none."""
    files = storage.committed_files(get_table("eligibility"))
    groups = dict(Account.objects.values_list("id", "group_number"))
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE acct (account_id BIGINT, group_number VARCHAR)")
        if groups:
            con.executemany("INSERT INTO acct VALUES (?, ?)", list(groups.items()))
        listed = ", ".join(sql_literal(str(f)) for f in files)
        con.execute(
            f"""
            CREATE TABLE pick AS
            SELECT member_id, arg_max(account_id, enrollment_start_date) AS account_id
            FROM read_parquet([{listed}], union_by_name = true) GROUP BY member_id
            """  # noqa: S608  # our own paths
        )
        source = sql_literal(str(parquet))
        tmp = parquet.with_suffix(".groups.parquet")
        con.execute(
            f"""
            COPY (
              SELECT r.* REPLACE (coalesce(r.group_id, a.group_number) AS group_id)
              FROM read_parquet({source}) r
              LEFT JOIN pick p ON p.member_id = r.member_id
              LEFT JOIN acct a ON a.account_id = p.account_id
              ORDER BY CAST(r.x12_position AS BIGINT)
            ) TO {sql_literal(str(tmp))} (FORMAT parquet)
            """  # noqa: S608  # our own paths
        )
        unresolved = "SELECT count(*) FILTER (WHERE group_id IS NULL) FROM read_parquet"
        row = con.execute(f"{unresolved}({sql_literal(str(tmp))})").fetchone()
        tmp.replace(parquet)
        return int(row[0]) if row else 0
    finally:
        con.close()


__all__ = ["describe_not_x12", "ingest_x12"]
