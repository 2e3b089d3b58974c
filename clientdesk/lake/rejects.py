"""A batch's rejected rows as people may see them: reasons grouped, member identifiers masked.

A load writes each rejected row to the batch's rejects file (`storage.rejects_path`): its line,
the table's key columns and its reasons (`validation`, `ingestion._judge`), member identifiers
masked in both (`mask_sql`, `masked_reason`): the file, kept for a retention
(`retention.purge_rejects`) and readable by the service user only, holds none in clear. A
reason names its column and rule and, for most rules, ends with the value that broke it
(values of member columns are written `(masked)`). Here:

* `reason_group_sql`: the reason without its value, so a million rows rejected for the same
  rule are one line with a count. It is SQL (DuckDB), run over the verdicts at load time
  (`IngestBatch.rejected_reasons`) and over an older batch's rejects file.
* `rejected_rows`: the first rows of a rejects file for a page, member identifiers masked in
  the key columns and in the reasons (the duplicate-key reason repeats the key, the
  eligibility reason names the member id). Opening them is a member-data read: the caller
  records it (`do_record_rejects_view`); the file itself is an export
  (`do_record_rejects_download`).
* Who may: managers and admins (`can_review_loads`), the roles that see every account a file
  may hold and read the audit trail.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.lake.models import BatchStatus, IngestBatch
from clientdesk.lake.schemas import sql_literal
from clientdesk.lake.validation import MEMBER_VALUE_COLUMNS, REASON_SEPARATOR
from clientdesk.people.roles import Role, roles_of

REVIEWS_LOADS = frozenset({Role.ADMIN, Role.MANAGER})
ROWS_SHOWN = 200

DUPLICATE = "duplicate key: the same key came on an earlier line"
NO_SPONSOR = "group_id: no account has this sponsor group number"
NO_ELIGIBILITY = "group_id is empty and the member has no eligibility loaded to find its sponsor"


def reason_group_sql(reason: str) -> str:
    """SQL of a reason's group: the reason with the value it quotes taken out.

    `column: what: value` -> `column: what` (`what` may itself hold `expected X: one of ...`);
    the key, sponsor and eligibility reasons, which quote values mid-sentence, get fixed
    words; a reason quoting nothing (`column: required, empty`, a row check) is its own group.
    """
    generic = r"^([a-z_0-9]+: (expected [^:]*(: one of [^:]*)?|[^:]*)): .*$"
    return (
        f"CASE WHEN starts_with({reason}, 'duplicate key (') THEN {sql_literal(DUPLICATE)} "
        f"WHEN starts_with({reason}, 'group_id is empty and member_id ') "
        f"THEN {sql_literal(NO_ELIGIBILITY)} "
        f"WHEN regexp_matches({reason}, '^group_id .*: no account has this sponsor group') "
        f"THEN {sql_literal(NO_SPONSOR)} "
        f"ELSE regexp_replace({reason}, {sql_literal(generic)}, '\\1') END"
    )


def grouped_reasons_sql(source: str) -> str:
    """SELECT reason, rows over `source` (a table or table function with a `reasons` column,
    the reasons of one row joined by REASON_SEPARATOR), most rows first."""
    separator = sql_literal(REASON_SEPARATOR)
    return (
        f"SELECT {reason_group_sql('r')} AS reason, count(DISTINCT _n) AS rows FROM ("  # noqa: S608  # literals only
        f"SELECT _n, unnest(string_split(reasons, {separator})) AS r FROM ("
        f"SELECT row_number() OVER () AS _n, reasons FROM {source} WHERE reasons <> '')) "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    )


def grouped_reasons(con: duckdb.DuckDBPyConnection, source: str) -> list[dict[str, Any]]:
    """[{reason, rows}] of the rejected rows in `source` (see `grouped_reasons_sql`): how many
    rows each reason group rejected (a row with two reasons counts under both)."""
    return [
        {"reason": str(reason), "rows": int(rows)}
        for reason, rows in con.execute(grouped_reasons_sql(source)).fetchall()
    ]


def reasons_of_batch(batch: IngestBatch) -> list[dict[str, Any]]:
    """The batch's grouped reasons: as stored at load time, else read from its rejects file
    (a batch loaded before they were stored), else none."""
    if batch.rejected_reasons or not batch.rows_rejected:
        return list(batch.rejected_reasons)
    path = Path(batch.rejects_path) if batch.rejects_path else None
    if path is None or not path.is_file():
        return []
    con = duckdb.connect()
    try:
        source = f"read_csv({sql_literal(str(path))}, header = true, all_varchar = true)"
        return grouped_reasons(con, source)
    finally:
        con.close()


def mask(value: str) -> str:
    """`W12345678901` -> `W1•••••••••01`: enough to tell rows apart, not to identify."""
    if value in ("", "(masked)"):
        return value
    if len(value) <= 4:
        return "•" * len(value)
    return value[:2] + "•" * (len(value) - 4) + value[-2:]


def mask_sql(expression: str) -> str:
    """`mask` as a SQL expression (DuckDB), for the rejects file the load writes."""
    text = f"CAST({expression} AS VARCHAR)"
    return (
        f"CASE WHEN {text} IS NULL OR {text} IN ('', '(masked)') THEN {text} "
        f"WHEN length({text}) <= 4 THEN repeat('•', length({text})) "
        f"ELSE left({text}, 2) || repeat('•', length({text}) - 4) || right({text}, 2) END"
    )


_KEY_VALUE = re.compile(
    r"\b(" + "|".join(sorted(MEMBER_VALUE_COLUMNS)) + r")=([^,)]*)",
)
_MEMBER_NAMED = re.compile(r"\bmember_id (.+?) has no eligibility")


def masked_reason(reason: str) -> str:
    """A reason with the member identifiers it quotes masked (the key of a duplicate, the
    member id of a claim with no eligibility); values of member columns that broke a rule
    are already written `(masked)` by the load."""
    reason = _KEY_VALUE.sub(lambda m: f"{m.group(1)}={mask(m.group(2))}", reason)
    return _MEMBER_NAMED.sub(lambda m: f"member_id {mask(m.group(1))} has no eligibility", reason)


@dataclass(frozen=True)
class RejectedRows:
    columns: list[str]  # line, the key columns, reasons
    rows: list[dict[str, str]]
    shown: int
    total: int  # rows in the file


def rejected_rows(batch: IngestBatch, *, limit: int = ROWS_SHOWN) -> RejectedRows | None:
    """The first `limit` rows of the batch's rejects file, member identifiers masked; None
    when the batch has no rejects file (none rejected, or erased after its retention)."""
    path = Path(batch.rejects_path) if batch.rejects_path else None
    if path is None or not path.is_file():
        return None
    rows: list[dict[str, str]] = []
    total = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        for record in reader:
            total += 1
            if len(rows) >= limit:
                continue
            shown = {}
            for name in columns:
                value = record.get(name) or ""
                if name in MEMBER_VALUE_COLUMNS:
                    value = mask(value)
                elif name == "reasons":
                    value = masked_reason(value)
                shown[name] = value
            rows.append(shown)
    return RejectedRows(columns, rows, len(rows), total)


@dataclass(frozen=True)
class RejectedClaims:
    """Claim lines of one sponsor that production loads rejected."""

    rows: int  # dated in the period asked about
    paid: Decimal  # what those rows paid, where their paid amount could be read
    undated: int  # the sponsor's rejected lines with no readable service date
    files: tuple[str, ...]  # the files they came in

    def __bool__(self) -> bool:
        return bool(self.rows or self.undated)


def rejected_claim_lines(
    account_id: int, group_number: str, first: dt.date, last: dt.date
) -> RejectedClaims:
    """The claim lines (medical and pharmacy) of an account that committed production loads
    rejected, dated `first`..`last` by service month (`IngestBatch.rejected_claims`): a line
    counts for the account its load found, or, when none was found, for the group number it
    named. Lines naming no sponsor at all cannot be placed and are not counted here."""
    months = (first.strftime("%Y-%m"), last.strftime("%Y-%m"))
    group = group_number.upper()
    rows = undated = 0
    paid = Decimal(0)
    files: list[str] = []
    for name, summary in IngestBatch.objects.filter(
        table__in=("medical_claim", "pharmacy_claim"),
        status=BatchStatus.COMMITTED,
        test=False,
        rows_rejected__gt=0,
    ).values_list("source_name", "rejected_claims"):
        found = False
        for entry in summary or []:
            mine = entry.get("account_id") == account_id or (
                entry.get("account_id") is None and (entry.get("group_id") or "") == group
            )
            if not mine:
                continue
            month = entry.get("month")
            if month is None:
                undated += int(entry["rows"])
                found = True
            elif months[0] <= month <= months[1]:
                rows += int(entry["rows"])
                paid += Decimal(entry.get("paid") or 0)
                found = True
        if found and name not in files:
            files.append(name)
    return RejectedClaims(rows, paid, undated, tuple(files))


def can_review_loads(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Managers and admins review the lake's loads: a file may hold every account's rows."""
    return bool(roles_of(user) & REVIEWS_LOADS)


def require_load_reviewer(user: AbstractBaseUser | AnonymousUser) -> None:
    if not can_review_loads(user):
        raise PermissionDenied("Only managers and admins review the lake's loads.")


@transaction.atomic
def do_record_rejects_view(batch: IngestBatch, *, acting_user: Any, rows: int) -> AuditEvent:
    """A look at a batch's rejected rows (member-level data, masked)."""
    return record_audit(
        actor=acting_user,
        action="lake.view_rejects",
        obj=batch,
        detail={"table": batch.table, "rows_shown": rows, "rows_rejected": batch.rows_rejected},
        kind=AuditEvent.Kind.PHI_READ,
    )


@transaction.atomic
def do_record_rejects_download(batch: IngestBatch, *, acting_user: Any) -> AuditEvent:
    """The batch's rejects file downloaded as written (keys as sent)."""
    return record_audit(
        actor=acting_user,
        action="lake.export_rejects",
        obj=batch,
        detail={"table": batch.table, "rows": batch.rows_rejected},
        kind=AuditEvent.Kind.EXPORT,
    )
