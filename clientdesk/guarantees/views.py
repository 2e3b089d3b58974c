"""Guarantee pages. Each view: check access, parse, call one action or query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import (
    Need,
    access_account_by_id,
    accounts_visible_to,
    can_create_accounts,
)
from clientdesk.audit.conflicts import posted_version, save_or_conflict
from clientdesk.audit.updating import StaleEdit
from clientdesk.guarantees import actions, exports, queries
from clientdesk.guarantees.access import (
    access_contract,
    access_guarantee,
    access_result,
    can_define,
    can_run,
)
from clientdesk.guarantees.charts import p_chart_svg
from clientdesk.guarantees.drilldown import has_records, records_behind
from clientdesk.guarantees.evaluation import plan_results, terms_of
from clientdesk.guarantees.evidence import attestation_conflict
from clientdesk.guarantees.forms import (
    AttestationForm,
    EvaluateForm,
    ForecastForm,
    GuaranteeForm,
    RecordsFilterForm,
    TemplatePickForm,
    TermsForm,
)
from clientdesk.guarantees.library import SOURCES, TEMPLATES
from clientdesk.guarantees.metrics import METRICS, Feed
from clientdesk.guarantees.models import Guarantee, GuaranteeResult, GuaranteeTerms, ResultKind
from clientdesk.guarantees.monitors import (
    Monitor,
    auto_adjudication_monitor,
    ivr_monitor,
    last_data_day,
)
from clientdesk.guarantees.penalties import AmountNotRecordable
from clientdesk.guarantees.runs import ALERT_THRESHOLD, run_evaluation, run_forecast
from clientdesk.lake.gateway import AnyUser, LakeError, open_lake
from clientdesk.lake.memo import ReaderMemo
from clientdesk.lib.downloads import file_download
from clientdesk.lib.periods import add_years
from clientdesk.people.pickers import person_name
from clientdesk.people.requests import signed_in_user

EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_TYPES:
        raise Http404("Export as csv or xlsx.")


# --- portfolio ------------------------------------------------------------------------------


# The portfolio's rows per reader, until the next write, lake batch or minute (lake/memo.py):
# 70 % of the page's CPU, read again on every view though they change only with a write.
_PORTFOLIO: ReaderMemo[list[queries.PortfolioRow]] = ReaderMemo(128)


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    today = timezone.localdate(now)
    rows = _PORTFOLIO.get(request.user, now, lambda: queries.portfolio(request.user, today))
    return render(
        request,
        "guarantees/portfolio.html",
        {
            "rows": rows,
            "totals": queries.portfolio_totals(rows),
            "today": today,
            "can_run_all": can_create_accounts(request.user),
            "threshold": ALERT_THRESHOLD,
        },
    )


@login_required
@require_GET
def portfolio_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_format(fmt)
    rows = exports.portfolio_rows(queries.portfolio(request.user, timezone.localdate()))
    content = (
        exports.to_csv(exports.PORTFOLIO_COLUMNS, rows)
        if fmt == "csv"
        else exports.to_xlsx(exports.PORTFOLIO_COLUMNS, rows, sheet="Portfolio")
    )
    actions.do_record_export(request.user, account=None, what="portfolio", fmt=fmt, rows=len(rows))
    return file_download(
        content, filename=f"guarantees-portfolio.{fmt}", content_type=EXPORT_TYPES[fmt]
    )


@login_required
@require_POST
def evaluate_all(request: HttpRequest) -> HttpResponse:
    """Evaluate and forecast every account (managers and admins)."""
    if not can_create_accounts(request.user):
        raise PermissionDenied("Only managers and admins evaluate the whole book.")
    today = timezone.localdate()
    accounts = list(
        accounts_visible_to(request.user).filter(contracts__guarantees__isnull=False).distinct()
    )
    try:
        _, stored = run_evaluation(accounts, acting_user=signed_in_user(request), today=today)
        _, forecast = run_forecast(accounts, acting_user=signed_in_user(request), as_of=today)
    except (LakeError, AmountNotRecordable) as error:
        messages.error(request, f"Could not evaluate: {error}")
        return redirect("guarantees:portfolio")
    messages.success(
        request,
        f"Evaluated {len(accounts)} accounts: {stored.created} new and {stored.updated} changed "
        f"results, {stored.new_misses} new misses; {forecast.stored} forecasts, "
        f"{forecast.alerts_opened} alerts opened, {forecast.alerts_closed} closed.",
    )
    return redirect("guarantees:portfolio")


# --- the account scorecard ------------------------------------------------------------------


@login_required
@require_GET
def scorecard(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    today = timezone.localdate()
    card = queries.scorecard(account, today)
    contracts = list(account.contracts.select_related("guarantee_terms"))
    return render(
        request,
        "guarantees/scorecard.html",
        {
            "account": account,
            "card": card,
            "today": today,
            "contracts": contracts,
            "can_run": can_run(request.user, account),
            "can_define": can_define(request.user, account),
            "evaluate_form": EvaluateForm(),
            "forecast_form": ForecastForm(),
            "threshold": ALERT_THRESHOLD,
        },
    )


@login_required
@require_GET
def scorecard_export(request: HttpRequest, account_id: int, fmt: str) -> HttpResponse:
    _check_format(fmt)
    account = access_account_by_id(request.user, account_id)
    results = [
        r
        for card in queries.scorecard(account, timezone.localdate()).cards
        for r in card.guarantee.results.all()
    ]
    rows = exports.result_rows(results)
    content = (
        exports.to_csv(exports.RESULT_COLUMNS, rows)
        if fmt == "csv"
        else exports.to_xlsx(exports.RESULT_COLUMNS, rows, sheet=account.group_number)
    )
    actions.do_record_export(request.user, account=account, what="results", fmt=fmt, rows=len(rows))
    return file_download(
        content,
        filename=f"guarantees-{account.group_number}.{fmt}",
        content_type=EXPORT_TYPES[fmt],
    )


@login_required
@require_POST
def evaluate(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Could not evaluate: {form.errors.as_text()}")
        return redirect("guarantees:scorecard", account_id=account.pk)
    try:
        values, stored = run_evaluation(
            [account],
            acting_user=signed_in_user(request),
            today=timezone.localdate(),
            window=form.cleaned_data["period"],
        )
    except (LakeError, AmountNotRecordable) as error:
        messages.error(request, f"Could not evaluate: {error}")
        return redirect("guarantees:scorecard", account_id=account.pk)
    messages.success(
        request,
        f"Evaluated {len(values)} results: {stored.created} new, {stored.updated} changed, "
        f"{stored.unchanged} unchanged; {stored.new_misses} new misses.",
    )
    return redirect("guarantees:scorecard", account_id=account.pk)


@login_required
@require_POST
def forecast(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = ForecastForm(request.POST)
    as_of = timezone.localdate()
    if form.is_valid() and form.cleaned_data["as_of"]:
        as_of = form.cleaned_data["as_of"]
    try:
        forecasts, summary = run_forecast(
            [account], acting_user=signed_in_user(request), as_of=as_of
        )
    except (LakeError, AmountNotRecordable) as error:
        messages.error(request, f"Could not forecast: {error}")
        return redirect("guarantees:scorecard", account_id=account.pk)
    messages.success(
        request,
        f"Forecast {len(forecasts)} guarantees as of {as_of:%b %-d, %Y}: "
        f"{summary.alerts_opened} alerts opened, {summary.alerts_closed} closed.",
    )
    return redirect("guarantees:scorecard", account_id=account.pk)


# --- defining guarantees --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def templates_pick(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = TemplatePickForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_guarantees_from_templates(
            form.cleaned_data["contract"],
            form.cleaned_data["templates"],
            acting_user=signed_in_user(request),
        )
        messages.success(request, f"Added {len(created)} guarantees; adjust any of them below.")
        return redirect("guarantees:scorecard", account_id=account.pk)
    return render(
        request,
        "guarantees/templates.html",
        {
            "account": account,
            "form": form,
            "templates": TEMPLATES.values(),
            "sources": SOURCES,
            "metrics": METRICS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def guarantee_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.MANAGE)
    form = GuaranteeForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        g = actions.do_create_guarantee(
            form.cleaned_data["contract"],
            form.guarantee_data(),
            acting_user=signed_in_user(request),
        )
        messages.success(request, f"Added {g.display_name}.")
        return redirect("guarantees:detail", account_id=account.pk, guarantee_id=g.pk)
    return render(
        request,
        "guarantees/guarantee_form.html",
        {"account": account, "form": form, "guarantee": None, "metrics": METRICS.values()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def guarantee_edit(request: HttpRequest, account_id: int, guarantee_id: int) -> HttpResponse:
    account, guarantee = access_guarantee(request.user, account_id, guarantee_id, need=Need.MANAGE)
    form = GuaranteeForm(request.POST or None, instance=guarantee, account=account)
    context: dict[str, Any] = {
        "account": account,
        "form": form,
        "guarantee": guarantee,
        "metrics": METRICS.values(),
        "edit_version": guarantee.version,
    }
    if request.method == "POST" and form.is_valid():
        data = form.guarantee_data()
        if form.cleaned_data["contract"] != guarantee.contract:
            raise PermissionDenied("Move a guarantee by adding it to the other contract.")
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_guarantee(
                guarantee, data, acting_user=signed_in_user(request), expected_version=version
            ),
            template="guarantees/guarantee_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Guarantee saved; evaluate again to update its results.")
        return redirect("guarantees:detail", account_id=account.pk, guarantee_id=guarantee.pk)
    return render(request, "guarantees/guarantee_form.html", context)


@login_required
@require_POST
def guarantee_delete(request: HttpRequest, account_id: int, guarantee_id: int) -> HttpResponse:
    account, guarantee = access_guarantee(request.user, account_id, guarantee_id, need=Need.MANAGE)
    actions.do_delete_guarantee(guarantee, acting_user=signed_in_user(request))
    messages.success(request, f"Removed {guarantee.display_name} and its results.")
    return redirect("guarantees:scorecard", account_id=account.pk)


@login_required
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, account_id: int, contract_id: int) -> HttpResponse:
    account, contract = access_contract(request.user, account_id, contract_id, need=Need.MANAGE)
    terms = GuaranteeTerms.objects.filter(contract=contract).first()
    form = TermsForm(request.POST or None, instance=terms)
    context: dict[str, Any] = {
        "account": account,
        "contract": contract,
        "form": form,
        "edit_version": terms.version if terms is not None else None,
    }
    if request.method == "POST" and form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_save_terms(
                contract,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="guarantees/terms_form.html",
            context=context,
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Terms saved; evaluate again to apply the caps.")
        return redirect("guarantees:scorecard", account_id=account.pk)
    return render(request, "guarantees/terms_form.html", context)


# --- one guarantee --------------------------------------------------------------------------


@login_required
@require_GET
def guarantee_detail(request: HttpRequest, account_id: int, guarantee_id: int) -> HttpResponse:
    account, guarantee = access_guarantee(request.user, account_id, guarantee_id)
    results = list(guarantee.results.order_by("kind", "period_start"))
    for r in results:
        r.guarantee = guarantee
    periods = [r for r in results if r.kind == ResultKind.PERIOD]
    settlements = [r for r in results if r.kind == ResultKind.SETTLEMENT]
    forecasts = list(guarantee.forecasts.order_by("-as_of", "-id")[:8])
    alerts = list(guarantee.alerts.order_by("-opened_at")[:8])
    return render(
        request,
        "guarantees/guarantee_detail.html",
        {
            "account": account,
            "g": guarantee,
            "definition": guarantee.definition,
            "periods": periods,
            "settlements": settlements,
            "forecasts": forecasts,
            "alerts": alerts,
            "terms": terms_of(guarantee),
            "can_run": can_run(request.user, account),
            "can_define": can_define(request.user, account),
            "drill": has_records(periods[0]) if periods else guarantee.definition.from_lake,
        },
    )


def _attestable_periods(guarantee: Guarantee, today: dt.date) -> list[str]:
    plan = plan_results([guarantee], today=today, include_attested_periods=True)
    return [p.label for p in plan if p.kind == ResultKind.PERIOD]


@login_required
@require_http_methods(["GET", "POST"])
def attest(request: HttpRequest, account_id: int, guarantee_id: int) -> HttpResponse:
    account, guarantee = access_guarantee(request.user, account_id, guarantee_id, need=Need.WRITE)
    if guarantee.definition.from_lake:
        raise Http404("This guarantee is measured from the lake.")
    today = timezone.localdate()
    periods = _attestable_periods(guarantee, add_years(today, 1))
    form = AttestationForm(request.POST or None, guarantee=guarantee, periods=periods)
    context: dict[str, Any] = {"account": account, "g": guarantee, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        attestation = actions.Attestation(
            period_label=data["period_label"],
            numerator=data.get("numerator"),
            denominator=data.get("denominator"),
            value=data.get("value"),
            sample_size=data.get("sample_size") or 0,
            evidence=data["evidence"],
            reference=data.get("reference") or "",
        )
        # The page posts the version of each period's result it showed (seen_<period>, 0 for
        # none; a page without them is not checked); the 409 page posts the stored ones, so
        # recording again from it is a decision taken with both in view.
        user = signed_in_user(request)
        try:
            actions.do_attest_result(
                guarantee,
                attestation,
                acting_user=user,
                today=today,
                expected_version=posted_version(request, f"seen_{attestation.period_label}"),
            )
        except StaleEdit as stale:
            form.add_error(None, str(stale))
            saved = cast(GuaranteeResult, stale.instance)  # the period's result, as stored now
            saved.guarantee = guarantee
            conflict = attestation_conflict(
                saved,
                attestation,
                your_figure=actions.attested_actual(guarantee, attestation),
                by=person_name(user),
                on=today,
            )
            for field, message in conflict.field_messages.items():
                if field in form.fields:
                    form.add_error(field, message)
            context["conflict_rows"] = conflict.rows
            context["recorded"] = queries.recorded_periods(guarantee, periods)
            return render(request, "guarantees/attest_form.html", context, status=409)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Recorded the {data['period_label']} result.")
            return redirect("guarantees:detail", account_id=account.pk, guarantee_id=guarantee.pk)
    context["recorded"] = queries.recorded_periods(guarantee, periods)
    return render(
        request,
        "guarantees/attest_form.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def records(request: HttpRequest, account_id: int, result_id: int) -> HttpResponse:
    account, result = access_result(request.user, account_id, result_id)
    if not has_records(result):
        raise Http404("This result has no records in the lake.")
    form = RecordsFilterForm(request.GET or None)
    everything = form.is_valid() and form.cleaned_data["all_records"]
    try:
        found = records_behind(request.user, result, breaches_only=not everything)
    except LakeError as error:
        messages.error(request, f"Could not read the records: {error}")
        return redirect(
            "guarantees:detail", account_id=account.pk, guarantee_id=result.guarantee_id
        )
    return render(
        request,
        "guarantees/records.html",
        {
            "account": account,
            "result": result,
            "g": result.guarantee,
            "records": found,
            "form": form,
            "everything": everything,
        },
    )


@login_required
@require_GET
def records_export(request: HttpRequest, account_id: int, result_id: int) -> HttpResponse:
    account, result = access_result(request.user, account_id, result_id)
    if not has_records(result):
        raise Http404("This result has no records in the lake.")
    everything = request.GET.get("all_records") in ("on", "true", "1")
    found = records_behind(request.user, result, breaches_only=not everything, limit=100_000)
    content = exports.to_csv(found.columns, found.rows)
    actions.do_record_export(
        request.user,
        account=account,
        what="records",
        fmt="csv",
        rows=len(found.rows),
        detail={
            "result_id": result.pk,
            "period": result.period_label,
            "metric": result.guarantee.metric,
            "breaches_only": not everything,
        },
    )
    name = f"records-{account.group_number}-{result.guarantee.metric}-{result.period_label}"
    return file_download(
        content, filename=name.replace("/", "_") + ".csv", content_type=EXPORT_TYPES["csv"]
    )


# --- monitors -------------------------------------------------------------------------------


def _grain(request: HttpRequest) -> str:
    return "daily" if request.GET.get("grain") == "daily" else "weekly"


def _until(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("until") or "")
    except ValueError:
        return None


def _monitors(
    user: AnyUser,
    zones: dict[int, str],
    account_id: int | None,
    request: HttpRequest,
    targets: dict[str, float | None],
) -> tuple[Monitor | None, Monitor | None, str]:
    grain = _grain(request)
    narrow = None if account_id is None else [account_id]
    with open_lake(user, accounts=narrow) as lake:  # the user's scope, or one account of it
        until = _until(request)
        ivr_last = until or last_data_day(lake, Feed.IVR)
        claims_last = until or last_data_day(lake, Feed.CLAIMS)
        ivr = (
            ivr_monitor(
                lake,
                zones,
                account_id=account_id,
                last=ivr_last,
                grain=grain,
                target=targets.get("ivr_containment"),
            )
            if ivr_last
            else None
        )
        aa = (
            auto_adjudication_monitor(
                lake,
                account_id=account_id,
                last=claims_last,
                grain=grain,
                target=targets.get("auto_adjudication_rate"),
            )
            if claims_last
            else None
        )
    return ivr, aa, grain


def _charts(monitor: Monitor | None) -> list[object]:
    return [] if monitor is None else [(c, p_chart_svg(c)) for c in monitor.charts]


@login_required
@require_GET
def monitors(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id)
    targets: dict[str, float | None] = dict(queries.monitor_targets(account))
    try:
        ivr, aa, grain = _monitors(
            request.user, {account.pk: account.timezone}, account.pk, request, targets
        )
    except LakeError as error:
        messages.error(request, f"Could not read the lake: {error}")
        ivr, aa, grain = None, None, _grain(request)
    return render(
        request,
        "guarantees/monitors.html",
        {
            "account": account,
            "ivr": ivr,
            "aa": aa,
            "grain": grain,
            "ivr_charts": _charts(ivr),
            "aa_charts": _charts(aa),
        },
    )


@login_required
@require_GET
def book_monitors(request: HttpRequest) -> HttpResponse:
    visible = accounts_visible_to(request.user)
    zones = dict(visible.values_list("id", "timezone"))
    ivr = aa = None
    grain = _grain(request)
    if zones:
        try:
            ivr, aa, grain = _monitors(request.user, zones, None, request, {})
        except LakeError as error:
            messages.error(request, f"Could not read the lake: {error}")
    return render(
        request,
        "guarantees/monitors.html",
        {
            "account": None,
            "ivr": ivr,
            "aa": aa,
            "grain": grain,
            "accounts": len(zones),
            "ivr_charts": _charts(ivr),
            "aa_charts": _charts(aa),
        },
    )
