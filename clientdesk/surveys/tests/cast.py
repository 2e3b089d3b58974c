"""Survey data on top of the named cast, for the access matrix and the tests."""

from __future__ import annotations

import re

from django.core import mail

from clientdesk.surveys import actions
from clientdesk.surveys.library import TEMPLATES
from clientdesk.surveys.models import FollowUp, Invitation, Survey
from clientdesk.testing import Cast

LINK = re.compile(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]{43}/)")


def relationship_survey(c: Cast) -> Survey:
    return actions.do_create_survey(
        "Sponsor relationship 2026", "relationship", TEMPLATES["relationship"], acting_user=c.mia
    )


def transactional_survey(c: Cast) -> Survey:
    return actions.do_create_survey(
        "After an inquiry", "transactional", TEMPLATES["transactional"], acting_user=c.mia
    )


def sent_to_acme(c: Cast, survey: Survey | None = None) -> tuple[Invitation, str]:
    """A relationship survey sent (and mailed) to Acme's contact: the invitation and the
    path of its link, read from the mail."""
    survey = survey or relationship_survey(c)
    send = actions.do_send_survey(survey, c.acme, [c.acme_contact], acting_user=c.mia)
    mail.outbox = []
    actions.deliver_send(send.pk)
    path = link_path(str(mail.outbox[-1].body))
    return Invitation.objects.get(send=send), path


def link_path(body: str) -> str:
    match = LINK.search(body)
    assert match is not None, body
    return match.group(1)


def token_of(path: str) -> str:
    return path.strip("/").split("/")[1]


def acme_follow_up(c: Cast) -> FollowUp:
    """A detractor's answer from Acme's contact, and its follow-up (owner alice)."""
    invitation, _ = sent_to_acme(c)
    saved = actions.do_save_answers(
        invitation, {"recommend": ["2"], "why": ["Claims were slow"]}, finish=True
    )
    assert saved.follow_up is not None
    return saved.follow_up
