"""Every write of the surveys app: one transaction with its audit row, mail after the commit.

Sending is two steps. `do_send_survey` / `do_send_transactional` record the send and one
invitation per person (leaving out, with the reason, anyone unsubscribed, without an address
or surveyed within the throttle window, by any survey), and queue the delivery;
`deliver_send` (the background worker) renders and mails the invitations.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from email.utils import formatdate, make_msgid
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import EmailMessage, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account, Assignment, Contact
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.audit.updating import check_version, update_audited
from clientdesk.inquiries.models import DONE_STATUSES, Inquiry
from clientdesk.lib.business_calendar import BusinessCalendar, is_business_day
from clientdesk.lib.survey_service import SendOutcome
from clientdesk.surveys import conf, tokens
from clientdesk.surveys.models import (
    CADENCE_MONTHS,
    Cadence,
    FollowUp,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    Language,
    ResponseImport,
    ResponseSource,
    Survey,
    SurveyKind,
    SurveyResponse,
    SurveySchedule,
    SurveySend,
    SurveyVersion,
    Unsubscribe,
)
from clientdesk.surveys.questions import QuestionError, QuestionSet, parse_questions
from clientdesk.surveys.satisfaction import is_detractor
from clientdesk.surveys.schedules import next_after

AnyUser = AbstractBaseUser | AnonymousUser
Enqueue = Callable[[int], str]
MAIL_BATCH = 500


class SurveyError(ValueError):
    """A survey write refused, with the reason in words."""


class ScheduleTaken(SurveyError):
    """The survey is already scheduled for the account: that schedule is the one to change."""


# --- surveys and versions ---------------------------------------------------------------


@transaction.atomic
def do_create_survey(
    name: str, kind: str, questions: Any, *, acting_user: AnyUser | None
) -> Survey:
    """A survey with its first version of questions (raises QuestionError when they are not
    usable)."""
    parse_questions(questions)
    now = timezone.now()
    creator = _person(acting_user)
    survey = Survey.objects.create(name=name, kind=kind, created_by=creator, created_at=now)
    SurveyVersion.objects.create(
        survey=survey, number=1, questions=questions, created_by=creator, created_at=now
    )
    record_audit(
        actor=acting_user,
        action="surveys.create",
        obj=survey,
        after={**snapshot(survey, ["name", "kind"]), "questions": len(questions)},
    )
    return survey


@transaction.atomic
def do_new_version(survey: Survey, questions: Any, *, acting_user: AnyUser | None) -> SurveyVersion:
    """The survey's next version (answers to earlier versions keep reading theirs)."""
    parse_questions(questions)
    current = survey.current_version()
    if current.questions == questions:
        raise QuestionError("the questions are the same as the current version's")
    creator = _person(acting_user)
    version = SurveyVersion.objects.create(
        survey=survey,
        number=current.number + 1,
        questions=questions,
        created_by=creator,
        created_at=timezone.now(),
    )
    record_audit(
        actor=acting_user,
        action="surveys.new_version",
        obj=survey,
        before={"version": current.number},
        after={"version": version.number, "questions": len(questions)},
    )
    return version


# --- sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    account_id: int
    email: str
    contact_id: int | None = None
    contact_role: str = ""
    associate_id: int | None = None
    inquiry_id: int | None = None


def _lead_ids(account_ids: Iterable[int]) -> dict[int, int]:
    rows = Assignment.objects.filter(account_id__in=set(account_ids), role="lead")
    return dict(rows.values_list("account_id", "user_id"))


def _person(user: AnyUser | None) -> User | None:
    """The signed-in person behind an action, or None (the CLI, the worker, a respondent)."""
    return user if isinstance(user, User) and user.is_authenticated else None


def throttled_emails(emails: Iterable[str], now: dt.datetime) -> set[str]:
    """Addresses invited (queued or sent, by any survey) within the throttle window."""
    wanted = {e.lower() for e in emails}
    if not wanted:
        return set()
    since = now - dt.timedelta(days=conf.THROTTLE_DAYS)
    recent = Invitation.objects.filter(email__in=wanted, created_at__gte=since).exclude(
        status=InvitationStatus.SKIPPED
    )
    return set(recent.values_list("email", flat=True))


def unsubscribed_emails(emails: Iterable[str]) -> set[str]:
    wanted = {e.lower() for e in emails}
    return set(Unsubscribe.objects.filter(email__in=wanted).values_list("email", flat=True))


