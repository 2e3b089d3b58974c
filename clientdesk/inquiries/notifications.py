"""Notification mail about inquiries, sent after the transaction commits.

Mail never carries member references: only the inquiry's reference, subject and account.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from clientdesk.inquiries import conf
from clientdesk.inquiries.models import AccountEscalation, Inquiry


def inquiry_link(inquiry: Inquiry) -> str:
    return conf.BASE_URL.rstrip("/") + reverse("inquiries:detail", args=[inquiry.pk])


def escalation_link(escalation: AccountEscalation) -> str:
    return conf.BASE_URL.rstrip("/") + reverse("inquiries:escalation_detail", args=[escalation.pk])


def _send(messages: list[EmailMessage]) -> None:
    with get_connection() as connection:
        connection.send_messages(messages)


@dataclass
class Outbox:
    """Collects notices during one transaction; `flush` queues one mail per recipient and
    topic, sent when the transaction commits (and not at all when it rolls back)."""

    items: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    subjects: dict[tuple[str, str], str] = field(default_factory=dict)

    def add(self, recipients: Iterable[User | None], topic: str, subject: str, line: str) -> None:
        for user in recipients:
            if user is None or not user.is_active or not user.email:
                continue
            key = (user.email, topic)
            self.items[key].append(line)
            self.subjects.setdefault(key, subject)

    def flush(self) -> None:
        messages: list[EmailMessage] = []
        for (email, topic), lines in self.items.items():
            subject = self.subjects[(email, topic)] if len(lines) == 1 else f"{len(lines)} {topic}"
            messages.append(
                EmailMessage(
                    subject=f"[clientdesk] {subject}",
                    body="\n\n".join(lines) + "\n",
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[email],
                )
            )
        self.items = defaultdict(list)
        self.subjects = {}
        if messages:
            transaction.on_commit(lambda: _send(messages))


def inquiry_line(inquiry: Inquiry, text: str) -> str:
    heading = f"{inquiry.reference} · {inquiry.account.name}"
    return "\n".join([heading, inquiry.subject, text, inquiry_link(inquiry)])
