"""Strategy pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import Need, access_account_by_id, can
from clientdesk.audit.conflicts import ConflictRow, posted_version, save_or_conflict
from clientdesk.audit.models import AuditEvent
from clientdesk.audit.recording import record_audit
from clientdesk.audit.updating import StaleEdit
from clientdesk.lib.downloads import file_download
from clientdesk.lib.measures import ACCOUNT_MEASURES
from clientdesk.people.requests import signed_in_user
from clientdesk.strategy import actions, queries
from clientdesk.strategy.access import (
    access_call_by_id,
    access_directive_account,
    access_directive_by_id,
    access_plan_by_id,
    access_visit_by_id,
    can_acknowledge,
    directive_accounts,
    manages,
)
from clientdesk.strategy.brief import brief_context, render_brief_pdf
from clientdesk.strategy.charts import history_svg
from clientdesk.strategy.exports import portfolio_table, to_csv, to_xlsx
from clientdesk.strategy.forms import (
    CallCloseForm,
    DirectiveForm,
    NeedForm,
    ObjectiveEditForm,
    ObjectiveForm,
    OverrideForm,
    PlanForm,
    PortfolioFilterForm,
    StakeholderForm,
    VisitForm,
    VisitOutcomeForm,
    WeightsForm,
)
from clientdesk.strategy.health import weights_by_segment
from clientdesk.strategy.models import (
    AccountPlan,
    CallStatus,
    Directive,
    HealthWeights,
    Objective,
)
from clientdesk.strategy.scoring import DEFAULT_WEIGHTS, RULES

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _plan_tab(account_id: int) -> str:
    return reverse("accounts:tab", args=[account_id, "plan"])


def _stale_page(
    request: HttpRequest, form: Any, save: Any, *, title: str, back: str
) -> HttpResponse | None:
    """A small inline form's save (a call's status, a stakeholder, a visit's outcome) with the
    version its page showed: None when saved, else the 409 page with both versions."""
    return save_or_conflict(
        request,
        form,
        save,
        template="audit/stale_save.html",
        context={"form": form, "title": title, "action": request.path, "back": back},
    )


# --- calls to action ------------------------------------------------------------------------


@login_required
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CallStatus.OPEN)
    if status not in ("", *CallStatus.values):
        status = CallStatus.OPEN
    mine = request.GET.get("mine") == "1"
    calls = queries.calls_for(request.user, status=status, mine=mine)
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "strategy/call_list.html",
        {"page": page, "status": status, "mine": mine, "statuses": CallStatus.choices},
    )


@login_required
@require_GET
def call_detail(request: HttpRequest, call_id: int) -> HttpResponse:
    call = access_call_by_id(request.user, call_id)
    return render(
        request,
        "strategy/call_detail.html",
        {
            "call": call,
            "tasks": call.tasks.select_related("done_by"),
            "may_work": can(request.user, call.account, Need.WRITE),
            "close_form": CallCloseForm(initial={"status": "done"}),
        },
    )


@login_required
@require_POST
def call_task(request: HttpRequest, call_id: int, task_id: int) -> HttpResponse:
    call = access_call_by_id(request.user, call_id, need=Need.WRITE)
    task = call.tasks.filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task.")
    actions.do_tick_task(task, request.POST.get("done") == "1", acting_user=signed_in_user(request))
    return redirect("strategy:call", call.pk)


@login_required
@require_POST
def call_close(request: HttpRequest, call_id: int) -> HttpResponse:
    call = access_call_by_id(request.user, call_id, need=Need.WRITE)
    form = CallCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect("strategy:call", call.pk)
    back = reverse("strategy:call", args=[call.pk])
    saved: list[Any] = []

    def save(version: int | None) -> None:
        try:
            saved.append(
                actions.do_close_call(
                    call,
                    form.cleaned_data["status"],
                    form.cleaned_data["note"],
                    acting_user=signed_in_user(request),
                    expected_version=version,
                )
            )
        except ValueError as error:
            messages.error(request, str(error))

    refused = _stale_page(request, form, save, title=f"{call.reference} · {call.title}", back=back)
    if refused is not None:
        return refused
    if saved:
        status = saved[0].get_status_display().lower()
        messages.success(request, f"{call.reference} is {status}.")
    return redirect(back)


# --- health ---------------------------------------------------------------------------------


@login_required
@require_GET
def health(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    today = timezone.localdate()
    snapshots = queries.history(account)
    latest = snapshots[-1] if snapshots else None
    return render(
        request,
        "strategy/health.html",
        {
            "account": account,
            "health": latest,
            "lines": queries.measure_lines(latest),
            "chart": history_svg(snapshots),
            "changes": [s for s in reversed(snapshots) if s.change][:30],
            "override": queries.active_override(account, today),
            "may_override": can(request.user, account, Need.MANAGE),
            "override_form": OverrideForm(initial={"expires_on": today + dt.timedelta(days=30)}),
        },
    )


@login_required
@require_POST
def health_override(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    if request.POST.get("clear") == "1":
        try:
            actions.do_clear_override(
                account,
                acting_user=signed_in_user(request),
                expected_override=posted_version(request),
            )
        except StaleEdit as stale:
            messages.error(request, str(stale))
            return redirect("strategy:health", account.pk)
        messages.success(request, "Override cleared: the computed band shows again.")
        return redirect("strategy:health", account.pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        outcome: list[str] = []

        def save(version: int | None) -> None:
            try:
                actions.do_override_band(
                    account,
                    form.cleaned_data["band"],
                    form.cleaned_data["note"],
                    form.cleaned_data["expires_on"],
                    acting_user=signed_in_user(request),
                    expected_override=version,
                )
                outcome.append("saved")
            except ValueError as error:
                messages.error(request, str(error))

        refused = _stale_page(
            request,
            form,
            save,
            title=f"{account.name}: the health band by hand",
            back=reverse("strategy:health", args=[account.pk]),
        )
        if refused is not None:
            return refused
        if outcome:
            messages.success(request, "Band overridden.")
    else:
        messages.error(request, "An override needs a band, a note and an expiry date.")
    return redirect("strategy:health", account.pk)


def _portfolio(
    request: HttpRequest, *, paged: bool = True
) -> tuple[PortfolioFilterForm, queries.PortfolioPage]:
    form = PortfolioFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.get("associate") is not None:
        filters["associate"] = filters["associate"].pk
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = queries.portfolio(
        request.user,
        timezone.localdate(),
        filters,
        page=number,
        per_page=queries.PORTFOLIO_PAGE_SIZE if paged else None,
    )
    return form, page


def heat_cells(
    row: queries.PortfolioRow, keys: list[str], shown: dict[float, str] | None = None
) -> SafeString:
    """The row's heat-map cells, one per measure: its score in a badge (ok over 75, warn over
    50, else bad), "—" without one. Written here rather than by a template loop: 25 rows of
    15 measures were a third of the page's CPU. The same HTML as `{{ c|floatformat:0 }}` in
    the badge; `shown` keeps each score's text for the page (scores repeat)."""
    shown = {} if shown is None else shown
    measures = row.snapshot.measures if row.snapshot else {}
    cells = []
    for key in keys:
        score = measures.get(key, {}).get("score")
        if score is None:
            cells.append('<td class="num"><span class="muted">—</span></td>')
            continue
        text = shown.get(score)
        if text is None:
            text = shown[score] = conditional_escape(floatformat(score, 0))
        band = "ok" if score > 75 else "warn" if score > 50 else "bad"
        cells.append(f'<td class="num"><span class="badge {band}">{text}</span></td>')
    return mark_safe("".join(cells))  # noqa: S308  (fixed markup around escaped numbers)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    form, page = _portfolio(request)
    labels = {m.key: m.label for m in ACCOUNT_MEASURES}
    shown: dict[float, str] = {}
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "strategy/portfolio.html",
        {
            "form": form,
            "page": page,
            "table": [(r, heat_cells(r, page.keys, shown)) for r in page.rows],
            "columns": [(k, labels.get(k, k)) for k in page.keys],
            "query": query.urlencode(),
            "may_weigh": manages(request.user),
        },
    )


