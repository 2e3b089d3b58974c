"""Every write of financials: one transaction, one audit row each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.audit.updating import update_audited
from clientdesk.financials.chain_ladder import IbnrEstimate as Estimate
from clientdesk.financials.models import AccountTerms, IbnrEstimate, PnlMonth, SegmentExpense
from clientdesk.financials.runs import RunResult

Actor = AbstractBaseUser | AnonymousUser | None
TERMS_FIELDS = [
    "stop_loss_premium_pepm",
    "stop_loss_deductible",
    "vendor_pepm",
    "premium_tax_pct",
    "quality_improvement_pct",
    "budget_pmpm",
    "budget_members",
    "average_deductible",
    "small_group",
]
EXPENSE_FIELDS = ["admin_pmpm", "admin_pepm"]
PNL_FIELDS = [
    "funding",
    "member_months",
    "subscriber_months",
    "admin_fee_pepm",
    "premium_pmpm",
    "admin_fees",
    "stop_loss_premium",
    "premium",
    "paid_claims",
    "ibnr",
    "completion",
    "ibnr_method",
    "stop_loss_claims",
    "penalties",
    "vendor",
    "premium_taxes",
    "admin_expense",
]


def _estimate_row(
    estimate: Estimate,
    account_id: int | None,
    as_of: dt.date,
    now: dt.datetime,
    acting_user: Actor,
    book_figures: Mapping[str, Any] | None = None,
) -> IbnrEstimate:
    return IbnrEstimate.objects.create(
        account_id=account_id,
        as_of=as_of,
        method=estimate.method(),
        average_periods=estimate.factors.average,
        tail=Decimal(str(estimate.factors.tail)),
        immature_periods=estimate.immature,
        paid_total=Decimal(str(round(estimate.paid_total, 2))),
        ibnr_total=Decimal(str(round(estimate.ibnr_total, 2))),
        ultimate_total=Decimal(str(round(estimate.ultimate_total, 2))),
        detail=estimate.as_dict(),
        book_figures=dict(book_figures or {}),
        computed_at=now,
        computed_by_id=getattr(acting_user, "pk", None),
    )


@transaction.atomic
def do_store_run(result: RunResult, *, acting_user: Actor) -> IbnrEstimate:
    """Save the run: the book's estimate, each account's, and the account-months (replacing
    the previous run's rows of these accounts). One audit row for the run."""
    now = timezone.now()
    book = _estimate_row(result.book, None, result.as_of, now, acting_user, result.book_figures)
    saved = {
        account_id: _estimate_row(estimate, account_id, result.as_of, now, acting_user)
        for account_id, estimate in result.accounts.items()
    }
    accounts = {row["account"].pk: row["account"] for row in result.rows}
    PnlMonth.objects.filter(account_id__in=set(accounts) | set(saved)).delete()
    PnlMonth.objects.bulk_create(
        [
            PnlMonth(
                account=row["account"],
                month=row["month"],
                estimate=saved.get(row["account"].pk),
                **{name: row[name] for name in PNL_FIELDS},
            )
            for row in result.rows
        ]
    )
    record_audit(
        actor=acting_user,
        action="financials.pnl_run",
        obj=book,
        object_label=f"P&L and IBNR as of {result.as_of}",
        detail={
            "as_of": result.as_of.isoformat(),
            "accounts": len(accounts),
            "account_months": len(result.rows),
            "method": result.book.method(),
            "ibnr_total": str(book.ibnr_total),
        },
    )
    return book


@transaction.atomic
def do_update_terms(
    account: Account,
    changes: Mapping[str, Any],
    *,
    acting_user: Actor,
    expected_version: int | None = None,
) -> AccountTerms:
    """Change an account's financial terms (an assumption of its P&L), audited; StaleEdit
    when `expected_version` is not the stored one (someone saved since the page was opened)."""
    terms, _ = AccountTerms.objects.select_for_update().get_or_create(account=account)
    update_audited(
        terms,
        changes,
        allowed=TERMS_FIELDS,
        action="financials.terms_update",
        acting_user=acting_user,
        account=account,
        versioned=True,
        expected_version=expected_version,
    )
    return terms


@transaction.atomic
def do_update_segment_expense(
    segment: str,
    changes: Mapping[str, Any],
    *,
    acting_user: Actor,
    expected_version: int | None = None,
) -> SegmentExpense:
    """Change the administrative expense allocated to a segment (Admins), audited; StaleEdit
    when `expected_version` is not the stored one."""
    row, _ = SegmentExpense.objects.select_for_update().get_or_create(segment=segment)
    update_audited(
        row,
        changes,
        allowed=EXPENSE_FIELDS,
        action="financials.segment_expense_update",
        acting_user=acting_user,
        versioned=True,
        expected_version=expected_version,
    )
    return row


@transaction.atomic
def do_record_member_claims_read(
    account: Account, *, acting_user: Actor, purpose: str, detail: dict[str, Any]
) -> AuditEvent:
    """A read of the account's member-level claims (re-adjudication, pooling): audited."""
    return record_audit(
        actor=acting_user,
        action=f"financials.read_{purpose}",
        object_type="accounts.account",
        object_id=str(account.pk),
        object_label=account.name,
        account=account,
        detail=detail,
        kind=AuditEvent.Kind.PHI_READ,
    )


@transaction.atomic
def do_record_export(
    account: Account | None, *, acting_user: Actor, what: str, fmt: str, rows: int
) -> AuditEvent:
    """A financial table downloaded."""
    return record_audit(
        actor=acting_user,
        action="financials.export",
        object_type="accounts.account" if account else "financials.portfolio",
        object_id=str(account.pk) if account else "portfolio",
        object_label=account.name if account else "Portfolio",
        account=account,
        detail={"what": what, "format": fmt, "rows": rows},
        kind=AuditEvent.Kind.EXPORT,
    )
