"""Loading a generated book into the database and the lake, through the paths users use:
account-book actions for sponsors, contacts, contracts and the account team's logged touches;
`ingest` for every lake table; then the derived tables built as `clientdesk ingest --prepare`
builds them."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth.models import User
from django.db import transaction

from clientdesk.accounts import actions
from clientdesk.accounts.models import Account, ActivityEvent, Contact
from clientdesk.guarantees.book_import import load_book_guarantees
from clientdesk.lake.gateway import prepare_derived
from clientdesk.lake.ingestion import ingest_files
from clientdesk.utilization.actions import do_load_drug_reference

# The order matters: eligibility before claims only for readability of the batch list.
LAKE_TABLES = [
    "eligibility",
    "medical_claim",
    "pharmacy_claim",
    "claim_processing",
    "call_record",
    "ivr_session",
    "inquiry_import",
    "survey_response",
]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _money(value: str | None) -> Decimal | None:
    return Decimal(value) if value not in (None, "") else None


@transaction.atomic
def load_sponsors(book: dict[str, Any], *, acting_user: User | None) -> int:
    """Create the book's sponsors (parents first), contacts and contracts. Sponsors already in
    the database (same group number) are left as they are, so a reload adds nothing twice."""
    created = 0
    by_group = {a.group_number: a for a in Account.objects.all()}
    sponsors = sorted(book["sponsors"], key=lambda s: s.get("parent_group_number") is not None)
    for sponsor in sponsors:
        if sponsor["group_number"] in by_group:
            continue
        parent = by_group.get(sponsor.get("parent_group_number") or "")
        account = actions.do_create_account(
            {
                "name": sponsor["name"],
                "group_number": sponsor["group_number"],
                "segment": sponsor["segment"],
                "funding": sponsor["funding"],
                "tier": sponsor.get("tier", "standard"),
                "status": sponsor.get("status", "active"),
                "employees": sponsor["employees"],
                "members": sponsor["members"],
                "state": sponsor["state"],
                "region": sponsor["region"],
                "timezone": sponsor.get("timezone", "America/New_York"),
                "broker": sponsor.get("broker") or "",
                "effective_date": _date(sponsor["effective_date"]),
                "renewal_date": _date(sponsor["renewal_date"]),
                "parent": parent,
                "special_handling": sponsor.get("special_handling") or "",
            },
            acting_user=acting_user,
        )
        by_group[account.group_number] = account
        for contact in sponsor.get("contacts", []):
            actions.do_add_contact(
                account,
                {
                    "name": contact["name"],
                    "title": contact.get("title", ""),
                    "role": contact["role"],
                    "email": contact.get("email", ""),
                    "phone": contact.get("phone", ""),
                    "is_primary": bool(contact.get("primary")),
                },
                acting_user=acting_user,
            )
        for contract in sponsor.get("contracts", []):
            actions.do_create_contract(
                account,
                {
                    "number": contract["number"],
                    "start_date": _date(contract["start_date"]),
                    "end_date": _date(contract["end_date"]),
                    "products": contract["products"],
                    "admin_fee_pepm": _money(contract.get("admin_fee_pepm")),
                    "premium_pmpm": _money(contract.get("premium_pmpm")),
                },
                acting_user=acting_user,
            )
        created += 1
    return created


TOUCH_SOURCE = "synth.activity"


@transaction.atomic
def load_touches(out_dir: Path, *, acting_user: User | None) -> int:
    """Log the book's touches with each sponsor's decision maker (``activity.json``) on the
    accounts' timelines, with the contact; a touch logged before (same source and number) is
    not logged again. A book without the file adds nothing."""
    path = Path(out_dir) / "activity.json"
    if not path.exists():
        return 0
    touches = json.loads(path.read_text())["touches"]
    accounts = {a.group_number: a for a in Account.objects.all()}
    contacts = {
        (c.account_id, c.email): c
        for c in Contact.objects.filter(account__in=accounts.values()).exclude(email="")
    }
    done = set(
        ActivityEvent.objects.filter(source_type=TOUCH_SOURCE).values_list("source_id", flat=True)
    )
    logged = 0
    for number, touch in enumerate(touches):
        account = accounts.get(touch["account"])
        source_id = f"{touch['account']}:{number}"
        if account is None or source_id in done:
            continue
        contact = contacts.get((account.pk, touch["contact_email"]))
        day = dt.date.fromisoformat(touch["occurred_on"])
        actions.do_log_activity(
            account,
            kind=touch["kind"],
            subject=touch["subject"],
            occurred_at=dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC),
            contacts=[contact] if contact is not None else None,
            acting_user=acting_user,
            source_type=TOUCH_SOURCE,
            source_id=source_id,
        )
        logged += 1
    return logged


def load_book(
    out_dir: Path,
    *,
    stdout: TextIO | None = None,
    acting_user: User | None = None,
    prepare: bool = True,
) -> dict[str, Any]:
    """Load book.json into the account book, every lake table through ingestion, the drug
    reference and the contracts' guarantees; then, when a lake table was loaded and `prepare`
    holds, build the derived tables (`prepare_derived`, as `ingest --prepare` does) so the first
    page read does not. `prepare=False` is for a benchmark that times that build itself."""
    book = json.loads((Path(out_dir) / "book.json").read_text())
    summary: dict[str, Any] = {"sponsors_created": load_sponsors(book, acting_user=acting_user)}
    summary["touches_logged"] = load_touches(out_dir, acting_user=acting_user)
    if stdout is not None:
        stdout.write(f"sponsors: {summary['sponsors_created']} created\n")
        stdout.write(f"touches: {summary['touches_logged']:,} logged\n")
    tables: dict[str, Any] = {}
    for table in LAKE_TABLES:
        folder = Path(out_dir) / table
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if not files:
            continue
        results = ingest_files(table, files, acting_user=acting_user, progress=stdout is not None)
        tables[table] = {
            "files": len(results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results),
        }
        if stdout is not None:
            stdout.write(
                f"{table}: {tables[table]['rows_loaded']:,} rows loaded, "
                f"{tables[table]['rows_rejected']:,} rejected\n"
            )
    summary["tables"] = tables
    if (Path(out_dir) / "ndc").is_dir():  # the drug reference: generic/specialty flags for GDR
        summary["drugs"] = do_load_drug_reference(Path(out_dir) / "ndc", acting_user=acting_user)
    summary["guarantees_created"] = load_book_guarantees(book, acting_user=acting_user)
    if stdout is not None:
        stdout.write(f"guarantees: {summary['guarantees_created']} created\n")
    if prepare and tables:
        started = time.perf_counter()
        built = [name for names in prepare_derived().values() for name in names]
        summary["derived_built"] = built
        if stdout is not None:
            stdout.write(
                f"derived tables: {len(built)} built in {time.perf_counter() - started:.1f} s\n"
            )
    return summary
