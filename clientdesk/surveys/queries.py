"""Reads: satisfaction counts whatever the source, results by dimension, follow-ups.

`satisfaction_by_account` is the one function every reader of satisfaction calls (the
account's health through ACCOUNT_MEASURES, the Surveys tab, the results page, the CLI, the
reports): our own answers and imported exports from the database, plus the lake's
`survey_response` feed, reduced to the same `Counts`, whose figures `satisfaction.Figures`
computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from clientdesk.accounts.models import Account, Contact, ContactRole
from clientdesk.insights.queries import text_themes
from clientdesk.lake.gateway import LakeError, Reader, SystemActor, open_lake, scope_of
from clientdesk.lake.memo import LakeMemo
from clientdesk.lib.calls import Cause, Urgency
from clientdesk.lib.measures import Value
from clientdesk.lib.survey_answers import SATISFIED_CSAT, SurveyAnswer
from clientdesk.lib.work import WorkItem, WorkList
from clientdesk.surveys.marts.lake_feed import feed_counts, feed_verbatims
from clientdesk.surveys.models import (
    Audience,
    FollowUp,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    ResponseSource,
    Survey,
    SurveyKind,
    SurveyResponse,
)
from clientdesk.surveys.satisfaction import Counts, Figures
from clientdesk.surveys.verbatims import Comment, VerbatimThemes, name_words, summarise

AnyUser = AbstractBaseUser | AnonymousUser
MEASURE_READER = SystemActor("survey satisfaction measures")
MEASURE_MONTHS = 12
NOT_RELATIONSHIP = (SurveyKind.IMPLEMENTATION,)
"""Kinds the relationship readers leave out (the account's health, the satisfaction
guarantees, the reports): an implementation survey rates the installation, and is read apart
(implementation satisfaction, hypercare)."""


class Source(StrEnum):
    SURVEYS = "surveys"  # our invitations and answers, and imported exports
    FEED = "feed"  # the lake's survey_response feed


class Dimension(StrEnum):
    ACCOUNT = "account"
    ROLE = "role"
    SURVEY = "survey"
    PERIOD = "period"
    ASSOCIATE = "associate"


DIMENSION_LABELS = {
    Dimension.ACCOUNT: "Account",
    Dimension.ROLE: "Contact role",
    Dimension.SURVEY: "Survey",
    Dimension.PERIOD: "Month",
    Dimension.ASSOCIATE: "Associate",
}
_RESPONSE_KEY = {
    Dimension.ACCOUNT: "account_id",
    Dimension.ROLE: "contact_role",
    Dimension.SURVEY: "survey_id",
    Dimension.PERIOD: "month",
    Dimension.ASSOCIATE: "associate_id",
}


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """first 00:00 to the day after last 00:00, in the team's time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def _response_aggregates() -> dict[str, Any]:
    return {
        "answered": Count("id", filter=Q(invitation__isnull=False)),
        "responses": Count("id"),
        "nps_n": Count("nps"),
        "promoters": Count("id", filter=Q(nps__gte=9)),
        "detractors": Count("id", filter=Q(nps__lte=6)),
        "csat_n": Count("csat"),
        "satisfied": Count("id", filter=Q(csat__gte=SATISFIED_CSAT)),
        "csat_sum": Sum("csat", default=0),
        "ces_n": Count("ces"),
        "ces_sum": Sum("ces", default=0),
    }


