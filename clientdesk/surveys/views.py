"""The Surveys area: surveys and their versions, sends, results, imports, follow-ups."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clientdesk.accounts.access import Need, access_account_by_id, accounts_visible_to, can
from clientdesk.audit.conflicts import save_or_conflict
from clientdesk.lib.downloads import file_download
from clientdesk.lib.exports import SafeCsvWriter
from clientdesk.lib.small_cells import SUPPRESSED_TEXT
from clientdesk.people.requests import signed_in_user
from clientdesk.people.roles import SEES_ALL_ACCOUNTS, roles_of
from clientdesk.surveys import actions
from clientdesk.surveys.access import (
    access_follow_up_by_id,
    access_schedule_by_id,
    access_survey_by_id,
    accounts_to_schedule,
    follow_ups_visible_to,
    manages_surveys,
    require_manager,
    require_reader,
    schedules_visible_to,
)
from clientdesk.surveys.forms import (
    FollowUpForm,
    ImportForm,
    ResultsForm,
    ScheduleEditForm,
    ScheduleForm,
    SendForm,
    SurveyForm,
    TransactionalForm,
    VerbatimsForm,
    VersionForm,
)
from clientdesk.surveys.models import (
    Cadence,
    ResponseImport,
    Survey,
    SurveyResponse,
    SurveySend,
)
from clientdesk.surveys.queries import (
    DIMENSION_LABELS,
    Dimension,
    ResultRow,
    open_follow_ups,
    results,
    verbatim_themes,
)
from clientdesk.surveys.questions import QuestionError
from clientdesk.surveys.satisfaction import Figures
from clientdesk.surveys.tasks import enqueue_send
from clientdesk.surveys.verbatims import ThemeTable


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    sends = SurveySend.objects.select_related("version__survey", "account")
    if not roles_of(request.user) & SEES_ALL_ACCOUNTS:
        sends = sends.filter(account__in=accounts_visible_to(request.user))
    return render(
        request,
        "surveys/survey_list.html",
        {
            "surveys": Survey.objects.prefetch_related("versions"),
            "sends": sends[:20],
            "imports": ResponseImport.objects.all()[:5] if manages_surveys(request.user) else [],
            "can_manage": manages_surveys(request.user),
            "transactional_form": TransactionalForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = actions.do_create_survey(
            data["name"], data["kind"], data["questions"], acting_user=signed_in_user(request)
        )
        messages.success(request, "Survey created.")
        return redirect("surveys:detail", survey_id=survey.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/survey_form.html", {"form": form}, status=status)


@login_required
@require_GET
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = access_survey_by_id(request.user, survey_id)
    version = survey.current_version()
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "version": version,
            "questions": version.question_set(),
            "versions": survey.versions.all(),
            "can_manage": manages_surveys(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = access_survey_by_id(request.user, survey_id, manage=True)
    current = survey.current_version()
    form = VersionForm(
        request.POST or None,
        initial={"questions": json.dumps(current.questions, indent=2, ensure_ascii=False)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.do_new_version(
                survey, form.cleaned_data["questions"], acting_user=signed_in_user(request)
            )
        except QuestionError as error:
            form.add_error("questions", str(error))
        else:
            messages.success(request, f"Version {version.number} saved: new sends use it.")
            return redirect("surveys:detail", survey_id=survey.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "surveys/version_form.html", {"form": form, "survey": survey}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_send(request: HttpRequest, account_id: int) -> HttpResponse:
    """Send a relationship or implementation survey to some of the account's contacts."""
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contacts = account.contacts.exclude(email="")
    form = SendForm(request.POST or None, contacts=contacts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            send = actions.do_send_survey(
                data["survey"],
                account,
                list(data["contacts"]),
                language=data["language"],
                acting_user=signed_in_user(request),
                enqueue=enqueue_send,
            )
        except actions.SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{send.invited} invitations queued"
                + (f"; {send.skipped} not sent (see the send)" if send.skipped else "")
                + ".",
            )
            return redirect("accounts:tab", account_id=account.pk, tab="surveys")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "surveys/send_form.html", {"form": form, "account": account}, status=status
    )


