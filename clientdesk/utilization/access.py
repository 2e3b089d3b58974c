"""Who may see what of utilization analysis (account scope itself is accounts.access)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from clientdesk.accounts.access import AnyUser
from clientdesk.accounts.models import Account
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, Role, roles_of

# Claim lines carry claim ids, service dates and diagnoses even with the member pseudonymised:
# PHI, read only by the roles whose work needs the line level (minimum necessary). Executives
# read the portfolio's figures, not its claims.
READS_CLAIM_LINES = {Role.ADMIN, Role.MANAGER, Role.ASSOCIATE}


def can_see_book(user: AnyUser) -> bool:
    """The book-level page: managers, executives and admins (they see every account)."""
    return bool(roles_of(user) & SEES_ALL_ACCOUNTS)


def require_book(user: AnyUser) -> None:
    if not can_see_book(user):
        raise PermissionDenied("The book of business is for managers and executives.")


def can_read_claim_lines(user: AnyUser) -> bool:
    return bool(roles_of(user) & READS_CLAIM_LINES)


def require_claim_lines(user: AnyUser) -> None:
    if not can_read_claim_lines(user):
        raise PermissionDenied("Claim lines are for the account team and managers.")


def can_open_member_data(user: AnyUser, account: Account) -> bool:
    """Member identities behind a number (claim lines, high-cost claimants) are shown only to
    the account team; everyone else sees pseudonyms."""
    if not user.is_authenticated:
        return False
    return account.assignments.filter(user_id=user.pk).exists()


def require_member_data(user: AnyUser, account: Account) -> None:
    if not can_open_member_data(user, account):
        raise PermissionDenied("Only the account team may open member data.")