def db_counts(
    first: dt.date,
    last: dt.date,
    *,
    by: Dimension = Dimension.ACCOUNT,
    accounts: Iterable[int] | QuerySet[Account] | None = None,
    kind: str = "",
    survey_id: int | None = None,
    exclude_kinds: Sequence[str] = (),
) -> dict[Any, Counts]:
    """Counts of the database's answers (ours and imported) submitted first..last, and of our
    invitations sent first..last, per value of the dimension (``exclude_kinds``: surveys of
    those kinds left out)."""
    start, end = _bounds(first, last)
    responses = SurveyResponse.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end
    ).annotate(month=TruncMonth("submitted_at"))
    invitations = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end).exclude(
        status=InvitationStatus.SKIPPED
    )
    if accounts is not None:
        responses = responses.filter(account__in=accounts)
        invitations = invitations.filter(account__in=accounts)
    if kind:
        responses = responses.filter(kind=kind)
        invitations = invitations.filter(version__survey__kind=kind)
    if exclude_kinds:
        responses = responses.exclude(kind__in=list(exclude_kinds))
        invitations = invitations.exclude(version__survey__kind__in=list(exclude_kinds))
    if survey_id is not None:
        responses = responses.filter(survey_id=survey_id)
        invitations = invitations.filter(version__survey_id=survey_id)
    key = _RESPONSE_KEY[by]
    out: dict[Any, Counts] = {}
    for row in responses.values(key).annotate(**_response_aggregates()).order_by():
        value = _key(row[key], by)
        counts = Counts(**{k: int(v or 0) for k, v in row.items() if k != key})
        out[value] = out.get(value, Counts()) + counts
    invitation_key = {
        Dimension.SURVEY: "version__survey_id",
        Dimension.PERIOD: "sent_month",
    }.get(by, key)
    if by == Dimension.PERIOD:
        invitations = invitations.annotate(sent_month=TruncMonth("sent_at"))
    for row in invitations.values(invitation_key).annotate(sent=Count("id")).order_by():
        value = _key(row[invitation_key], by)
        out[value] = out.get(value, Counts()) + Counts(sent=int(row["sent"]))
    return out


def _key(value: Any, by: Dimension) -> Any:
    if by == Dimension.PERIOD and isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def satisfaction_by_account(
    reader: Reader,
    account_ids: Sequence[int],
    first: dt.date,
    last: dt.date,
    *,
    sources: Iterable[Source] = (Source.SURVEYS, Source.FEED),
    exclude_kinds: Sequence[str] = NOT_RELATIONSHIP,
) -> dict[int, Counts]:
    """THE satisfaction counts per account for first..last, whatever the source: our surveys
    and imported exports (database) plus the lake's survey feed, read as `reader` (never
    wider than its scope). Accounts with nothing are left out. A feed that cannot be read
    (no lake yet) adds nothing: the database's answers still count. The implementation
    survey's answers are left out (`NOT_RELATIONSHIP`) unless ``exclude_kinds`` says
    otherwise: they rate an installation, not the relationship."""
    wanted = set(sources)
    out: dict[int, Counts] = {}
    if Source.SURVEYS in wanted:
        out.update(db_counts(first, last, accounts=list(account_ids), exclude_kinds=exclude_kinds))
    if Source.FEED in wanted and account_ids:
        zones = dict(Account.objects.filter(pk__in=account_ids).values_list("id", "timezone"))
        feed = _feed_memo.get(
            ["survey_response"],
            (scope_of(reader, list(zones)).account_ids, tuple(sorted(zones.items())), first, last),
            lambda: _read_feed(reader, zones, first, last),
        )
        for account_id, counts in feed.items():
            out[account_id] = out.get(account_id, Counts()) + counts
    return out


# The home page and the account pages ask for the feed's counts on every view: read once per
# state of the feed (and scope, accounts and period).
_feed_memo: LakeMemo[dict[int, Counts]] = LakeMemo(size=256)


def _read_feed(
    reader: Reader, zones: dict[int, str], first: dt.date, last: dt.date
) -> dict[int, Counts]:
    try:
        with open_lake(reader, accounts=list(zones)) as lake:
            return feed_counts(lake, zones, first, last)
    except LakeError:
        return {}


