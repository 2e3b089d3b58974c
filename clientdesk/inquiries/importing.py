"""Loading the `inquiry_import` feed (inquiries from other systems) into the operational DB.

Columns: external_id, group_id (sponsor group number), opened_at (ISO timestamp, UTC),
channel, requester_type (member|sponsor|broker), category, subcategory, priority
(low|normal|high|urgent), member_id, claim_id, description, status, resolved_at, and two
optional ones: first_responded_at (when the requester first got an answer) and owner (who
worked it: a username or e-mail address).

Every row is validated. Valid rows are loaded, invalid rows are rejected with their line
number and reasons: rows read = loaded + rejected, where loaded = created + already present.
Loading is idempotent on external_id (a row whose external_id is already in clientdesk is
counted as already present and changes nothing) and all-or-nothing: everything is written in
one transaction, so a failure part-way leaves no trace.

Imported inquiries get their status history from the feed (opened at opened_at, resolved at
resolved_at) so their SLA clocks are computed like any other, from real times only: the
first-response clock runs from the feed's first_responded_at, and an imported inquiry without
one has no first-response clock (it is left out of first-response attainment, never counted
late; `clocks.evaluate`). The owner is the clientdesk user whose username or e-mail the feed's
owner names; an inquiry whose owner is not a user (or not given) has none and reads
"imported" (active ones wait in the queue for the routing rules or a manager's assignment).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.actions import do_log_activity
from clientdesk.accounts.models import Account, ActivityKind
from clientdesk.audit.recording import record_audit
from clientdesk.inquiries import sla
from clientdesk.inquiries.access import writable_accounts
from clientdesk.inquiries.models import (
    SUBCATEGORIES,
    SUBCATEGORY_LABELS,
    Category,
    Inquiry,
    InquiryEvent,
    InquiryEventKind,
    InquiryImport,
    InquiryStatusChange,
    Priority,
    RequesterType,
    Status,
    member_reference_validator,
)
from clientdesk.lake.input_files import InputFileError, open_input
from clientdesk.lake.schemas import INQUIRY_IMPORT

# The feed is defined once, by the lake's schema (columns, required ones, accepted values);
# the import checks rows against it and maps the feed's statuses to clientdesk's.
COLUMNS = INQUIRY_IMPORT.column_names
REQUIRED = INQUIRY_IMPORT.required_columns
CHECKED = ("channel", "requester_type", "category", "priority")
# Every status the feed accepts, as clientdesk's (a test checks the keys are the feed's).
STATUS_MAP = {
    "new": Status.NEW,
    "open": Status.OPEN,
    "in_progress": Status.OPEN,
    "waiting_on_sponsor": Status.WAITING_ON_SPONSOR,
    "waiting_on_service_ops": Status.WAITING_ON_SERVICE_OPS,
    "resolved": Status.RESOLVED,
    "closed": Status.CLOSED,
}
BATCH = 2000


class ImportFileError(Exception):
    """The file cannot be read at all (missing, wrong format, missing columns)."""


@dataclass(frozen=True)
class Reject:
    line: int
    external_id: str
    reasons: list[str]


@dataclass
class ImportResult:
    rows_read: int = 0
    created: int = 0
    already_present: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    import_id: int | None = None

    @property
    def loaded(self) -> int:
        return self.created + self.already_present

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["loaded"] = self.loaded
        return data

    @property
    def message(self) -> str:
        return (
            f"{self.rows_read} rows read: {self.loaded} loaded ({self.created} new, "
            f"{self.already_present} already present), {self.rejected} rejected"
        )


@dataclass(frozen=True)
class _Valid:
    line: int
    external_id: str
    account: Account
    opened_at: dt.datetime
    channel: str
    requester_type: str
    category: str
    subcategory: str
    priority: str
    member_id: str
    claim_id: str
    description: str
    status: str
    resolved_at: dt.datetime | None
    first_responded_at: dt.datetime | None = None
    owner: str = ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value).strip()


def _instant(raw: str, name: str, reasons: list[str]) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1) if "T" not in raw else raw)
    except ValueError:
        reasons.append(f"{name} {raw!r} is not an ISO timestamp")
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)  # the feed's timestamps are UTC
    return value.astimezone(dt.UTC)


def validate_row(
    line: int, row: Mapping[str, Any], accounts: dict[str, Account], now: dt.datetime
) -> tuple[_Valid | None, Reject | None]:
    values = {name: _text(row.get(name)) for name in COLUMNS}
    reasons = [f"{name} is missing" for name in REQUIRED if not values[name]]
    account = accounts.get(values["group_id"].upper()) if values["group_id"] else None
    if values["group_id"] and account is None:
        reasons.append(f"group_id {values['group_id']!r} is not one of your accounts")
    opened = _instant(values["opened_at"], "opened_at", reasons)
    resolved = _instant(values["resolved_at"], "resolved_at", reasons)
    responded = _instant(values["first_responded_at"], "first_responded_at", reasons)
    if opened and responded and responded < opened:
        reasons.append("first_responded_at is before opened_at")
    if responded is not None and responded > now:
        reasons.append("first_responded_at is in the future")
    if opened is not None and opened > now:
        reasons.append("opened_at is in the future")
    if opened and resolved and resolved < opened:
        reasons.append("resolved_at is before opened_at")
    for name in CHECKED:
        allowed = INQUIRY_IMPORT.accepted_values(name)
        if values[name] and values[name] not in allowed:
            reasons.append(f"{name} {values[name]!r} is not one of {', '.join(allowed)}")
    priority = values["priority"] or Priority.NORMAL
    sub = values["subcategory"]
    known = {code for code, _ in SUBCATEGORIES.get(values["category"], [])}
    if sub and values["category"] in SUBCATEGORIES and sub not in known:
        reasons.append(f"subcategory {sub!r} is not in category {values['category']!r}")
    status = STATUS_MAP.get(values["status"], "")
    if values["status"] and values["status"] not in INQUIRY_IMPORT.accepted_values("status"):
        feed = ", ".join(INQUIRY_IMPORT.accepted_values("status"))
        reasons.append(f"status {values['status']!r} is not one of {feed}")
    if status in (Status.RESOLVED, Status.CLOSED) and not values["resolved_at"]:
        reasons.append(f"a {values['status']} inquiry needs resolved_at")
    if status and status not in (Status.RESOLVED, Status.CLOSED) and values["resolved_at"]:
        reasons.append(f"resolved_at is set but the status is {values['status']}")
    if values["requester_type"] == RequesterType.MEMBER and not values["member_id"]:
        reasons.append("a member inquiry needs member_id")
    if values["member_id"]:
        try:
            member_reference_validator(values["member_id"])
        except ValidationError:
            reasons.append("member_id is not a member ID (3-40 letters, digits or dashes)")
    if len(values["external_id"]) > 64:
        reasons.append("external_id is longer than 64 characters")
    if reasons or account is None or opened is None:
        return None, Reject(line, values["external_id"], reasons or ["not valid"])
    return _Valid(
        line=line,
        external_id=values["external_id"],
        account=account,
        opened_at=opened,
        channel=values["channel"],
        requester_type=values["requester_type"],
        category=values["category"],
        subcategory=sub,
        priority=priority,
        member_id=values["member_id"],
        claim_id=values["claim_id"],
        description=values["description"],
        status=status,
        resolved_at=resolved,
        first_responded_at=responded,
        owner=values["owner"][:254],
    ), None


def _subject(row: _Valid) -> str:
    first_line = row.description.splitlines()[0].strip() if row.description else ""
    label = SUBCATEGORY_LABELS.get(row.subcategory) or Category(row.category).label
    return (first_line or str(label))[:200]


def _history(row: _Valid) -> list[tuple[str, str, dt.datetime]]:
    """(from, to, at) status changes implied by the feed's status and times."""
    steps: list[tuple[str, str, dt.datetime]] = [("", Status.NEW, row.opened_at)]
    if row.status in (Status.RESOLVED, Status.CLOSED) and row.resolved_at is not None:
        steps.append((Status.NEW, Status.OPEN, row.opened_at))
        steps.append((Status.OPEN, Status.RESOLVED, row.resolved_at))
        if row.status == Status.CLOSED:
            steps.append((Status.RESOLVED, Status.CLOSED, row.resolved_at))
    elif row.status != Status.NEW:
        steps.append((Status.NEW, row.status, row.opened_at))
    return steps


