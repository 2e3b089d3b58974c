"""The survey app's services to the apps that may not import it: send a survey of a kind to an
account's contacts, and read the answers of one kind only (so an implementation survey's
answers are never mixed with relationship surveys' where implementation satisfaction is read).

The app that sends surveys registers both in its ``AppConfig.ready()``::

    SURVEY_SERVICE.register(sender=send_survey_of_kind, answers=answers_of_kind)

where ``send_survey_of_kind(kind, account_id, *, now) -> SendOutcome`` sends the kind's
active survey to the account's contacts the survey app would send to (its own rules: an
address, not unsubscribed, not surveyed too recently) and ``answers_of_kind(kind, account_ids,
start, end) -> Iterable[SurveyAnswer]`` gives the invitations sent and answers given in
``start <= moment < end`` of surveys of that kind only, for the accounts of ``account_ids``
(the caller has decided the reader may see them). With no app registered nothing is sent
(the outcome says why) and no answer is read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from clientdesk.lib.survey_answers import SurveyAnswer

IMPLEMENTATION = "implementation"
"""The survey kind asked of a sponsor's people after an implementation's go-live."""


@dataclass(frozen=True)
class SendOutcome:
    """What a send did: ``send_id`` of the survey app's send when one was made (``invited``
    people asked, ``skipped`` left out by its rules), else ``reason`` says why nothing was."""

    send_id: int | None = None
    invited: int = 0
    skipped: int = 0
    reason: str = ""

    @property
    def sent(self) -> bool:
        return self.send_id is not None


Sender = Callable[..., SendOutcome]  # (kind, account_id, *, now) -> SendOutcome
AnswersReader = Callable[
    [str, Sequence[int], dt.datetime, dt.datetime], Iterable[SurveyAnswer]
]  # (kind, account ids, start, end) -> the answers of that kind in [start, end)


class SurveyService:
    """The registry: one survey app's sender and reader. Registering again replaces them."""

    def __init__(self) -> None:
        self._sender: Sender | None = None
        self._answers: AnswersReader | None = None

    def register(self, *, sender: Sender, answers: AnswersReader) -> None:
        self._sender, self._answers = sender, answers

    def unregister(self) -> None:
        self._sender = self._answers = None

    def send(self, kind: str, account_id: int, *, now: dt.datetime) -> SendOutcome:
        """Send the kind's survey to the account's contacts (inside the caller's transaction:
        the survey app's send is rolled back with it)."""
        if now.tzinfo is None:
            raise ValueError("now is an aware datetime")
        if self._sender is None:
            return SendOutcome(reason="no survey app is installed")
        return self._sender(kind, account_id, now=now)

    def answers(
        self, kind: str, account_ids: Sequence[int], start: dt.datetime, end: dt.datetime
    ) -> list[SurveyAnswer]:
        """The invitations and answers of surveys of ``kind`` in [start, end) for the
        accounts, in the survey app's order."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end are aware datetimes")
        if self._answers is None or not account_ids:
            return []
        return list(self._answers(kind, account_ids, start, end))


SURVEY_SERVICE = SurveyService()