def collected_answers(
    account_ids: Sequence[int] | None,
    start: dt.datetime,
    end: dt.datetime,
    *,
    kind: str | None = None,
    exclude_kinds: Sequence[str] = (),
) -> list[SurveyAnswer]:
    """`lib.survey_answers` source "surveys": the invitations clientdesk sent and the answers
    it collected or imported, sent or answered in [start, end), for the readers that may not
    import this app (the satisfaction guarantees, the reports). Our invitations go to the
    sponsor's contacts (survey "sponsor"); an imported answer is its import's audience and
    has no invitation (no sent_at). A partly answered invitation is not an answer yet.
    ``kind``: surveys of that kind only (None: every kind); ``exclude_kinds``: surveys of
    those kinds left out."""
    invitations = (
        Invitation.objects.exclude(status=InvitationStatus.SKIPPED)
        .filter(sent_at__isnull=False)
        .filter(
            Q(sent_at__gte=start, sent_at__lt=end)
            | Q(response__submitted_at__gte=start, response__submitted_at__lt=end)
        )
    )
    imported = SurveyResponse.objects.filter(
        source=ResponseSource.IMPORT, submitted_at__gte=start, submitted_at__lt=end
    )
    if kind is not None:
        invitations = invitations.filter(version__survey__kind=kind)
        imported = imported.filter(kind=kind)
    if exclude_kinds:
        invitations = invitations.exclude(version__survey__kind__in=list(exclude_kinds))
        imported = imported.exclude(kind__in=list(exclude_kinds))
    if account_ids is not None:
        invitations = invitations.filter(account_id__in=list(account_ids))
        imported = imported.filter(account_id__in=list(account_ids))
    out: list[SurveyAnswer] = []
    rows = invitations.values_list(
        "pk",
        "account_id",
        "sent_at",
        "response__submitted_at",
        "response__nps",
        "response__csat",
        "response__verbatim",
    ).order_by("pk")
    for pk, account_id, sent_at, submitted_at, nps, csat, verbatim in rows:
        answered = submitted_at is not None
        out.append(
            SurveyAnswer(
                response_id=f"clientdesk-invitation-{pk}",
                account_id=account_id,
                survey=Audience.SPONSOR,
                sent_at=sent_at,
                answered_at=submitted_at,
                nps_score=nps if answered else None,
                csat=csat if answered else None,
                verbatim=(verbatim or "") if answered else "",
            )
        )
    for pk, account_id, audience, submitted_at, nps, csat, verbatim in imported.values_list(
        "pk", "account_id", "import_batch__audience", "submitted_at", "nps", "csat", "verbatim"
    ).order_by("pk"):
        out.append(
            SurveyAnswer(
                response_id=f"clientdesk-import-{pk}",
                account_id=account_id,
                survey=audience or Audience.SPONSOR,
                sent_at=None,
                answered_at=submitted_at,
                nps_score=nps,
                csat=csat,
                verbatim=verbatim,
            )
        )
    return out


def relationship_answers(
    account_ids: Sequence[int] | None, start: dt.datetime, end: dt.datetime
) -> list[SurveyAnswer]:
    """`lib.survey_answers` source "surveys" (the satisfaction guarantees, the stewardship
    deck, the detractor series): `collected_answers` of every kind but the implementation
    survey's (`NOT_RELATIONSHIP`), which implementation satisfaction reads apart."""
    return collected_answers(account_ids, start, end, exclude_kinds=NOT_RELATIONSHIP)