class NewInvitation(NamedTuple):
    """An invitation about to be written (the columns of Invitation, in order)."""

    send_id: int
    version_id: int
    account_id: int
    contact_id: int | None
    contact_role: str
    associate_id: int | None
    inquiry_id: int | None
    email: str
    language: str
    status: str
    skip_reason: str
    nonce: str
    token_hash: str
    created_at: Any


INSERT_BATCH = 2000


def _insert_invitations(rows: Sequence[NewInvitation]) -> None:
    """INSERT the invitations with executemany: a model instance and the ORM's SQL per row cost
    more CPU than everything else in a send (50,000 invitations in one relationship round)."""
    table = connection.ops.quote_name(Invitation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in NewInvitation._fields)
    marks = ", ".join(["%s"] * len(NewInvitation._fields))
    # Names come from the model and values are bound: not an injection risk.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH])


def _create_invitations(
    send: SurveySend, recipients: Sequence[Recipient], language: str, now: dt.datetime
) -> tuple[int, int]:
    """Invitations for the recipients (skipped ones kept with their reason); (invited, skipped)."""
    emails = [r.email.lower() for r in recipients if r.email]
    throttled = throttled_emails(emails, now)
    unsubscribed = unsubscribed_emails(emails)
    created_at = connection.ops.adapt_datetimefield_value(now)
    rows: list[NewInvitation] = []
    seen: set[str] = set()
    skipped = 0
    for r in recipients:
        email = r.email.strip().lower()
        reason = ""
        if not email:
            reason = "no e-mail address"
        elif email in unsubscribed:
            reason = "unsubscribed"
        elif email in throttled:
            reason = f"surveyed in the last {conf.THROTTLE_DAYS} days"
        elif email in seen:
            reason = "listed twice in this send"
        seen.add(email)
        skipped += bool(reason)
        nonce = tokens.new_nonce()
        rows.append(
            NewInvitation(
                send_id=send.pk,
                version_id=send.version_id,
                account_id=r.account_id,
                contact_id=r.contact_id,
                contact_role=r.contact_role,
                associate_id=r.associate_id,
                inquiry_id=r.inquiry_id,
                email=email or "-",
                language=language,
                status=InvitationStatus.SKIPPED if reason else InvitationStatus.QUEUED,
                skip_reason=reason,
                nonce=nonce,
                token_hash=tokens.token_hash(tokens.token_for(nonce)),
                created_at=created_at,
            )
        )
    _insert_invitations(rows)
    return len(rows) - skipped, skipped


def _queue(send: SurveySend, enqueue: Enqueue | None) -> None:
    if enqueue is None:
        return
    queue = enqueue
    send_id = send.pk
    transaction.on_commit(
        lambda: SurveySend.objects.filter(pk=send_id).update(task_id=queue(send_id)[:64])
    )


@transaction.atomic
def do_send_survey(
    survey: Survey,
    account: Account,
    contacts: Sequence[Contact],
    *,
    language: str = Language.EN,
    acting_user: AnyUser | None,
    enqueue: Enqueue | None = None,
    now: dt.datetime | None = None,
) -> SurveySend:
    """Send the survey's current version to some of an account's contacts. With `enqueue`
    (the pages, the API) the worker delivers after the commit; without it the caller calls
    `deliver_send` (the CLI, the demo)."""
    now = now or timezone.now()
    if not survey.is_active:
        raise SurveyError("this survey is retired: make it active to send it")
    if any(c.account_id != account.pk for c in contacts):
        raise SurveyError("every contact must be one of the account's")
    if not contacts:
        raise SurveyError("choose at least one contact")
    lead = _lead_ids([account.pk]).get(account.pk)
    recipients = [Recipient(account.pk, c.email, c.pk, c.role, lead) for c in contacts]
    send = SurveySend.objects.create(
        version=survey.current_version(),
        account=account,
        requested_by=_person(acting_user),
        requested_at=now,
    )
    send.invited, send.skipped = _create_invitations(send, recipients, language, now)
    send.save(update_fields=["invited", "skipped"])
    record_audit(
        actor=acting_user,
        action="surveys.send",
        obj=send,
        account=account,
        after={"survey": survey.pk, "version": send.version.number, "language": language},
        detail={"invited": send.invited, "skipped": send.skipped},
    )
    _queue(send, enqueue)
    return send


