"""Who may see or change guarantees: the account's scope decides (accounts/access.py).

Reading guarantees, results and forecasts needs the account (READ); evaluating, forecasting
and attesting results needs WRITE (the account team); defining guarantees and contract terms
needs MANAGE, as changing the contract does. Missing and not-yours both answer 404.
"""

from __future__ import annotations

from django.http import Http404

from clientdesk.accounts.access import AnyUser, Need, access_account_by_id, can
from clientdesk.accounts.models import Account, Contract
from clientdesk.guarantees.models import Guarantee, GuaranteeResult


def access_guarantee(
    user: AnyUser, account_id: int, guarantee_id: int, *, need: Need = Need.READ
) -> tuple[Account, Guarantee]:
    account = access_account_by_id(user, account_id, need=need)
    guarantee = (
        Guarantee.objects.select_related("contract__account")
        .filter(pk=guarantee_id, contract__account=account)
        .first()
    )
    if guarantee is None:
        raise Http404("No such guarantee.")
    return account, guarantee


def access_contract(
    user: AnyUser, account_id: int, contract_id: int, *, need: Need = Need.READ
) -> tuple[Account, Contract]:
    account = access_account_by_id(user, account_id, need=need)
    contract = account.contracts.filter(pk=contract_id).first()
    if contract is None:
        raise Http404("No such contract.")
    return account, contract


def access_result(
    user: AnyUser, account_id: int, result_id: int, *, need: Need = Need.READ
) -> tuple[Account, GuaranteeResult]:
    account = access_account_by_id(user, account_id, need=need)
    result = (
        GuaranteeResult.objects.select_related("guarantee__contract__account")
        .filter(pk=result_id, guarantee__contract__account=account)
        .first()
    )
    if result is None:
        raise Http404("No such result.")
    return account, result


def can_run(user: AnyUser, account: Account) -> bool:
    """Evaluate, forecast and attest: the account team, managers, admins."""
    return can(user, account, Need.WRITE)


def can_define(user: AnyUser, account: Account) -> bool:
    """Add, change and remove guarantees and contract terms."""
    return can(user, account, Need.MANAGE)