def answers_of_kind(
    kind: str, account_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[SurveyAnswer]:
    """`lib.survey_service`'s reader: `collected_answers` of surveys of one kind (the
    implementations app reads implementation satisfaction from these alone)."""
    return collected_answers(account_ids, start, end, kind=kind)


def months_back(as_of: dt.date, months: int) -> dt.date:
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _measure(account_ids: Sequence[int], as_of: dt.date, figure: str) -> dict[int, Value]:
    first = months_back(as_of, MEASURE_MONTHS)
    counts = satisfaction_by_account(MEASURE_READER, account_ids, first, as_of)
    out: dict[int, Value] = {}
    for account_id, c in counts.items():
        figures = Figures(c)
        if figure == "nps" and figures.nps is not None:
            out[account_id] = Value(
                float(figures.nps),
                f"NPS {figures.nps:+} from {c.nps_n} answers, {first:%b %Y} to {as_of:%b %Y}",
                basis=c.nps_n,
            )
        if figure == "csat" and figures.csat is not None:
            out[account_id] = Value(
                float(figures.csat),
                f"{c.satisfied} of {c.csat_n} answers satisfied (CSAT 4-5), "
                f"{first:%b %Y} to {as_of:%b %Y}",
                basis=c.csat_n,
            )
    return out


def nps_measure(account_ids: Sequence[int], as_of: dt.date) -> dict[int, Value]:
    """ACCOUNT_MEASURES "nps": the NPS of the 12 months to as_of, every source."""
    return _measure(account_ids, as_of, "nps")


def csat_measure(account_ids: Sequence[int], as_of: dt.date) -> dict[int, Value]:
    """ACCOUNT_MEASURES "csat": % satisfied of the 12 months to as_of, every source."""
    return _measure(account_ids, as_of, "csat")


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    key: Any
    label: str
    figures: Figures


def _labels(by: Dimension, keys: Iterable[Any]) -> dict[Any, str]:
    wanted = [k for k in keys if k is not None and k != ""]
    if by == Dimension.ACCOUNT:
        return {a.pk: a.name for a in Account.objects.filter(pk__in=wanted)}
    if by == Dimension.SURVEY:
        return dict(Survey.objects.filter(pk__in=wanted).values_list("id", "name"))
    if by == Dimension.ASSOCIATE:
        return {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=wanted)}
    if by == Dimension.ROLE:
        return {k: dict(ContactRole.choices).get(k, k) for k in wanted}
    return {k: f"{k:%b %Y}" for k in wanted}


def results(
    visible: QuerySet[Account] | None,
    first: dt.date,
    last: dt.date,
    *,
    by: Dimension = Dimension.ACCOUNT,
    kind: str = "",
) -> tuple[list[ResultRow], Figures]:
    """The results of our surveys and imports per value of the dimension, and the total, for
    the accounts of `visible` (None: every account)."""
    counts = db_counts(first, last, by=by, accounts=visible, kind=kind)
    labels = _labels(by, counts)
    rows = [
        ResultRow(key, labels.get(key, "(none)") if key not in (None, "") else "(none)", Figures(c))
        for key, c in counts.items()
    ]
    rows.sort(key=lambda r: str(r.key) if by == Dimension.PERIOD else r.label.lower())
    total = Counts()
    for c in counts.values():
        total = total + c
    return rows, Figures(total)


# --- follow-ups, the home list and the call to action -------------------------------------