def send_survey_of_kind(
    kind: str, account_id: int, *, now: dt.datetime, enqueue: Enqueue | None = None
) -> SendOutcome:
    """`lib.survey_service`'s sender (the implementations app's survey at go-live + N days):
    the kind's newest active survey to every contact of the account with an address, by
    `do_send_survey` and its rules; the outcome says why when nothing was sent."""
    survey = Survey.objects.filter(kind=kind, is_active=True).order_by("-created_at", "-pk").first()
    if survey is None:
        return SendOutcome(reason=f"no active {kind} survey")
    account = Account.objects.get(pk=account_id)
    contacts = list(account.contacts.exclude(email="").order_by("pk"))
    if not contacts:
        return SendOutcome(reason="the account has no contact with an e-mail address")
    send = do_send_survey(survey, account, contacts, acting_user=None, enqueue=enqueue, now=now)
    return SendOutcome(send.pk, send.invited, send.skipped)


def resolved_inquiries_to_survey(
    since: dt.datetime, now: dt.datetime, limit: int | None = None
) -> list[Recipient]:
    """The requesters of inquiries resolved since `since` who have not been asked about that
    inquiry: sponsor and broker contacts with an address (a member's inquiry reaches us
    through the sponsor, and we hold no member address)."""
    asked = Invitation.objects.filter(inquiry_id__isnull=False).values("inquiry_id")
    inquiries = (
        Inquiry.objects.filter(
            status__in=DONE_STATUSES,
            resolved_at__gte=since,
            resolved_at__lte=now,
            contact__isnull=False,
            merged_into__isnull=True,
        )
        .exclude(contact__email="")
        .exclude(pk__in=asked)
        .select_related("contact")
        .order_by("resolved_at", "pk")
    )
    return [
        Recipient(
            i.account_id,
            i.contact.email if i.contact else "",
            i.contact_id,
            i.contact.role if i.contact else "",
            i.owner_id,
            i.pk,
        )
        for i in (inquiries[:limit] if limit is not None else inquiries)
    ]


@transaction.atomic
def do_send_transactional(
    survey: Survey,
    *,
    since: dt.datetime,
    acting_user: AnyUser | None,
    language: str = Language.EN,
    enqueue: Enqueue | None = None,
    now: dt.datetime | None = None,
    limit: int | None = None,
) -> SurveySend | None:
    """Send the transactional survey about every inquiry resolved since `since` and not yet
    asked about; None when there is none."""
    now = now or timezone.now()
    if survey.kind != "transactional":
        raise SurveyError("only a transactional survey is sent after resolved inquiries")
    recipients = resolved_inquiries_to_survey(since, now, limit)
    if not recipients:
        return None
    send = SurveySend.objects.create(
        version=survey.current_version(),
        account=None,
        requested_by=_person(acting_user),
        requested_at=now,
    )
    send.invited, send.skipped = _create_invitations(send, recipients, language, now)
    send.save(update_fields=["invited", "skipped"])
    record_audit(
        actor=acting_user,
        action="surveys.send_transactional",
        obj=send,
        after={"survey": survey.pk, "version": send.version.number, "since": since.isoformat()},
        detail={"invited": send.invited, "skipped": send.skipped},
    )
    _queue(send, enqueue)
    return send


def _public_url(name: str, token: str) -> str:
    return conf.BASE_URL.rstrip("/") + reverse(f"surveys_public:{name}", args=[token])


def survey_link(invitation: Invitation) -> str:
    return _public_url("answer", tokens.token_for(invitation.nonce))


def unsubscribe_link(invitation: Invitation) -> str:
    return _public_url("unsubscribe", tokens.token_for(invitation.nonce))


SUBJECTS = {
    ("invitation", "en"): "A few questions about our service",
    ("invitation", "es"): "Unas preguntas sobre nuestro servicio",
    ("reminder", "en"): "Reminder: a few questions about our service",
    ("reminder", "es"): "Recordatorio: unas preguntas sobre nuestro servicio",
}


# The slot each invitation's own token is written into, in the one mail built per language:
# never in a token (URL-safe base64) nor in the mail templates.
TOKEN_SLOT = "~token~"  # noqa: S105  (the slot's marker, not a secret)


class Addressee(NamedTuple):
    """What one invitation's mail needs: where it goes and its link."""

    email: str
    nonce: str
    language: str
    expires_at: dt.datetime | None


class Prototype(NamedTuple):
    """A mail built in full, whose copies the other mails of its kind are, and the charset of
    its body."""

    message: Message
    charset: str


