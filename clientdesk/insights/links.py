"""The link from inquiries to a problem record.

`inquiries.Inquiry.problem_id` is a plain id column the inquiries app reserves for this link;
this module is the only writer and checks every id (the problem exists, the inquiry is on the
problem's account and visible to the person linking it), and clears the links when a problem
is deleted, so the column behaves like a foreign key without a cross-app migration.

A problem's linked counts come from its links: inquiries, distinct members and claims they
name, and the billed charges of those claims (read from the lake when one is given). The lake
is the reader's: for an account's problem, rows of that account in their scope; for a
book-level problem, whose inquiries may be on any account, an aggregate read that answers the
charges only when at least 11 members are behind those claims (`lib.small_cells`), else
suppressed (stored as no figure, never a rounded one)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import pre_delete
from django.dispatch import receiver

from clientdesk.accounts.access import AnyUser
from clientdesk.inquiries.models import Inquiry
from clientdesk.inquiries.queries import inquiries_visible_to
from clientdesk.insights.models import Problem
from clientdesk.lake.gateway import (
    AGGREGATE,
    Lake,
    LakeError,
    Reader,
    open_aggregates,
    open_lake,
)
from clientdesk.lib.record_ids import parse_record_id

MAX_LINKS_PER_CHANGE = 500


class LinkError(ValueError):
    """An inquiry that cannot be linked to this problem (with the reason)."""


def linked_inquiries(problem: Problem) -> QuerySet[Inquiry]:
    return Inquiry.objects.filter(problem_id=problem.pk).order_by("opened_at", "pk")


def linkable_inquiries(user: AnyUser, problem: Problem) -> QuerySet[Inquiry]:
    """Inquiries the user may link to the problem: visible to them, on the problem's account
    (any account for a book-level problem)."""
    qs = inquiries_visible_to(user)
    if problem.account_id is not None:
        qs = qs.filter(account_id=problem.account_id)
    return qs


def parse_references(text: str) -> list[int]:
    """`Q-000123, 124 Q-000125` -> [123, 124, 125]; raises LinkError on anything else."""
    ids: list[int] = []
    for token in text.replace(",", " ").split():
        found = parse_record_id(token.upper().removeprefix("Q-"))
        if found is None:
            raise LinkError(f"{token!r} is not an inquiry reference (Q-000123)")
        ids.append(found)
    if len(ids) > MAX_LINKS_PER_CHANGE:
        raise LinkError(f"link at most {MAX_LINKS_PER_CHANGE} inquiries at a time")
    return ids


def check_inquiries(user: AnyUser | None, problem: Problem, ids: list[int]) -> list[Inquiry]:
    """The inquiries with these ids, if every one may be linked; else LinkError naming the
    first that may not (missing and not-yours read the same)."""
    qs = (
        linkable_inquiries(user, problem)
        if user is not None
        else (
            Inquiry.objects.filter(account_id=problem.account_id)
            if problem.account_id is not None
            else Inquiry.objects.all()
        )
    )
    found = {i.pk: i for i in qs.filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            raise LinkError(f"Q-{pk:06d}: no such inquiry on this problem's account")
    return [found[pk] for pk in dict.fromkeys(ids)]


def claim_charges(lake: Lake, claim_ids: list[str]) -> Decimal | None:
    """Billed charges of these claims (original adjudications), from the lake. On an
    aggregate lake (a book-level problem) the sum is a cell over the distinct members on
    those claims: None (suppressed) when 1 to 10 members are behind it."""
    if not claim_ids:
        return Decimal("0.00")
    t = lake.claim_processing
    t = t.filter(t.adjustment_type == "original", t.claim_id.isin(claim_ids))
    if lake.kind == AGGREGATE:
        cell = lake.aggregate({"billed": (t.charge_amount.sum(), t.member_id.nunique())})
        if cell["billed"].suppressed:
            return None
        value: Any = cell["billed"].value
    else:
        value = lake.execute(t.charge_amount.sum())
    if value is None or (isinstance(value, float) and value != value):
        return Decimal("0.00")
    return Decimal(str(value)).quantize(Decimal("0.01"))


def problem_lake(reader: Reader, account_id: int | None) -> Lake | None:
    """The lake for recounting linked dollars: the reader's rows of the problem's account, or
    for a book-level problem an aggregate read (charges shown from 11 members); None when
    the lake has no claims loaded (the dollars then keep their last count)."""
    lake = (
        open_aggregates(reader, purpose="book-level problem links")
        if account_id is None
        else open_lake(reader, accounts=[account_id])
    )
    try:
        lake.claim_processing  # noqa: B018  (fails fast when the table has no files)
    except (LakeError, OSError, ValueError, RuntimeError):
        lake.close()
        return None
    return lake


def link_totals(problem: Problem, lake: Lake | None = None) -> dict[str, Any]:
    """Counts from the links: inquiries, distinct member references, distinct claim ids, and
    (with a lake: `counted`) the billed charges of those claims, None when suppressed."""
    rows = list(linked_inquiries(problem).values_list("member_reference", "claim_ids"))
    members = {m for m, _ in rows if m}
    claims = sorted({str(c) for _, ids in rows for c in (ids or []) if c})
    dollars = claim_charges(lake, claims) if lake is not None else None
    return {
        "inquiries": len(rows),
        "members": len(members),
        "claims": len(claims),
        "dollars": dollars,
        "counted": lake is not None,
    }


@receiver(pre_delete, sender=Problem, dispatch_uid="insights-clear-inquiry-links")
def _clear_links(sender: type[Problem], instance: Problem, **kwargs: Any) -> None:
    Inquiry.objects.filter(problem_id=instance.pk).update(problem_id=None)
