"""Demo surveys: the three standard surveys, a relationship survey sent to one account's
contacts and a transactional survey after the inquiries resolved in the last 30 days, mailed
through the console backend (the links are in the terminal), some of them answered, and the
detractors' follow-ups, one of them worked. One relationship contact is left unanswered so a
visitor can answer through the link printed in the console. The surveyed account gets the
library's sponsor satisfaction guarantee, measured from the survey answers. Idempotent: with
surveys in the database nothing is done. Answers come from this module's own random stream,
so nothing else in the demo book changes."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import User
from django.utils import timezone

from clientdesk.accounts.models import Account
from clientdesk.guarantees.actions import do_create_guarantees_from_templates
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.lake.gateway import LakeError
from clientdesk.people.roles import Role
from clientdesk.surveys import actions
from clientdesk.surveys.library import TEMPLATES
from clientdesk.surveys.models import FollowUp, InvitationStatus, Survey

SEED = 2121
TRANSACTIONAL_LIMIT = 40  # the console prints every mail: enough to show, not a flood
NAMES = {
    "relationship": "Sponsor relationship survey",
    "transactional": "After your inquiry",
    "implementation": "Implementation check",
}
WHY = [
    "Monthly reports arrive late and we chase them.",
    "Claims for our members took too long to fix.",
    "The new ID cards went out with errors.",
]


def _account_to_survey() -> Account | None:
    """The first account (by group number) with two or more contacts that have an address."""
    for account in Account.objects.order_by("group_number"):
        if account.contacts.exclude(email="").count() >= 2:
            return account
    return None


def _sponsor_satisfaction_guarantee(account: Account, *, acting_user: User, today: dt.date) -> str:
    """The surveyed account's contract gets the library's sponsor satisfaction guarantee
    (mean score >= 3 of 5, annual, measured from the sponsor's survey answers: the feed's and
    the ones just collected), evaluated at once so its figure shows."""
    contract = (
        account.contracts.filter(start_date__lte=today, end_date__gte=today).first()
        or account.contracts.order_by("-start_date").first()
    )
    if contract is None:
        return "no contract for a sponsor satisfaction guarantee"
    if not contract.guarantees.filter(metric="sponsor_satisfaction").exists():
        do_create_guarantees_from_templates(
            contract, ["sponsor_satisfaction_3"], acting_user=acting_user
        )
    try:
        _values, stored = run_evaluation([account], acting_user=acting_user, today=today)
    except LakeError:
        return "a sponsor satisfaction guarantee (not evaluated: no lake)"
    return f"a sponsor satisfaction guarantee ({stored.created} results stored)"


def seed_surveys(
    *, acting_user: User, manager: User | None = None, today: dt.date | None = None
) -> str:
    if Survey.objects.exists():
        return "surveys: already seeded"
    rng = random.Random(SEED)  # noqa: S311  (demo answers, not secrets)
    manager = manager or User.objects.filter(groups__name=Role.MANAGER.value).order_by("pk").first()
    sender = manager or acting_user
    surveys = {
        kind: actions.do_create_survey(NAMES[kind], kind, questions, acting_user=sender)
        for kind, questions in TEMPLATES.items()
    }
    account = _account_to_survey()
    relationship_note = "no account with two contacts to survey"
    if account is not None:
        contacts = list(account.contacts.exclude(email="").order_by("pk"))
        send = actions.do_send_survey(
            surveys["relationship"], account, contacts, acting_user=sender
        )
        actions.deliver_send(send.pk)
        invitations = list(send.invitations.filter(status=InvitationStatus.SENT).order_by("pk"))
        # The first contact is a detractor; the others but the last answer; the last is left
        # for a visitor, through the link in the console mail.
        for number, invitation in enumerate(invitations[:-1]):
            score = rng.choice([2, 3, 5]) if number == 0 else rng.choice([7, 8, 9, 10])
            answers = {"recommend": [str(score)], "satisfaction": [str(rng.choice([3, 4, 5]))]}
            if score <= 6:
                answers["why"] = [rng.choice(WHY)]
            actions.do_save_answers(invitation, answers, finish=True)
        guarantee = _sponsor_satisfaction_guarantee(
            account, acting_user=acting_user, today=today or timezone.localdate()
        )
        relationship_note = (
            f"relationship survey to {len(invitations)} contacts of {account.name}, "
            f"{max(len(invitations) - 1, 0)} answered, {guarantee}"
        )
    now = timezone.now()
    transactional = actions.do_send_transactional(
        surveys["transactional"],
        since=now - dt.timedelta(days=30),
        acting_user=sender,
        limit=TRANSACTIONAL_LIMIT,
    )
    answered = 0
    if transactional is not None:
        actions.deliver_send(transactional.pk)
        for invitation in transactional.invitations.filter(status=InvitationStatus.SENT):
            if rng.random() < 0.45:
                csat = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 5, 6])[0]
                answers = {
                    "satisfaction": [str(csat)],
                    "effort": [str(rng.randint(3, 7))],
                    "resolved": [rng.choice(["yes", "yes", "partly", "no"])],
                }
                if csat <= 2:
                    answers["why"] = [rng.choice(WHY)]
                actions.do_save_answers(invitation, answers, finish=True)
                answered += 1
    first = FollowUp.objects.order_by("pk").first()
    if first is not None:
        actions.do_work_follow_up(
            first,
            status="contacted",
            notes="Called the contact; agreed to send the monthly report by the 5th.",
            acting_user=first.owner or sender,
        )
    invited = transactional.invited if transactional is not None else 0
    return (
        f"surveys: {relationship_note}; transactional survey to {invited} requesters of "
        f"resolved inquiries, {answered} answered; "
        f"{FollowUp.objects.count()} detractor follow-ups (links printed above)"
    )