class InvitationMail(EmailMessage):
    """One invitation's mail. The mails of a delivery differ only in the address, the token
    and the Message-ID, so the MIME message is built in full once (for the first mail) and
    every other mail is a copy of it with those headers and the body put in: the standard
    library's MIME building was a third of a send's CPU."""

    prototype: Prototype | None = None

    def message(self, *, policy: Any = None) -> Any:
        if self.prototype is None or policy is not None:
            return super().message() if policy is None else super().message(policy=policy)
        msg = copy.copy(self.prototype.message)  # shallow: deleting a header gives it its own list
        for name in ("To", "Date", "Message-ID", "List-Unsubscribe"):
            del msg[name]
        msg["To"] = ", ".join(str(v) for v in self.to)
        msg["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        msg["List-Unsubscribe"] = self.extra_headers["List-Unsubscribe"]
        # As bytes in its charset, the way the standard library keeps a 7- or 8-bit body.
        msg.set_payload(self.body.encode(self.prototype.charset))
        return msg

    def __deepcopy__(self, memo: dict[int, Any]) -> InvitationMail:
        """A deep copy (the test mail backend keeps one of each mail) shares the prototype,
        which nothing changes."""
        if self.prototype is not None:
            memo[id(self.prototype)] = self.prototype
        copied = self.__class__.__new__(self.__class__)
        memo[id(self)] = copied
        for name, value in self.__dict__.items():
            setattr(copied, name, copy.deepcopy(value, memo))
        return copied


class Mailing:
    """The mails of one delivery or reminder round: each template rendered once per
    (language, expiry), with TOKEN_SLOT where the token goes, and one MIME prototype each."""

    def __init__(self, *, reminder: bool) -> None:
        self.which = "reminder" if reminder else "invitation"
        self.bodies: dict[tuple[str, dt.datetime | None], tuple[str, str]] = {}
        self.prototypes: dict[tuple[str, dt.datetime | None], Prototype | None] = {}

    def _body(self, language: str, expires: dt.datetime | None) -> tuple[str, str]:
        found = self.bodies.get((language, expires))
        if found is None:
            link = _public_url("answer", TOKEN_SLOT)
            body = get_template(f"surveys/mail/{self.which}_{language}.txt").render(
                {"link": link, "unsubscribe": link + "unsubscribe/", "expires": expires}
            )
            found = self.bodies[(language, expires)] = (body, link)
        return found

    def message(self, to: Addressee) -> InvitationMail:
        """The mail of one invitation (plain text; no account or member data)."""
        language = to.language if to.language in ("en", "es") else "en"
        body, link = self._body(language, to.expires_at)
        token = tokens.token_for(to.nonce)
        unsubscribe = link.replace(TOKEN_SLOT, token) + "unsubscribe/"
        mail = InvitationMail(
            SUBJECTS[(self.which, language)],
            body.replace(TOKEN_SLOT, token),
            to=[to.email],
            headers={"List-Unsubscribe": f"<{unsubscribe}>"},
        )
        key = (language, to.expires_at)
        if key in self.prototypes:
            mail.prototype = self.prototypes[key]
        else:
            built = mail.message()
            # Only a body kept as text (no quoted-printable or base64) is put in as it is.
            plain = built.get("Content-Transfer-Encoding") in ("7bit", "8bit")
            charset = built.get_content_charset()
            self.prototypes[key] = Prototype(built, charset) if plain and charset else None
        return mail


def invitation_message(invitation: Invitation, *, reminder: bool = False) -> EmailMessage:
    """The mail of one invitation, alone (a delivery mails through a `Mailing`)."""
    return Mailing(reminder=reminder).message(
        Addressee(invitation.email, invitation.nonce, invitation.language, invitation.expires_at)
    )


def _mail(addressees: Sequence[Addressee], *, reminder: bool) -> None:
    """Hand the mails to the backend in batches over one connection (one SMTP session)."""
    if not addressees:
        return
    mailing = Mailing(reminder=reminder)
    with get_connection() as backend:
        for start in range(0, len(addressees), MAIL_BATCH):
            batch = addressees[start : start + MAIL_BATCH]
            backend.send_messages([mailing.message(a) for a in batch])


def deliver_send(send_id: int, *, now: dt.datetime | None = None) -> SurveySend:
    """Mail a send's queued invitations (the worker's job; safe to run twice: only queued
    invitations go, and an address unsubscribed since the send is left out)."""
    now = now or timezone.now()
    expires = now + dt.timedelta(days=conf.EXPIRY_DAYS)
    with transaction.atomic():
        send = (
            SurveySend.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=send_id)
        )
        queued = send.invitations.filter(status=InvitationStatus.QUEUED)
        rows = list(queued.order_by("pk").values_list("email", "nonce", "language"))
        gone = unsubscribed_emails(email for email, _, _ in rows)
        ready = [Addressee(e, n, lang, expires) for e, n, lang in rows if e not in gone]
        late = len(rows) - len(ready)
        if late:
            queued.filter(email__in=gone).update(
                status=InvitationStatus.SKIPPED, skip_reason="unsubscribed"
            )
        queued.update(status=InvitationStatus.SENT, sent_at=now, expires_at=expires)
        send.status = SurveySend.Status.SENT
        send.delivered_at = now
        send.skipped += late
        send.invited -= late
        send.save(update_fields=["status", "delivered_at", "skipped", "invited"])
        record_audit(
            actor=None,
            action="surveys.deliver",
            obj=send,
            account=send.account,
            detail={"mailed": len(ready), "unsubscribed_since": late},
        )
        # Mailed inside the transaction: a mail server that fails rolls the marks back, so
        # the worker's retry mails the same invitations (none is marked sent unmailed).
        _mail(ready, reminder=False)
    return send


