"""Every write of the surveys app: one transaction with its audit row, mail after the commit.

Sending is two steps. `do_send_survey` / `do_send_transactional` record the send and one
invitation per person (leaving out, with the reason, anyone unsubscribed, without an address
or surveyed within the throttle window, by any survey), and queue the delivery;
`deliver_send` (the background worker) renders and mails the invitations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account, Assignment, Contact
from clientdesk.audit.recording import record_audit, snapshot
from clientdesk.inquiries.models import DONE_STATUSES, Inquiry
from clientdesk.lib.business_calendar import BusinessCalendar, is_business_day
from clientdesk.surveys import conf, tokens
from clientdesk.surveys.models import (
    FollowUp,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    Language,
    ResponseImport,
    ResponseSource,
    Survey,
    SurveyResponse,
    SurveySend,
    SurveyVersion,
    Unsubscribe,
)
from clientdesk.surveys.questions import QuestionError, QuestionSet, parse_questions
from clientdesk.surveys.satisfaction import is_detractor

AnyUser = AbstractBaseUser | AnonymousUser
Enqueue = Callable[[int], str]
MAIL_BATCH = 500


class SurveyError(ValueError):
    """A survey write refused, with the reason in words."""


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


def _create_invitations(
    send: SurveySend, recipients: Sequence[Recipient], language: str, now: dt.datetime
) -> tuple[int, int]:
    """Invitations for the recipients (skipped ones kept with their reason); (invited, skipped)."""
    emails = [r.email.lower() for r in recipients if r.email]
    throttled = throttled_emails(emails, now)
    unsubscribed = unsubscribed_emails(emails)
    rows: list[Invitation] = []
    seen: set[str] = set()
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
        nonce = tokens.new_nonce()
        rows.append(
            Invitation(
                send_id=send.pk,  # ids, not objects: no descriptor work per row
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
                created_at=now,
            )
        )
    Invitation.objects.bulk_create(rows, batch_size=2000)
    skipped = sum(1 for row in rows if row.skip_reason)
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


# Never in a token (URL-safe base64) nor in the mail templates.
TOKEN_SLOT = "~token~"  # noqa: S105  (a placeholder, not a secret)
MailBodies = dict[tuple[str, str, dt.datetime | None], tuple[str, str]]


def _mail_body(which: str, language: str, expires: dt.datetime | None) -> tuple[str, str]:
    """The mail's body and survey link with TOKEN_SLOT where the token goes: every invitation
    of a send reads the same but for its token, so the template is rendered once a send."""
    link = _public_url("answer", TOKEN_SLOT)
    body = get_template(f"surveys/mail/{which}_{language}.txt").render(
        {"link": link, "unsubscribe": link + "unsubscribe/", "expires": expires}
    )
    return body, link


def invitation_message(
    invitation: Invitation, *, reminder: bool = False, bodies: MailBodies | None = None
) -> EmailMultiAlternatives:
    """The mail of one invitation (plain text; no account or member data beyond the greeting).
    `bodies` keeps the rendered bodies between the invitations of one delivery."""
    which = "reminder" if reminder else "invitation"
    language = invitation.language if invitation.language in ("en", "es") else "en"
    key = (which, language, invitation.expires_at)
    cached = bodies.get(key) if bodies is not None else None
    if cached is None:
        cached = _mail_body(which, language, invitation.expires_at)
        if bodies is not None:
            bodies[key] = cached
    body, link = cached
    token = tokens.token_for(invitation.nonce)
    unsubscribe = link.replace(TOKEN_SLOT, token) + "unsubscribe/"
    return EmailMultiAlternatives(
        SUBJECTS[(which, language)],
        body.replace(TOKEN_SLOT, token),
        to=[invitation.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>"},
    )


def _mail(invitations: Sequence[Invitation], *, reminder: bool) -> None:
    connection = get_connection()
    bodies: MailBodies = {}
    for start in range(0, len(invitations), MAIL_BATCH):
        batch = invitations[start : start + MAIL_BATCH]
        connection.send_messages(
            [invitation_message(i, reminder=reminder, bodies=bodies) for i in batch]
        )


def deliver_send(send_id: int, *, now: dt.datetime | None = None) -> SurveySend:
    """Mail a send's queued invitations (the worker's job; safe to run twice: only queued
    invitations go, and an address unsubscribed since the send is left out)."""
    now = now or timezone.now()
    with transaction.atomic():
        send = (
            SurveySend.objects.select_for_update(of=("self",))
            .select_related("account")
            .get(pk=send_id)
        )
        queued = list(send.invitations.filter(status=InvitationStatus.QUEUED).order_by("pk"))
        gone = unsubscribed_emails(i.email for i in queued)
        late = [i for i in queued if i.email in gone]
        ready = [i for i in queued if i.email not in gone]
        expires = now + dt.timedelta(days=conf.EXPIRY_DAYS)
        for invitation in ready:
            invitation.expires_at = expires
        Invitation.objects.filter(pk__in=[i.pk for i in late]).update(
            status=InvitationStatus.SKIPPED, skip_reason="unsubscribed"
        )
        Invitation.objects.filter(pk__in=[i.pk for i in ready]).update(
            status=InvitationStatus.SENT, sent_at=now, expires_at=expires
        )
        send.status = SurveySend.Status.SENT
        send.delivered_at = now
        send.skipped += len(late)
        send.invited -= len(late)
        send.save(update_fields=["status", "delivered_at", "skipped", "invited"])
        record_audit(
            actor=None,
            action="surveys.deliver",
            obj=send,
            account=send.account,
            detail={"mailed": len(ready), "unsubscribed_since": len(late)},
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
    _mail(due, reminder=True)  # inside the transaction, as deliver_send
    return len(due)


# --- the public page ----------------------------------------------------------------------


class TokenState:
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    UNSUBSCRIBED = "unsubscribed"


def invitation_for_token(token: str, now: dt.datetime) -> tuple[Invitation | None, str]:
    """The invitation of a link and whether it may be answered."""
    if not tokens.looks_like_token(token):
        return None, TokenState.UNKNOWN
    invitation = (
        Invitation.objects.select_related("version", "version__survey")
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
    if Unsubscribe.objects.filter(email=invitation.email).exists():
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
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == InvitationStatus.COMPLETED:
        raise SurveyError("this survey has already been answered")
    questions: QuestionSet = invitation.version.question_set()
    survey = invitation.version.survey
    response = SurveyResponse.objects.filter(invitation=invitation).first()
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
) -> FollowUp:
    """Record the call back: contacted (with notes) or closed (with the outcome)."""
    now = now or timezone.now()
    if status not in FollowUpStatus.values:
        raise SurveyError(f"unknown status {status!r}")
    if status == FollowUpStatus.CLOSED and not outcome.strip():
        raise SurveyError("say what came of the follow-up to close it")
    before = snapshot(follow_up, ["status", "notes", "outcome"])
    follow_up.status = status
    follow_up.notes = notes.strip()
    follow_up.outcome = outcome.strip()
    if status in (FollowUpStatus.CONTACTED, FollowUpStatus.CLOSED) and not follow_up.contacted_at:
        follow_up.contacted_at = now
    follow_up.closed_at = now if status == FollowUpStatus.CLOSED else None
    follow_up.save()
    record_audit(
        actor=acting_user,
        action="surveys.follow_up",
        obj=follow_up,
        account=follow_up.account,
        before=before,
        after=snapshot(follow_up, ["status", "notes", "outcome"]),
    )
    return follow_up


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