def open_follow_ups(scope: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return (
        scope.exclude(status=FollowUpStatus.CLOSED)
        .select_related("account", "owner", "response", "response__survey")
        .order_by("due", "pk")
    )


def follow_up_reason(follow_up: FollowUp) -> str:
    r = follow_up.response
    scores = []
    if r.nps is not None:
        scores.append(f"NPS {r.nps}")
    if r.csat is not None:
        scores.append(f"CSAT {r.csat}")
    survey = r.survey.name if r.survey else r.get_kind_display()
    return f"Detractor on {survey}: {', '.join(scores)}"


def follow_up_work(scope: QuerySet[FollowUp], today: dt.date, limit: int = 5) -> WorkList:
    pending = open_follow_ups(scope)
    total = pending.count()
    items = [
        WorkItem(
            title=f"{f.account.name}",
            detail=follow_up_reason(f) + f" · due {f.due:%b %-d}",
            url=reverse("surveys:follow_up", args=[f.pk]),
            when=f.due,
            urgent=f.due < today,
        )
        for f in pending[:limit]
    ]
    return WorkList(
        key="survey_follow_ups",
        heading="Detractors to call back",
        total=total,
        url=reverse("surveys:follow_ups"),
        empty="No detractor waits for a call back.",
        items=items,
    )


def detractor_causes(now: dt.datetime) -> list[Cause]:
    """CALL_RULES "survey_detractor": every follow-up not closed is a call for its owner."""
    today = timezone.localdate(now)
    return [
        Cause(
            account_id=f.account_id,
            key=f"survey_response:{f.response_id}",
            reason=follow_up_reason(f),
            due=f.due,
            urgency=Urgency.HIGH if f.due < today else Urgency.NORMAL,
            owner_id=f.owner_id,
            url=reverse("surveys:follow_up", args=[f.pk]),
        )
        for f in open_follow_ups(FollowUp.objects.all())
    ]


def account_summary(account: Account, now: dt.datetime) -> dict[str, Any]:
    """The Surveys tab: the 12 months' figures (every source), open follow-ups, latest sends."""
    today = timezone.localdate(now)
    first = months_back(today, MEASURE_MONTHS)
    ours = db_counts(first, today, accounts=[account.pk]).get(account.pk, Counts())
    by_kind = {
        kind: Figures(
            db_counts(first, today, accounts=[account.pk], kind=kind).get(account.pk, Counts())
        )
        for kind in ("relationship", "transactional", "implementation")
    }
    return {
        "first": first,
        "today": today,
        "figures": Figures(ours),
        "by_kind": by_kind,
        "follow_ups": list(open_follow_ups(FollowUp.objects.filter(account=account))[:10]),
        "invitations": list(
            Invitation.objects.filter(account=account)
            .select_related("version__survey")
            .order_by("-created_at", "-pk")[:10]
        ),
    }


# --- verbatims: themes and sentiment --------------------------------------------------------


def verbatim_comments(
    reader: Reader, account_ids: Sequence[int], first: dt.date, last: dt.date
) -> list[Comment]:
    """Every comment answered first..last on the accounts given, whatever the source: our
    answers and imports (database, in their language), then the lake's feed (English; none
    when the lake cannot be read), each in a fixed order so the same comments give the same
    themes."""
    start, end = _bounds(first, last)
    rows = (
        SurveyResponse.objects.filter(
            account_id__in=list(account_ids), submitted_at__gte=start, submitted_at__lt=end
        )
        .exclude(verbatim="")
        .order_by("submitted_at", "pk")
        .values_list("account_id", "verbatim", "language")
    )
    out = [Comment(account_id, text, language) for account_id, text, language in rows]
    zones = dict(Account.objects.filter(pk__in=account_ids).values_list("id", "timezone"))
    feed = _verbatim_memo.get(
        ["survey_response"],
        (scope_of(reader, list(zones)).account_ids, tuple(sorted(zones.items())), first, last),
        lambda: _read_feed_verbatims(reader, zones, first, last),
    )
    out.extend(Comment(account_id, text) for account_id, text in feed)
    return out


# The verbatims page reads the feed's comments on every view: once per state of the feed
# (and scope, accounts and period), as the counts above.
_verbatim_memo: LakeMemo[list[tuple[int, str]]] = LakeMemo(size=64)


def _read_feed_verbatims(
    reader: Reader, zones: dict[int, str], first: dt.date, last: dt.date
) -> list[tuple[int, str]]:
    try:
        with open_lake(reader, accounts=list(zones)) as lake:
            return [(int(a), str(t)) for a, t in feed_verbatims(lake, zones, first, last)]
    except LakeError:
        return []


def verbatim_themes(
    reader: Reader, account_ids: Sequence[int], first: dt.date, last: dt.date
) -> VerbatimThemes:
    """Themes of the comments (the emerging-issues text engine, fitted once on all of them)
    with their sentiment, per account and for the portfolio of `account_ids`."""
    comments = verbatim_comments(reader, account_ids, first, last)
    names = book_names(account_ids)
    fit = text_themes([c.text for c in comments])
    if fit is None:
        return summarise(comments, [], [""] * len(comments), names)
    return summarise(comments, fit.labels, fit.assigned, names)


def book_names(account_ids: Sequence[int]) -> frozenset[str]:
    """The words of the names the book knows for these accounts' comments: their contacts and
    every person of the team (an associate is named in comments on any account)."""
    contacts = Contact.objects.filter(account_id__in=list(account_ids)).values_list(
        "name", flat=True
    )
    people = User.objects.values_list("first_name", "last_name")
    return name_words([*contacts, *(f"{first} {last}" for first, last in people)])
