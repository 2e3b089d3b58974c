"""A delivery builds each invitation's mail from one prototype: every mail must read exactly as
Django would build it alone (its own address, token link and unsubscribe header). A public
save that finds SQLite locked is tried again."""

from __future__ import annotations

import copy
import datetime as dt
import time
from email.message import Message

import pytest
from django.core.mail import BadHeaderError, EmailMessage
from django.db import OperationalError

from clientdesk.surveys import actions, tokens
from clientdesk.surveys.actions import Addressee, Mailing
from clientdesk.surveys.models import Invitation, SurveyResponse

EXPIRES = dt.datetime(2026, 12, 25, 17, 0, tzinfo=dt.UTC)


def _headers(msg: Message) -> list[tuple[str, str]]:
    """The headers but the two that differ by design between two builds of one mail."""
    return sorted((k, str(v)) for k, v in msg.items() if k not in ("Date", "Message-ID"))


def test_each_mail_of_a_delivery_reads_as_if_built_alone() -> None:
    people = [
        Addressee(f"person{i}@sponsor.example", tokens.new_nonce(), lang, EXPIRES)
        for i, lang in enumerate(["en", "es", "en", "es", "en"])
    ]
    mailing = Mailing(reminder=False)
    mails = [mailing.message(p) for p in people]
    # The first mail of each language builds the prototype; the others are copies of it.
    assert [m.prototype is not None for m in mails] == [False, False, True, True, True]
    ids = set()
    for person, mail in zip(people, mails, strict=True):
        built = mail.message()
        alone = EmailMessage(mail.subject, mail.body, to=mail.to, headers=mail.extra_headers)
        expected = alone.message()
        token = tokens.token_for(person.nonce)
        assert built["To"] == person.email
        assert f"/s/{token}/" in built.get_payload()
        assert built["List-Unsubscribe"].endswith(f"/s/{token}/unsubscribe/>")
        assert _headers(built) == _headers(expected)
        assert built.get_payload() == expected.get_payload()
        assert built.as_bytes().split(b"\n\n", 1)[1] == expected.as_bytes().split(b"\n\n", 1)[1]
        ids.add(built["Message-ID"])
    assert len(ids) == len(people)
    assert "Unas preguntas" in mails[3].subject
    # The prototype itself is untouched by the copies made from it.
    proto = mailing.prototypes[("en", EXPIRES)]
    assert proto is not None
    assert proto.message["To"] == people[0].email
    # The test backend's deep copy keeps the mail (and shares the prototype, never changed).
    kept = copy.deepcopy(mails[2])
    assert kept.prototype is mails[2].prototype
    assert kept.to == mails[2].to and kept.to is not mails[2].to
    assert kept.message().get_payload() == mails[2].message().get_payload()


def test_a_header_with_a_line_break_is_refused_on_a_copy_too() -> None:
    mailing = Mailing(reminder=True)
    mailing.message(Addressee("first@sponsor.example", tokens.new_nonce(), "en", EXPIRES))
    bad = mailing.message(
        Addressee("a@b.example\nBcc: x@y.example", tokens.new_nonce(), "en", EXPIRES)
    )
    assert bad.prototype is not None
    with pytest.raises(BadHeaderError):
        bad.message()


def test_a_locked_save_is_tried_again_and_other_errors_are_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    done = actions.Saved(response=SurveyResponse(), errors={}, completed=True)

    def locked_twice(*args: object, **kwargs: object) -> actions.Saved:
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        return done

    monkeypatch.setattr(actions, "do_save_answers", locked_twice)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    invitation = Invitation()
    assert actions.save_answers(invitation, {}, finish=True) is done
    assert len(calls) == 3

    def always_locked(*args: object, **kwargs: object) -> actions.Saved:
        calls.append(1)
        raise OperationalError("database is locked")

    calls.clear()
    monkeypatch.setattr(actions, "do_save_answers", always_locked)
    with pytest.raises(OperationalError):  # locked every time: the last error is raised
        actions.save_answers(invitation, {}, finish=True)
    assert len(calls) == actions.SAVE_ATTEMPTS

    def broken(*args: object, **kwargs: object) -> actions.Saved:
        calls.append(1)
        raise OperationalError("no such table: surveys_invitation")

    calls.clear()
    monkeypatch.setattr(actions, "do_save_answers", broken)
    with pytest.raises(OperationalError):
        actions.save_answers(invitation, {}, finish=True)
    assert len(calls) == 1