@login_required
@require_GET
def portfolio_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404("Export as csv or xlsx.")
    _, page = _portfolio(request, paged=False)
    labels = {m.key: m.label for m in ACCOUNT_MEASURES}
    columns, table = portfolio_table(page.rows, page.keys, labels)
    content = to_csv(columns, table) if fmt == "csv" else to_xlsx(columns, table)
    record_audit(
        actor=request.user,
        action="strategy.export.portfolio_health",
        object_type="strategy.export",
        object_id="portfolio",
        object_label="portfolio health",
        detail={"format": fmt, "rows": len(table)},
        kind=AuditEvent.Kind.EXPORT,
    )
    return file_download(
        content, filename=f"portfolio-health.{fmt}", content_type=EXPORT_TYPES[fmt]
    )


@login_required
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    if not manages(request.user):
        raise PermissionDenied("Managers set the health weights.")
    segment = request.POST.get("segment", request.GET.get("segment", ""))
    current = weights_by_segment().get(segment) or weights_by_segment()[""]
    stored = HealthWeights.objects.filter(segment=segment).first()
    # The version shown (0: the segment has no weights of its own yet); an error page keeps
    # the one its editor started from.
    version = stored.version if stored is not None else 0
    context: dict[str, Any] = {"defaults": DEFAULT_WEIGHTS, "segment": segment}
    if request.method == "POST":
        form = WeightsForm(request.POST)
        posted = posted_version(request)
        version = posted if posted is not None else version
        if form.is_valid():
            try:
                actions.do_set_weights(
                    form.cleaned_data["segment"],
                    form.weights(),
                    acting_user=signed_in_user(request),
                    expected_version=posted,
                )
            except StaleEdit as stale:
                form.add_error(None, str(stale))
                context |= {
                    "form": form,
                    "edit_version": stale.version,
                    "conflict_rows": _weight_rows(stale, form),
                }
                return render(request, "strategy/weights.html", context, status=409)
            messages.success(request, "Weights saved: the next snapshot uses them.")
            return redirect(f"{reverse('strategy:weights')}?segment={segment}")
    else:
        form = WeightsForm(
            initial={"segment": segment, **{f"w_{k}": int(current.get(k, 0)) for k in RULES}}
        )
    context |= {"form": form, "edit_version": version}
    return render(request, "strategy/weights.html", context)


