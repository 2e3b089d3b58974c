"""Every write of utilization analysis: one transaction and one audit row each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.lake.input_files import InputFileError, open_input
from clientdesk.utilization.models import DrugProduct

User = AbstractBaseUser | AnonymousUser | None

REQUIRED_DRUG_COLUMNS = ("ndc_code", "generic_flag")
OPTIONAL_DRUG_COLUMNS = ("drug_name", "drug_class", "specialty_flag", "maintenance_flag")


class DrugReferenceError(ValueError):
    """A drug reference file that cannot be loaded; the message is one line."""


def _read_drug_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise DrugReferenceError(f"{path}: no such file or folder")
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise DrugReferenceError(f"{path}: no Parquet files in the folder")
    rows: list[dict[str, Any]] = []
    for file in files:
        try:
            source = open_input(file)
        except InputFileError as error:
            raise DrugReferenceError(str(error)) from None
        columns = [c.lower() for c in source.columns]
        missing = [c for c in REQUIRED_DRUG_COLUMNS if c not in columns]
        if missing:
            raise DrugReferenceError(f"{file}: missing column(s) {', '.join(missing)}")
        rows += [{k.lower(): v for k, v in row.items()} for _, row in source.rows()]
    return rows


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "t", "yes", "y"}
    return bool(value)


@transaction.atomic
def do_load_drug_reference(path: Path, *, acting_user: User) -> dict[str, int]:
    """Load (add or update) NDCs from a CSV or Parquet file, or a folder of Parquet files
    (as the synthetic book's `ndc/`): ndc_code, generic_flag, and optionally specialty_flag,
    maintenance_flag, drug_name, drug_class."""
    rows = _read_drug_rows(path)
    now = timezone.now()
    existing = {d.ndc_code: d for d in DrugProduct.objects.all()}
    created = updated = 0
    new: list[DrugProduct] = []
    for row in rows:
        code = str(row["ndc_code"] or "").strip()
        if not (len(code) == 11 and code.isdigit()):
            raise DrugReferenceError(f"{path}: NDC {code!r} is not 11 digits")
        values = {
            "drug_name": str(row.get("drug_name") or "")[:200],
            "drug_class": str(row.get("drug_class") or "")[:100],
            "generic": _flag(row["generic_flag"]),
            "specialty": _flag(row.get("specialty_flag")),
            "maintenance": _flag(row.get("maintenance_flag")),
            "source": path.name[:255],
            "loaded_at": now,
        }
        if code in existing:
            product = existing[code]
            for key, value in values.items():
                setattr(product, key, value)
            product.save()
            updated += 1
        else:
            new.append(DrugProduct(ndc_code=code, **values))
            existing[code] = new[-1]
            created += 1
    DrugProduct.objects.bulk_create(new)
    summary = {"rows": len(rows), "created": created, "updated": updated}
    record_audit(
        actor=acting_user,
        action="utilization.load_drug_reference",
        object_type="utilization.drugproduct",
        object_id=path.name[:64],
        object_label=f"Drug reference {path.name}"[:255],
        detail=summary,
    )
    return summary


@transaction.atomic
def do_record_member_data_view(
    account: Account, *, acting_user: User, what: str, detail: dict[str, Any]
) -> AuditEvent:
    """A member-level look behind a utilization number (claim lines, claimants)."""
    return record_audit(
        actor=acting_user,
        action=f"utilization.view_{what}",
        object_type="accounts.account",
        object_id=str(account.pk),
        object_label=account.name,
        account=account,
        detail=detail,
        kind=AuditEvent.Kind.PHI_READ,
    )


@transaction.atomic
def do_record_export(
    account: Account | None,
    *,
    acting_user: User,
    table: str,
    fmt: str,
    rows: int,
    detail: dict[str, Any],
) -> AuditEvent:
    """A utilization table downloaded as CSV or XLSX."""
    return record_audit(
        actor=acting_user,
        action="utilization.export",
        object_type="accounts.account" if account else "utilization.book",
        object_id=str(account.pk) if account else "book",
        object_label=account.name if account else "Book of business",
        account=account,
        detail={"table": table, "format": fmt, "rows": rows, **detail},
        kind=AuditEvent.Kind.EXPORT,
    )