def feed_owners(names: Iterable[str]) -> dict[str, User]:
    """The active users the feed's owner values name, by lower-cased username or e-mail (an
    e-mail shared by several users names nobody)."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    if not wanted:
        return {}
    found: dict[str, User] = {}
    shared: set[str] = set()
    for user in User.objects.filter(is_active=True).only("username", "email"):
        username, email = user.username.lower(), user.email.strip().lower()
        if username in wanted:
            found[username] = user
        if email in wanted and email != username:
            if email in found and found[email].pk != user.pk:
                shared.add(email)
            found.setdefault(email, user)
    return {name: user for name, user in found.items() if name not in shared}


def import_inquiries(
    rows: Iterable[tuple[int, Mapping[str, Any]] | Mapping[str, Any]],
    *,
    acting_user: AnyUser | None,
    source: str = "",
    now: dt.datetime | None = None,
) -> ImportResult:
    """Validate and load feed rows (mappings, or (line, mapping) pairs) in one transaction.

    With an acting user, only their writable accounts are accepted; without one (the CLI),
    every account in the book.
    """
    moment = now or timezone.now()
    scope = writable_accounts(acting_user) if acting_user is not None else Account.objects.all()
    accounts = {a.group_number: a for a in scope}
    result = ImportResult()
    valid: list[_Valid] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(rows):
        line, row = item if isinstance(item, tuple) else (index + 2, item)
        result.rows_read += 1
        ok, reject = validate_row(line, row, accounts, moment)
        if ok is None:
            result.rejects.append(reject or Reject(line, "", ["not valid"]))
            continue
        if ok.external_id in first_line:
            repeat = f"external_id repeats line {first_line[ok.external_id]}"
            result.rejects.append(Reject(line, ok.external_id, [repeat]))
            continue
        first_line[ok.external_id] = line
        valid.append(ok)
    result.rejected = len(result.rejects)

    with transaction.atomic():
        present: set[str] = set()
        for start in range(0, len(valid), BATCH):
            ids = [v.external_id for v in valid[start : start + BATCH]]
            present.update(
                str(e)
                for e in Inquiry.objects.filter(external_id__in=ids).values_list(
                    "external_id", flat=True
                )
            )
        fresh = [v for v in valid if v.external_id not in present]
        result.already_present = len(valid) - len(fresh)
        result.created = len(fresh)
        batch = InquiryImport.objects.create(
            source=source[:255],
            actor=acting_user if isinstance(acting_user, User) else None,
            at=moment,
            rows_read=result.rows_read,
            created=len(fresh),
            already_present=result.already_present,
            rejected=result.rejected,
        )
        result.import_id = batch.pk
        owners = feed_owners(v.owner for v in fresh)
        created_ids: list[int] = []
        per_account: dict[int, list[str]] = defaultdict(list)
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start : start + BATCH]
            inquiries = Inquiry.objects.bulk_create(
                [
                    Inquiry(
                        account=v.account,
                        requester_type=v.requester_type,
                        member_reference=v.member_id,
                        channel=v.channel,
                        category=v.category,
                        subcategory=v.subcategory,
                        priority=v.priority,
                        subject=_subject(v),
                        description=v.description,
                        claim_ids=[v.claim_id] if v.claim_id else [],
                        status=v.status,
                        opened_at=v.opened_at,
                        owner=owners.get(v.owner.lower()),
                        first_responded_at=v.first_responded_at,
                        resolved_at=v.resolved_at,
                        closed_at=v.resolved_at if v.status == Status.CLOSED else None,
                        external_id=v.external_id,
                        import_batch=batch,
                    )
                    for v in chunk
                ]
            )
            by_external = {i.external_id: i for i in inquiries}
            if any(i.pk is None for i in inquiries):  # backends without RETURNING
                by_external = {
                    i.external_id: i
                    for i in Inquiry.objects.filter(external_id__in=[v.external_id for v in chunk])
                }
            changes: list[InquiryStatusChange] = []
            events: list[InquiryEvent] = []
            for v in chunk:
                inquiry = by_external[v.external_id]
                changes.extend(
                    InquiryStatusChange(
                        inquiry=inquiry, from_status=a, to_status=b, at=at, reason="imported"
                    )
                    for a, b, at in _history(v)
                )
                events.append(
                    InquiryEvent(
                        inquiry=inquiry,
                        at=moment,
                        kind=InquiryEventKind.IMPORTED,
                        summary=f"Imported from {source or 'the inquiry feed'} ({v.external_id})"[
                            :255
                        ],
                        detail={"import": batch.pk, "line": v.line},
                    )
                )
                per_account[v.account.pk].append(v.external_id)
                created_ids.append(inquiry.pk)
            InquiryStatusChange.objects.bulk_create(changes, batch_size=BATCH)
            InquiryEvent.objects.bulk_create(events, batch_size=BATCH)
        days: set[dt.date] = set()
        for start in range(0, len(created_ids), BATCH):
            sla.recompute(
                created_ids[start : start + BATCH], now=moment, notify=False, deferred_days=days
            )
        sla.rebuild_outcome_days(days)
        by_pk = {a.pk: a for a in accounts.values()}
        for account_id, external_ids in per_account.items():
            account = by_pk[account_id]
            record_audit(
                actor=acting_user,
                action="inquiry.import",
                obj=batch,
                account=account,
                detail={
                    "created": len(external_ids),
                    "source": source,
                    "external_ids": external_ids[:100],
                },
            )
            do_log_activity(
                account,
                kind=ActivityKind.INQUIRY,
                subject=f"{len(external_ids)} inquiries imported from {source or 'the feed'}"[:200],
                occurred_at=moment,
                acting_user=None,
                source_type="inquiries.InquiryImport",
                source_id=str(batch.pk),
            )
        if not per_account:
            record_audit(
                actor=acting_user,
                action="inquiry.import",
                obj=batch,
                detail={"created": 0, "source": source},
            )
    return result


# ── reading the lake ───────────────────────────────────────────────────────────────────


def lake_rows(*, engine: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, row) pairs of the lake's `inquiry_import` feed: every committed batch,
    every account, ordered by opened_at and external_id (row numbers from 1)."""
    from clientdesk.lake.gateway import SystemActor, open_lake

    job = SystemActor("inquiry import")  # a batch over the whole feed, for no one person
    with open_lake(job, engine=engine) as lake:
        total = int(lake.execute(lake.inquiry_import.count()))
    if not total:
        return iter(())
    # A system job reads the whole feed: the row bound is the feed's own size.
    with open_lake(job, engine=engine, max_rows=total) as lake:
        table = lake.inquiry_import
        # Batches loaded before the optional columns existed lack them: read what there is.
        present = [c for c in COLUMNS if c in table.columns]
        frame = lake.execute(table.select(*present).order_by("opened_at", "external_id"))
    # Missing values (NaN, NaT) as None, so they read as empty, not as the text "NaT".
    frame = frame.astype(object).where(frame.notna(), None)
    return ((number, row) for number, row in enumerate(frame.to_dict("records"), start=1))