@login_required
@require_http_methods(["POST"])
def send_transactional(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = TransactionalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a transactional survey and a number of days (1-90).")
        return redirect("surveys:list")
    data = form.cleaned_data
    now = timezone.now()
    send = actions.do_send_transactional(
        data["survey"],
        since=now - dt.timedelta(days=data["days"]),
        language=data["language"],
        acting_user=signed_in_user(request),
        enqueue=enqueue_send,
        now=now,
    )
    if send is None:
        messages.info(request, "No resolved inquiry waits for a survey.")
    else:
        messages.success(request, f"{send.invited} invitations queued; {send.skipped} not sent.")
    return redirect("surveys:list")


@login_required
@require_GET
def send_detail(request: HttpRequest, send_id: int) -> HttpResponse:
    require_reader(request.user)
    sends = SurveySend.objects.select_related("version__survey", "account")
    if not roles_of(request.user) & SEES_ALL_ACCOUNTS:
        sends = sends.filter(account__in=accounts_visible_to(request.user))
    send = sends.filter(pk=send_id).first()
    if send is None:
        from django.http import Http404

        raise Http404("No such send.")
    invitations = send.invitations.select_related("account").order_by("pk")
    if not roles_of(request.user) & SEES_ALL_ACCOUNTS:
        invitations = invitations.filter(account__in=accounts_visible_to(request.user))
    return render(
        request, "surveys/send_detail.html", {"send": send, "invitations": invitations[:500]}
    )


@dataclass(frozen=True)
class ResultsView:
    form: ResultsForm
    first: dt.date
    last: dt.date
    by: Dimension
    rows: list[ResultRow]
    total: Figures
    query: str

    @property
    def by_label(self) -> str:
        return DIMENSION_LABELS[self.by]


def _results(request: HttpRequest) -> ResultsView:
    require_reader(request.user)
    form = ResultsForm(request.GET or None)
    first, last = form.span(timezone.localdate())
    by = form.dimension()
    sees_all = roles_of(request.user) & SEES_ALL_ACCOUNTS
    visible = None if sees_all else accounts_visible_to(request.user)
    rows, total = results(visible, first, last, by=by, kind=form.kind_value())
    return ResultsView(form, first, last, by, rows, total, request.GET.urlencode())


@login_required
@require_GET
def results_page(request: HttpRequest) -> HttpResponse:
    view = _results(request)
    return render(
        request, "surveys/results.html", {"r": view, **vars(view), "by_label": view.by_label}
    )


@login_required
@require_GET
def results_export(request: HttpRequest) -> HttpResponse:
    """The results as CSV: it leaves the team, so groups of 1 to 10 responses are withheld."""
    view = _results(request)
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(
        [
            view.by_label,
            "Invitations",
            "Responses",
            "Response rate %",
            "NPS",
            "NPS 95% low",
            "NPS 95% high",
            "CSAT % satisfied (4-5)",
            "CES mean (1-7)",
        ]
    )
    lines = [(row.label, row.figures) for row in view.rows] + [("All", view.total)]
    for label, figures in lines:
        c = figures.counts
        if figures.suppressed:
            writer.writerow([label, c.sent, SUPPRESSED_TEXT, "", "", "", "", "", ""])
            continue
        interval = figures.nps_interval
        writer.writerow(
            [
                label,
                c.sent,
                c.responses,
                figures.response_rate,
                figures.nps,
                interval[0] if interval else "",
                interval[1] if interval else "",
                figures.csat,
                figures.ces,
            ]
        )
    return file_download(
        out.getvalue().encode(),
        filename=f"survey-results-{view.first}-{view.last}.csv",
        content_type="text/csv",
    )


@login_required
@require_GET
def verbatims_page(request: HttpRequest) -> HttpResponse:
    """Themes of the comments and their sentiment, for the reader's accounts (the portfolio)
    or, with ?account=, one account's share of the same themes; examples masked."""
    require_reader(request.user)
    form = VerbatimsForm(request.GET or None)
    first, last = form.span(timezone.localdate())
    account = None
    account_id = form.account_id()
    if account_id is not None:
        account = access_account_by_id(request.user, account_id)
    visible = list(accounts_visible_to(request.user).values_list("id", flat=True))
    found = verbatim_themes(request.user, visible, first, last)
    empty = ThemeTable(0, [])
    table = found.accounts.get(account.pk, empty) if account else found.portfolio
    return render(
        request,
        "surveys/verbatims.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "account": account,
            "fitted": found.fitted,
            "table": table,
            "themes": [(t, t.share_of(table.comments)) for t in table.themes],
            "portfolio_comments": found.portfolio.comments,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_list(request: HttpRequest) -> HttpResponse:
    """The recurring relationship surveys of the reader's accounts, and a new one (for an
    account the user may send to)."""
    require_reader(request.user)
    schedulable = accounts_to_schedule(request.user)
    form = ScheduleForm(
        request.POST or None,
        accounts=schedulable,
        initial={"cadence": Cadence.HALF_YEARLY, "next_on": timezone.localdate()},
    )
    if request.method == "POST":
        if not schedulable.exists():
            raise PermissionDenied("You send to no account, so schedule none.")
        if form.is_valid():
            data = form.cleaned_data
            try:
                schedule = actions.do_create_schedule(
                    data["survey"],
                    data["account"],
                    cadence=data["cadence"],
                    next_on=data["next_on"],
                    roles=data["roles"],
                    language=data["language"],
                    acting_user=signed_in_user(request),
                )
            except actions.SurveyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"{schedule.survey.name} will go to {schedule.account.name} on "
                    f"{schedule.next_on:%b %-d, %Y}, then "
                    f"{schedule.get_cadence_display().lower()}.",
                )
                return redirect("surveys:schedules")
    schedules = schedules_visible_to(request.user).select_related("account", "survey", "last_send")
    return render(
        request,
        "surveys/schedule_list.html",
        {
            "schedules": schedules.order_by("next_on", "pk"),
            "form": form,
            "can_schedule": schedulable.exists(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    schedule = access_schedule_by_id(request.user, schedule_id, write=request.method == "POST")
    form = ScheduleEditForm(
        request.POST or None,
        initial={name: getattr(schedule, name) for name in actions.SCHEDULE_FIELDS},
    )
    context: dict[str, Any] = {
        "schedule": schedule,
        "form": form,
        "edit_version": schedule.version,
        "can_edit": can(request.user, schedule.account, Need.WRITE),
    }
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_schedule(
                schedule,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="surveys/schedule_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Schedule saved.")
        return redirect("surveys:schedules")
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/schedule_form.html", context, status=status)


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    require_reader(request.user)
    pending = open_follow_ups(follow_ups_visible_to(request.user))
    closed = (
        follow_ups_visible_to(request.user)
        .filter(status="closed")
        .select_related("account", "response__survey", "owner")
        .order_by("-closed_at")[:20]
    )
    return render(
        request,
        "surveys/follow_up_list.html",
        {"pending": pending, "closed": closed, "today": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = access_follow_up_by_id(request.user, follow_up_id, write=request.method == "POST")
    form = FollowUpForm(
        request.POST or None,
        initial={
            "status": follow_up.status,
            "notes": follow_up.notes,
            "outcome": follow_up.outcome,
        },
    )
    response = follow_up.response
    context: dict[str, Any] = {
        "follow_up": follow_up,
        "response": response,
        "answers": _answers_shown(response),
        "form": form,
        "can_work": can(request.user, follow_up.account, Need.WRITE),
        "edit_version": follow_up.version,
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_work_follow_up(
                follow_up,
                status=data["status"],
                notes=data["notes"],
                outcome=data["outcome"],
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="surveys/follow_up.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Follow-up saved.")
        return redirect("surveys:follow_up", follow_up_id=follow_up.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/follow_up.html", context, status=status)


def _answers_shown(response: SurveyResponse) -> list[tuple[str, str]]:
    """(question, answer) in English, as the respondent's version asked them."""
    questions = response.invitation.version.question_set() if response.invitation else None
    answers: list[tuple[str, str]] = []
    if questions is None:
        return answers
    for q in questions:
        if q.key in response.answers:
            value = response.answers[q.key]
            if isinstance(value, list):
                shown = ", ".join(q.option_label(v, "en") for v in value)
            elif q.options:
                shown = q.option_label(str(value), "en")
            else:
                shown = str(value)
            answers.append((q.label("en"), shown))
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def import_responses(request: HttpRequest) -> HttpResponse:
    require_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        from clientdesk.surveys.imports import MappingError

        try:
            batch = actions.do_import_responses(
                upload.read(),
                form.cleaned_data["mapping"],
                kind=form.cleaned_data["kind"],
                audience=form.cleaned_data["audience"],
                source_name=upload.name or "upload.csv",
                acting_user=signed_in_user(request),
            )
        except MappingError as error:
            form.add_error("mapping", str(error))
        else:
            messages.success(request, f"{batch.loaded} rows loaded, {batch.rejected} rejected.")
            return redirect("surveys:import_detail", import_id=batch.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "surveys/import_form.html", {"form": form}, status=status)


@login_required
@require_GET
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    require_manager(request.user)
    batch = ResponseImport.objects.filter(pk=import_id).first()
    if batch is None:
        from django.http import Http404

        raise Http404("No such import.")
    return render(request, "surveys/import_detail.html", {"batch": batch})