@transaction.atomic
def do_send_reminders(*, now: dt.datetime | None = None, acting_user: AnyUser | None = None) -> int:
    """The one reminder, to every invitation sent at least REMINDER_DAYS ago that is neither
    finished, reminded, expired nor unsubscribed. Answers how many went."""
    now = now or timezone.now()
    due = list(
        Invitation.objects.select_for_update()
        .filter(
            status__in=[InvitationStatus.SENT, InvitationStatus.STARTED],
            sent_at__lte=now - dt.timedelta(days=conf.REMINDER_DAYS),
            reminded_at__isnull=True,
            expires_at__gt=now,
        )
        .order_by("pk")
    )
    gone = unsubscribed_emails(i.email for i in due)
    due = [i for i in due if i.email not in gone]
    if not due:
        return 0
    Invitation.objects.filter(pk__in=[i.pk for i in due]).update(reminded_at=now)
    record_audit(
        actor=acting_user,
        action="surveys.remind",
        object_type="surveys.invitation",
        object_label=f"{len(due)} reminders",
        detail={"reminded": len(due), "invitations": [i.pk for i in due][:1000]},
    )
    addressees = [Addressee(i.email, i.nonce, i.language, i.expires_at) for i in due]
    _mail(addressees, reminder=True)  # inside the transaction, as deliver_send
    return len(due)


# --- the public page ----------------------------------------------------------------------


class TokenState:
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    UNSUBSCRIBED = "unsubscribed"


def invitation_for_token(token: str, now: dt.datetime) -> tuple[Invitation | None, str]:
    """The invitation of a link and whether it may be answered: one query (the public page
    asks it on every request), with the questions' version and survey, the answers saved so
    far (``invitation.response``, absent before the first save) and whether the address has
    unsubscribed."""
    if not tokens.looks_like_token(token):
        return None, TokenState.UNKNOWN
    invitation = (
        Invitation.objects.select_related("version", "version__survey", "response")
        .annotate(unsubscribed=Exists(Unsubscribe.objects.filter(email=OuterRef("email"))))
        .filter(token_hash=tokens.token_hash(token))
        .first()
    )
    if invitation is None or invitation.status in (
        InvitationStatus.QUEUED,
        InvitationStatus.SKIPPED,
    ):
        return None, TokenState.UNKNOWN
    if invitation.status == InvitationStatus.COMPLETED:
        return invitation, TokenState.USED
    if invitation.unsubscribed:
        return invitation, TokenState.UNSUBSCRIBED
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return invitation, TokenState.EXPIRED
    return invitation, TokenState.OPEN


@dataclass
class Saved:
    response: SurveyResponse
    errors: dict[str, str]
    completed: bool
    follow_up: FollowUp | None = None


def add_business_days(day: dt.date, count: int) -> dt.date:
    calendar = BusinessCalendar()
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, calendar):
            count -= 1
    return day


_ONE_WRITER = threading.Lock()
SAVE_ATTEMPTS = 4