def import_from_lake(
    *,
    acting_user: AnyUser | None = None,
    now: dt.datetime | None = None,
    engine: str | None = None,
) -> ImportResult:
    """Load the inquiries of the lake's `inquiry_import` feed that clientdesk does not have
    yet, with their status history, SLA clocks and outcome events as of `now` (no mail, no
    reassignment). Idempotent: a row whose external_id is already loaded counts as already
    present and changes nothing, so running it again never duplicates an inquiry. Rows that
    fail validation (e.g. an unknown group, opened after `now`) are rejected with their row
    number and reasons. `run_sla(now=...)` afterwards applies the escalation rules (mail, and
    reassignment after a breach) to the active ones."""
    return import_inquiries(
        lake_rows(engine=engine), acting_user=acting_user, source="lake inquiry_import", now=now
    )


# ── reading files ──────────────────────────────────────────────────────────────────────


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_columns(found: Iterable[str], path: Path) -> None:
    missing = [c for c in REQUIRED if c not in set(found)]
    if missing:
        raise ImportFileError(f"{path.name}: missing columns: {', '.join(missing)}")


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, row) pairs from a CSV (the line each row starts on; the header is line 1) or a
    Parquet file (row numbers from 1), read by the lake's one reader of input files."""
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if path.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise ImportFileError(f"{path.name}: read .csv or .parquet files")
    try:
        source = open_input(path)
    except InputFileError as error:
        raise ImportFileError(str(error)) from None
    _check_columns(source.columns, path)
    return source.rows()