def _weight_rows(stale: StaleEdit, form: WeightsForm) -> list[ConflictRow]:
    """Each measure's stored weight (the default's when the segment had none) beside the
    editor's."""
    saved = stale.instance.weights if isinstance(stale.instance, HealthWeights) else {}
    shown = {**DEFAULT_WEIGHTS, **weights_by_segment()[""], **saved}
    rows = []
    for key in RULES:
        field = form.fields[f"w_{key}"]
        mine = form.cleaned_data[f"w_{key}"]
        theirs = shown.get(key)
        text = "—" if theirs is None else f"{float(theirs):g}"
        rows.append(ConflictRow(str(field.label), text, str(mine), text != f"{float(mine):g}"))
    return rows


# --- plans ----------------------------------------------------------------------------------


@login_required
@require_POST
def plan_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    try:
        year = int(request.POST.get("year", ""))
        actions.do_create_plan(account, year, acting_user=signed_in_user(request))
        messages.success(request, f"Plan {year} started.")
    except ValueError as error:
        messages.error(request, str(error) if "plan" in str(error) else "Give the plan's year.")
    return redirect(_plan_tab(account.pk))


@login_required
@require_POST
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    form = PlanForm(request.POST, instance=AccountPlan.objects.get(pk=plan.pk))
    if form.is_valid() and form.cleaned_data["version"] != plan.version:
        messages.error(request, str(actions.StaleEdit.__doc__))
        return render(
            request, "strategy/plan_conflict.html", {"plan": plan, "form": form}, status=409
        )
    if form.is_valid():
        try:
            actions.do_update_plan(
                plan,
                {f: form.cleaned_data[f] for f in actions.PLAN_FIELDS},
                form.cleaned_data["version"],
                acting_user=signed_in_user(request),
            )
            messages.success(request, "Plan saved.")
        except actions.StaleEdit as error:
            messages.error(request, str(error))
            return render(
                request, "strategy/plan_conflict.html", {"plan": plan, "form": form}, status=409
            )
        except ValueError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "The plan was not saved: check the fields.")
    return redirect(_plan_tab(plan.account_id))


@login_required
@require_POST
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.MANAGE)
    try:
        actions.do_set_plan_status(
            plan, request.POST.get("status", ""), acting_user=signed_in_user(request)
        )
        messages.success(request, f"Plan {plan.year} is {plan.get_status_display().lower()}.")
    except (ValueError, KeyError) as error:
        messages.error(request, str(error))
    return redirect(_plan_tab(plan.account_id))