@contextmanager
def _sqlite_writer() -> Iterator[None]:
    """SQLite takes one writer at a time. The threads of one process queue for it here, and
    each is woken as the one before finishes, instead of polling the file lock (whose
    growing sleeps left the slowest saves waiting seconds under 50 respondents at once).
    Processes still queue on the busy timeout; PostgreSQL needs neither."""
    if connection.vendor != "sqlite":
        yield
        return
    with _ONE_WRITER:
        yield


def save_answers(
    invitation: Invitation,
    raw: Mapping[str, Sequence[str]],
    *,
    finish: bool,
    now: dt.datetime | None = None,
) -> Saved:
    """`do_save_answers` for the public page: queued behind the other writers of the process,
    and tried again (the whole transaction, after a short random pause) when the database
    stays locked past its busy timeout, so a respondent's answers are saved, not refused."""
    for attempt in range(1, SAVE_ATTEMPTS + 1):
        try:
            with _sqlite_writer():
                return do_save_answers(invitation, raw, finish=finish, now=now)
        except OperationalError as error:
            if "locked" not in str(error) or attempt == SAVE_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.05, 0.25) * attempt)  # noqa: S311  (a pause, not a secret)
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def do_save_answers(
    invitation: Invitation,
    raw: Mapping[str, Sequence[str]],
    *,
    finish: bool,
    now: dt.datetime | None = None,
) -> Saved:
    """Save what the respondent typed (every valid answer, even unfinished) and, with
    `finish`, complete the invitation when every asked required question has an answer. A
    branch that a new answer opens ("why" after a low score) keeps the survey open."""
    now = now or timezone.now()
    # The row locked and read again with the answers saved so far (another request of the
    # same link may have saved since it was read); its version and survey never change.
    version = invitation.version
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("response")
        .get(pk=invitation.pk)
    )
    if invitation.status == InvitationStatus.COMPLETED:
        raise SurveyError("this survey has already been answered")
    invitation.version = version
    questions: QuestionSet = version.question_set()
    survey = version.survey
    response: SurveyResponse | None = getattr(invitation, "response", None)
    if response is None:
        response = SurveyResponse(
            source=ResponseSource.SURVEY,
            invitation=invitation,
            account_id=invitation.account_id,
            survey=survey,
            kind=survey.kind,
            contact_role=invitation.contact_role,
            associate_id=invitation.associate_id,
            language=invitation.language,
            started_at=now,
        )
    answers: dict[str, Any] = dict(response.answers)
    errors: dict[str, str] = {}
    asked_before = {q.key for q in questions.asked(answers)}
    for question in questions:
        if question.key not in raw:
            continue
        try:
            value = question.clean(raw[question.key])
        except QuestionError as error:
            errors[question.key] = str(error)
            continue
        if value is None:
            answers.pop(question.key, None)
        else:
            answers[question.key] = value
    # An answer to a branch that is no longer asked (the score went up) is dropped.
    answers = {k: v for k, v in answers.items() if k in {q.key for q in questions.asked(answers)}}
    response.answers = answers
    scores = questions.scores(answers)
    response.nps, response.csat, response.ces = scores["nps"], scores["csat"], scores["ces"]
    response.verbatim = questions.verbatim(answers)
    newly_asked = [
        q for q in questions.asked(answers) if q.key not in asked_before and q.key not in answers
    ]
    completed = False
    if finish and not errors:
        for question in questions.missing(answers):
            if question not in newly_asked:
                errors[question.key] = "this question needs an answer"
        completed = not errors and not newly_asked
    if completed:
        response.submitted_at = now
    response.save()
    invitation.status = InvitationStatus.COMPLETED if completed else InvitationStatus.STARTED
    invitation.completed_at = now if completed else None
    invitation.save(update_fields=["status", "completed_at"])
    follow_up = None
    if completed:
        record_audit(
            actor=None,
            action="surveys.respond",
            obj=response,
            account=invitation.account,
            detail={"invitation": invitation.pk, **response.scores()},
        )
        if is_detractor(response.nps, response.csat):
            follow_up = _open_follow_up(response, now)
    return Saved(response, errors, completed, follow_up)


def _open_follow_up(response: SurveyResponse, now: dt.datetime) -> FollowUp:
    local = timezone.localdate(now)
    owner = _lead_ids([response.account_id]).get(response.account_id)
    follow_up = FollowUp.objects.create(
        response=response,
        account_id=response.account_id,
        owner_id=owner,
        due=add_business_days(local, conf.FOLLOW_UP_BUSINESS_DAYS),
        opened_at=now,
    )
    record_audit(
        actor=None,
        action="surveys.follow_up_open",
        obj=follow_up,
        account=follow_up.account,
        after=snapshot(follow_up, ["owner", "due", "status"]),
    )
    return follow_up


