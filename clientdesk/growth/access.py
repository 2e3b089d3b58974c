"""Who sees and changes what of growth. Accounts' scope comes from accounts.access; sales users
see only the leads and opportunities passed to them (never an account's own pages, members or
the lake). Missing and not-yours answer 404; seen-but-not-yours-to-change answers 403."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from clientdesk.accounts.access import AnyUser, Need, accounts_visible_to, can
from clientdesk.growth.models import Lead, LibraryAnswer, Opportunity, Rfp, VendorContract
from clientdesk.people.roles import (
    EDITS_ASSIGNED_ACCOUNTS,
    MANAGES_ACCOUNTS,
    SEES_ALL_ACCOUNTS,
    WORKS_SALES,
    roles_of,
)


def _uid(user: AnyUser) -> int:
    return int(user.pk) if user.pk is not None else 0


def works_accounts(user: AnyUser) -> bool:
    return bool(roles_of(user) & (SEES_ALL_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS))


def is_sales(user: AnyUser) -> bool:
    return bool(roles_of(user) & WORKS_SALES)


def manages(user: AnyUser) -> bool:
    return bool(roles_of(user) & MANAGES_ACCOUNTS)


def can_see_pipeline(user: AnyUser) -> bool:
    """The pipeline and leads pages: the account team, executives, and sales."""
    return works_accounts(user) or is_sales(user)


def require_pipeline(user: AnyUser) -> None:
    if not can_see_pipeline(user):
        raise PermissionDenied("The pipeline is for the account team and sales.")


def require_accounts_role(user: AnyUser) -> None:
    if not works_accounts(user):
        raise PermissionDenied("This page is for the account team.")


def require_manager(user: AnyUser) -> None:
    if not manages(user):
        raise PermissionDenied("Managers keep the suggestion rules and the catalogue.")


# --- opportunities ------------------------------------------------------------------------


def opportunities_visible_to(user: AnyUser) -> QuerySet[Opportunity]:
    roles = roles_of(user)
    if roles & SEES_ALL_ACCOUNTS:
        return Opportunity.objects.all()
    scope = Q(pk__in=[])
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        scope |= Q(account__in=accounts_visible_to(user))
    if roles & WORKS_SALES:
        scope |= Q(owner_id=_uid(user))
    return Opportunity.objects.filter(scope)


def can_change_opportunity(user: AnyUser, opportunity: Opportunity) -> bool:
    if opportunity.owner_id == _uid(user) and (is_sales(user) or works_accounts(user)):
        return True
    return can(user, opportunity.account, Need.WRITE)


def access_opportunity_by_id(
    user: AnyUser, opportunity_id: int, *, need: Need = Need.READ
) -> Opportunity:
    found = (
        opportunities_visible_to(user)
        .select_related("account", "product", "owner")
        .filter(pk=opportunity_id)
        .first()
    )
    if found is None:
        raise Http404("No such opportunity.")
    if need != Need.READ and not can_change_opportunity(user, found):
        raise PermissionDenied("You can see this opportunity but not change it.")
    return found


# --- leads --------------------------------------------------------------------------------


def leads_visible_to(user: AnyUser) -> QuerySet[Lead]:
    roles = roles_of(user)
    if roles & SEES_ALL_ACCOUNTS:
        return Lead.objects.all()
    scope = Q(pk__in=[])
    if roles & EDITS_ASSIGNED_ACCOUNTS:
        scope |= Q(passed_by_id=_uid(user))
    if roles & WORKS_SALES:
        scope |= Q(sales_owner_id=_uid(user))
    return Lead.objects.filter(scope)


def can_pass_leads(user: AnyUser) -> bool:
    return bool(roles_of(user) & (MANAGES_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS))


def access_lead_by_id(user: AnyUser, lead_id: int, *, need: Need = Need.READ) -> Lead:
    found = leads_visible_to(user).select_related("sales_owner", "passed_by").filter(pk=lead_id)
    lead = found.first()
    if lead is None:
        raise Http404("No such lead.")
    if need != Need.READ and not (manages(user) or lead.sales_owner_id == _uid(user)):
        raise PermissionDenied("Only the sales owner (or a manager) reports a lead's status.")
    return lead


# --- RFPs and the answer library ----------------------------------------------------------


def rfps_visible_to(user: AnyUser) -> QuerySet[Rfp]:
    if roles_of(user) & SEES_ALL_ACCOUNTS:
        return Rfp.objects.all()
    if roles_of(user) & EDITS_ASSIGNED_ACCOUNTS:
        return Rfp.objects.filter(
            Q(account__in=accounts_visible_to(user)) | Q(account__isnull=True)
        )
    return Rfp.objects.none()


def can_work_rfps(user: AnyUser) -> bool:
    return bool(roles_of(user) & (MANAGES_ACCOUNTS | EDITS_ASSIGNED_ACCOUNTS))


def require_rfp_writer(user: AnyUser) -> None:
    if not can_work_rfps(user):
        raise PermissionDenied("Managers and associates work RFPs.")


def access_rfp_by_id(user: AnyUser, rfp_id: int, *, need: Need = Need.READ) -> Rfp:
    rfp = rfps_visible_to(user).filter(pk=rfp_id).first()
    if rfp is None:
        raise Http404("No such RFP.")
    if need == Need.WRITE and not can_work_rfps(user):
        raise PermissionDenied("You can read this RFP but not work it.")
    if need == Need.MANAGE and not manages(user):
        raise PermissionDenied("A manager approves sections and records the outcome.")
    return rfp


def can_read_library(user: AnyUser) -> bool:
    return works_accounts(user)


def require_library(user: AnyUser) -> None:
    if not can_read_library(user):
        raise PermissionDenied("The answer library is for the account team.")


def access_answer_by_id(user: AnyUser, answer_id: int, *, need: Need = Need.READ) -> LibraryAnswer:
    require_library(user)
    answer = LibraryAnswer.objects.filter(pk=answer_id).first()
    if answer is None:
        raise Http404("No such answer.")
    if need != Need.READ and not (manages(user) or answer.owner_id == _uid(user)):
        raise PermissionDenied("The answer's owner or a manager keeps it.")
    return answer


# --- vendor contracts ---------------------------------------------------------------------


def vendor_contracts_visible_to(user: AnyUser) -> QuerySet[VendorContract]:
    return VendorContract.objects.filter(account__in=accounts_visible_to(user))


def access_vendor_contract_by_id(
    user: AnyUser, contract_id: int, *, need: Need = Need.READ
) -> VendorContract:
    found = vendor_contracts_visible_to(user).select_related("account", "vendor")
    contract = found.filter(pk=contract_id).first()
    if contract is None:
        raise Http404("No such vendor contract.")
    if need != Need.READ and not can(user, contract.account, need):
        raise PermissionDenied("You can see this contract but not change it.")
    return contract