@login_required
@require_POST
def plan_need(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    form = NeedForm(request.POST)
    if form.is_valid():
        actions.do_add_need(plan, form.cleaned_data, acting_user=signed_in_user(request))
        messages.success(request, "Added to the needs and wants register.")
    else:
        messages.error(request, "A need or want takes its words, source and date.")
    return redirect(_plan_tab(plan.account_id))


@login_required
@require_POST
def plan_objective(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    form = ObjectiveForm(request.POST, account=plan.account)
    if form.is_valid():
        objective = actions.do_add_objective(
            plan, form.cleaned_data, acting_user=signed_in_user(request)
        )
        from clientdesk.strategy.runs import run_objectives

        run_objectives(
            timezone.localdate(), acting_user=signed_in_user(request), only=[objective.pk]
        )
        messages.success(request, "Objective added.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect(_plan_tab(plan.account_id))


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(request: HttpRequest, plan_id: int, objective_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    objective = Objective.objects.filter(plan=plan, pk=objective_id).first()
    if objective is None:
        raise Http404("No such objective.")
    context: dict[str, Any] = {"plan": plan, "objective": objective}
    if request.method == "POST":
        form = ObjectiveEditForm(
            request.POST, instance=Objective.objects.get(pk=objective.pk), account=plan.account
        )
        if form.is_valid():
            try:
                actions.do_update_objective(
                    objective,
                    {f: form.cleaned_data[f] for f in actions.OBJECTIVE_FIELDS},
                    int(form.cleaned_data.get("version") or 0),
                    acting_user=signed_in_user(request),
                )
            except actions.StaleEdit as error:
                messages.error(request, str(error))
                context.update(form=form, conflict=True)
                return render(request, "strategy/objective_form.html", context, status=409)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                from clientdesk.strategy.runs import run_objectives

                run_objectives(
                    timezone.localdate(), acting_user=signed_in_user(request), only=[objective.pk]
                )
                messages.success(request, "Objective saved and measured again.")
                return redirect(_plan_tab(plan.account_id))
    else:
        form = ObjectiveEditForm(
            instance=objective, initial={"version": objective.version}, account=plan.account
        )
    context["form"] = form
    return render(request, "strategy/objective_form.html", context)


@login_required
@require_POST
def objective_remove(request: HttpRequest, plan_id: int, objective_id: int) -> HttpResponse:
    plan = access_plan_by_id(request.user, plan_id, need=Need.WRITE)
    objective = Objective.objects.filter(plan=plan, pk=objective_id).first()
    if objective is None:
        raise Http404("No such objective.")
    actions.do_remove_objective(objective, acting_user=signed_in_user(request))
    messages.success(request, "Objective removed.")
    return redirect(_plan_tab(plan.account_id))


# --- directives -----------------------------------------------------------------------------


@login_required
@require_GET
def directive_board(request: HttpRequest) -> HttpResponse:
    """Directives of every account the reader reads them for (service operations: the
    accounts whose problems they work), those waiting for the reader's acknowledgement first."""
    today = timezone.localdate()
    directives = list(
        Directive.objects.filter(account__in=directive_accounts(request.user))
        .filter(effective_to__isnull=True)
        .select_related("account")
        .prefetch_related("acknowledgements")
        .order_by("account__name", "team", "id")
    ) + list(
        Directive.objects.filter(
            account__in=directive_accounts(request.user), effective_to__gte=today
        )
        .select_related("account")
        .prefetch_related("acknowledgements")
        .order_by("account__name", "team", "id")
    )
    uid = request.user.pk
    rows = [
        (
            d,
            any(a.user_id == uid and a.version == d.version for a in d.acknowledgements.all()),
        )
        for d in directives
    ]
    rows.sort(key=lambda r: (r[1], r[0].account.name, r[0].team))
    return render(
        request,
        "strategy/directives.html",
        {"rows": rows, "may_acknowledge": can_acknowledge(request.user)},
    )


@login_required
@require_POST
def directive_add(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = DirectiveForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        actions.do_add_directive(account, data, acting_user=signed_in_user(request))
        messages.success(request, "Directive added: the team is asked to acknowledge it.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.values()))
    return redirect(_plan_tab(account.pk))


@login_required
@require_http_methods(["GET", "POST"])
def directive_edit(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = access_directive_by_id(request.user, directive_id, need=Need.WRITE)
    if request.method == "POST":
        form = DirectiveForm(request.POST, instance=Directive.objects.get(pk=directive.pk))
        if form.is_valid():
            try:
                data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
                actions.do_update_directive(
                    directive,
                    data,
                    int(form.cleaned_data.get("version") or 0),
                    acting_user=signed_in_user(request),
                )
                messages.success(request, "Directive saved.")
                return redirect(_plan_tab(directive.account_id))
            except actions.StaleEdit as error:
                messages.error(request, str(error))
                return render(
                    request,
                    "strategy/directive_form.html",
                    {"directive": directive, "form": form, "conflict": True},
                    status=409,
                )
    else:
        form = DirectiveForm(instance=directive, initial={"version": directive.version})
    return render(request, "strategy/directive_form.html", {"directive": directive, "form": form})


@login_required
@require_POST
def directive_acknowledge(request: HttpRequest, directive_id: int) -> HttpResponse:
    directive = access_directive_by_id(request.user, directive_id)
    if not can_acknowledge(request.user):
        raise PermissionDenied("Service operations acknowledge directives.")
    actions.do_acknowledge_directive(directive, acting_user=signed_in_user(request))
    messages.success(request, "Acknowledged.")
    return redirect("strategy:directives")


@login_required
@require_GET
def account_directives(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_directive_account(request.user, account_id)
    return render(
        request,
        "strategy/account_directives.html",
        {
            "account": account,
            "directives": queries.directives_for(account, timezone.localdate()),
            "may_acknowledge": can_acknowledge(request.user),
        },
    )


# --- relationships and visits ---------------------------------------------------------------


@login_required
@require_POST
def stakeholder(request: HttpRequest, account_id: int, contact_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    contact = account.contacts.filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    form = StakeholderForm(
        request.POST, account=account, instance=getattr(contact, "stakeholder", None)
    )
    if not form.is_valid():
        messages.error(request, "Choose an influence and a sentiment.")
        return redirect(_plan_tab(account.pk))
    refused = _stale_page(
        request,
        form,
        lambda version: actions.do_set_stakeholder(
            contact,
            form.cleaned_data,
            acting_user=signed_in_user(request),
            expected_version=version,
        ),
        title=f"{contact.name} on the relationship map",
        back=_plan_tab(account.pk),
    )
    if refused is not None:
        return refused
    messages.success(request, f"{contact.name} is on the relationship map.")
    return redirect(_plan_tab(account.pk))


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = VisitForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attendees"}
        visit = actions.do_create_visit(
            account, data, form.cleaned_data["attendees"], acting_user=signed_in_user(request)
        )
        return redirect("strategy:visit", visit.pk)
    return render(request, "strategy/visit_form.html", {"account": account, "form": form})


@login_required
@require_GET
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit_by_id(request.user, visit_id)
    context = brief_context(request.user, visit, timezone.now())
    return render(request, "strategy/brief.html", {**context, "screen": True})


@login_required
@require_GET
def visit_brief_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit_by_id(request.user, visit_id)
    pdf = render_brief_pdf(request.user, visit, timezone.now())
    record_audit(
        actor=request.user,
        action="strategy.export.meeting_brief",
        obj=visit,
        account=visit.account,
        detail={"format": "pdf"},
        kind=AuditEvent.Kind.EXPORT,
    )
    return file_download(
        pdf,
        filename=f"brief-{visit.account.group_number}-{visit.starts_on.isoformat()}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
def visit_outcome(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = access_visit_by_id(request.user, visit_id, need=Need.WRITE)
    form = VisitOutcomeForm(request.POST)
    form.is_valid()  # one optional text field: always valid
    refused = _stale_page(
        request,
        form,
        lambda version: actions.do_record_visit_outcome(
            visit,
            form.cleaned_data["outcome"],
            acting_user=signed_in_user(request),
            expected_version=version,
        ),
        title=f"The outcome of {visit.purpose}",
        back=reverse("strategy:visit", args=[visit.pk]),
    )
    if refused is not None:
        return refused
    messages.success(request, "Outcome saved.")
    return redirect("strategy:visit", visit.pk)