@transaction.atomic
def do_unsubscribe(invitation: Invitation, *, now: dt.datetime | None = None) -> Unsubscribe:
    """Never survey this address again (every later send and reminder leaves it out)."""
    now = now or timezone.now()
    found, created = Unsubscribe.objects.get_or_create(
        email=invitation.email, defaults={"at": now, "invitation": invitation}
    )
    if created:
        record_audit(
            actor=None,
            action="surveys.unsubscribe",
            obj=found,
            account=invitation.account,
            detail={"invitation": invitation.pk},
        )
    return found


# --- the closed loop ----------------------------------------------------------------------


@transaction.atomic
def do_work_follow_up(
    follow_up: FollowUp,
    *,
    status: str,
    notes: str,
    outcome: str = "",
    acting_user: AnyUser | None,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> FollowUp:
    """Record the call back: contacted (with notes) or closed (with the outcome). Given the
    version the editor saw, a follow-up someone else saved since raises StaleEdit and
    nothing changes."""
    now = now or timezone.now()
    if status not in FollowUpStatus.values:
        raise SurveyError(f"unknown status {status!r}")
    if status == FollowUpStatus.CLOSED and not outcome.strip():
        raise SurveyError("say what came of the follow-up to close it")
    follow_up = FollowUp.objects.select_for_update().select_related("account").get(pk=follow_up.pk)
    check_version(follow_up, expected_version)
    before = snapshot(follow_up, ["status", "notes", "outcome"])
    follow_up.status = status
    follow_up.notes = notes.strip()
    follow_up.outcome = outcome.strip()
    if status in (FollowUpStatus.CONTACTED, FollowUpStatus.CLOSED) and not follow_up.contacted_at:
        follow_up.contacted_at = now
    follow_up.closed_at = now if status == FollowUpStatus.CLOSED else None
    after = snapshot(follow_up, ["status", "notes", "outcome"])
    if after != before:
        follow_up.version += 1
    follow_up.save()
    record_audit(
        actor=acting_user,
        action="surveys.follow_up",
        obj=follow_up,
        account=follow_up.account,
        before=before,
        after=after,
    )
    return follow_up


# --- recurring relationship surveys ---------------------------------------------------------

SCHEDULE_FIELDS = ("cadence", "roles", "language", "next_on", "is_active")


def _check_schedule(survey: Survey, account: Account) -> None:
    if survey.kind != SurveyKind.RELATIONSHIP:
        raise SurveyError("a schedule sends a relationship survey")
    if not survey.is_active:
        raise SurveyError("this survey is retired: make it active to schedule it")
    if SurveySchedule.objects.filter(survey=survey, account=account).exists():
        raise ScheduleTaken("this survey is already scheduled for the account: change that one")


@transaction.atomic
def do_create_schedule(
    survey: Survey,
    account: Account,
    *,
    cadence: str,
    next_on: dt.date,
    roles: Sequence[str] = (),
    language: str = Language.EN,
    acting_user: AnyUser | None,
    now: dt.datetime | None = None,
) -> SurveySchedule:
    """Send `survey` to the account's contacts (of `roles`; all when empty) on `next_on` and
    every cadence after it, by the daily clock."""
    _check_schedule(survey, account)
    schedule = SurveySchedule(
        survey=survey,
        account=account,
        cadence=cadence,
        roles=sorted(set(roles)),
        language=language,
        next_on=next_on,
        created_by=_person(acting_user),
        created_at=now or timezone.now(),
    )
    schedule.full_clean()
    schedule.save()
    record_audit(
        actor=acting_user,
        action="surveys.schedule.create",
        obj=schedule,
        account=account,
        after=snapshot(schedule, ["survey", *SCHEDULE_FIELDS]),
    )
    return schedule


@transaction.atomic
def do_update_schedule(
    schedule: SurveySchedule,
    changes: Mapping[str, Any],
    *,
    acting_user: AnyUser | None,
    expected_version: int | None = None,
) -> SurveySchedule:
    """Change the cadence, roles, language, next send or pause it (is_active). Given the
    version the editor saw, a schedule someone else (or the clock) saved since raises
    StaleEdit and nothing changes."""
    locked = (
        SurveySchedule.objects.select_for_update().select_related("account").get(pk=schedule.pk)
    )
    changes = dict(changes)
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
    update_audited(
        locked,
        changes,
        allowed=SCHEDULE_FIELDS,
        action="surveys.schedule.update",
        acting_user=acting_user,
        account=locked.account,
        versioned=True,
        expected_version=expected_version,
    )
    return locked


def scheduled_contacts(schedule: SurveySchedule) -> list[Contact]:
    contacts = Contact.objects.filter(account_id=schedule.account_id).exclude(email="")
    if schedule.roles:
        contacts = contacts.filter(role__in=schedule.roles)
    return list(contacts.order_by("pk"))


@transaction.atomic
def do_run_schedule(
    schedule_id: int, today: dt.date, *, enqueue: Enqueue, now: dt.datetime | None = None
) -> SurveySend | None:
    """Send a due schedule once and move it to its next turn after today (the clock's job;
    `enqueue` queues the delivery, as for a send from the pages).
    Idempotent: the row is locked and read again, so a schedule already moved past today
    (a second run the same day, another clock) sends nothing. Returns the send (delivered
    by the worker after the commit), or None when nothing was due or nobody could be asked
    (the reason is kept on the schedule)."""
    now = now or timezone.now()
    schedule = (
        SurveySchedule.objects.select_for_update()
        .select_related("survey", "account")
        .get(pk=schedule_id)
    )
    if not schedule.is_active or schedule.next_on > today:
        return None
    before = snapshot(schedule, ["next_on", "last_send"])
    send: SurveySend | None = None
    contacts = scheduled_contacts(schedule)
    if not schedule.survey.is_active:
        outcome = "not sent: the survey is retired"
    elif not contacts:
        outcome = "not sent: no contact with an address in the roles asked"
    else:
        send = do_send_survey(
            schedule.survey,
            schedule.account,
            contacts,
            language=schedule.language,
            acting_user=None,
            enqueue=enqueue,
            now=now,
        )
        outcome = f"sent: {send.invited} invited, {send.skipped} not sent"
        schedule.last_send = send
    schedule.next_on = next_after(
        schedule.next_on, CADENCE_MONTHS[Cadence(schedule.cadence)], today
    )
    schedule.last_run_on = today
    schedule.last_outcome = outcome
    schedule.version += 1
    schedule.save()
    record_audit(
        actor=None,
        action="surveys.schedule.run",
        obj=schedule,
        account=schedule.account,
        before=before,
        after=snapshot(schedule, ["next_on", "last_send"]),
        detail={"outcome": outcome},
    )
    return send


# --- imports ------------------------------------------------------------------------------


@transaction.atomic
def do_import_responses(
    data: bytes | str,
    mapping: Mapping[str, str],
    *,
    kind: str,
    source_name: str,
    tool: str = "",
    audience: str = "sponsor",
    acting_user: AnyUser | None,
) -> ResponseImport:
    """Load another tool's export: every row loaded as a response (source "import") or
    rejected with its reason, kept on the import. A detractor among them opens no follow-up
    (the other tool's answers are history, not a call to make today)."""
    from clientdesk.surveys.imports import parse_export

    already = SurveyResponse.objects.filter(source=ResponseSource.IMPORT).exclude(external_id="")
    parsed = parse_export(data, mapping, seen_ids=already.values_list("external_id", flat=True))
    batch = ResponseImport.objects.create(
        source_name=source_name[:255],
        tool=tool,
        mapping=dict(mapping),
        kind=kind,
        audience=audience,
        rows_read=parsed.read,
        loaded=len(parsed.rows),
        rejected=len(parsed.rejections),
        rejections=parsed.rejections,
        actor=_person(acting_user),
        at=timezone.now(),
    )
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                source=ResponseSource.IMPORT,
                import_batch=batch,
                external_id=row.response_id,
                account_id=row.account_id,
                kind=kind,
                contact_role=row.contact_role,
                nps=row.nps,
                csat=row.csat,
                ces=row.ces,
                verbatim=row.verbatim,
                answers={"nps": row.nps, "csat": row.csat, "ces": row.ces},
                started_at=row.answered_at,
                submitted_at=row.answered_at,
            )
            for row in parsed.rows
        ],
        batch_size=2000,
    )
    record_audit(
        actor=acting_user,
        action="surveys.import",
        obj=batch,
        after={"source": batch.source_name, "tool": tool, "kind": kind, "audience": audience},
        detail={"read": batch.rows_read, "loaded": batch.loaded, "rejected": batch.rejected},
    )
    return batch
