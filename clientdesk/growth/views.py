"""Growth pages. Each view: check access, parse, call one action or query, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import Need, access_account_by_id, can
from clientdesk.audit.conflicts import posted_version, save_or_conflict
from clientdesk.growth import actions, queries
from clientdesk.growth.access import (
    access_lead_by_id,
    access_opportunity_by_id,
    access_rfp_by_id,
    access_vendor_contract_by_id,
    can_change_opportunity,
    can_pass_leads,
    can_work_rfps,
    leads_visible_to,
    manages,
    require_accounts_role,
    require_library,
    require_manager,
    require_pipeline,
    require_rfp_writer,
    rfps_visible_to,
    vendor_contracts_visible_to,
    works_accounts,
)
from clientdesk.growth.charts import forecast_spec
from clientdesk.growth.forms import (
    AnswerForm,
    AssignForm,
    ConvertForm,
    DismissForm,
    HoldingForm,
    LeadForm,
    LeadStatusForm,
    LibraryAnswerForm,
    NegotiationForm,
    OpportunityForm,
    OutcomeForm,
    ParticipantListForm,
    RfpImportForm,
    RuleForm,
    SavingsCheckForm,
    StageForm,
    VendorContractForm,
    VendorForm,
    rfp_writers,
)
from clientdesk.growth.library import answer_age, search
from clientdesk.growth.models import (
    LEAD_NEXT,
    Lead,
    LibraryAnswer,
    Rfp,
    RfpQuestion,
    RfpSection,
    Suggestion,
    SuggestionRule,
    Vendor,
    VendorContract,
)
from clientdesk.growth.participants import ParticipantFileError, mask_member_id
from clientdesk.growth.questionnaires import QuestionnaireError
from clientdesk.growth.rfps import export_rfp, import_rfp, progress
from clientdesk.growth.runs import (
    import_participants,
    last_full_year,
    measure_vendor_savings,
    run_suggestions,
)
from clientdesk.lake.gateway import LakeError
from clientdesk.lib.downloads import file_download
from clientdesk.people.requests import signed_in_user

T = TypeVar("T")
F = TypeVar("F", bound=forms.BaseForm)


def _tab(account_id: int) -> str:
    return reverse("accounts:tab", args=[account_id, "growth"])


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: forms.BaseForm) -> None:
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, str(message))


def _attempt(request: HttpRequest, action: Callable[[], T]) -> T | None:
    """Run one action; when it refuses (ValidationError), its reasons become the page's
    messages and the answer is None."""
    try:
        return action()
    except ValidationError as error:
        _errors(request, error)
        return None


def _posted(
    request: HttpRequest,
    form: F,
    action: Callable[[F], object],
    back: str,
    *,
    invalid: str | None = None,
) -> HttpResponse:
    """A posted form's one action: valid, the action runs (a refusal shown as messages);
    invalid, its field errors (or the one message saying what to give). Back either way."""
    if form.is_valid():
        _attempt(request, lambda: action(form))
    elif invalid:
        messages.error(request, invalid)
    else:
        _form_errors(request, form)
    return redirect(back)


def _rfp_question(
    request: HttpRequest, rfp_id: int, question_id: int
) -> tuple[Rfp, RfpQuestion, str]:
    """The RFP (to write), one of its questions, and the page's address at that question."""
    rfp = access_rfp_by_id(request.user, rfp_id, need=Need.WRITE)
    question = rfp.questions.select_related("section", "rfp").filter(pk=question_id).first()
    if question is None:
        raise Http404("No such question.")
    return rfp, question, f"{reverse('growth:rfp', args=[rfp.pk])}#q{question.pk}"


# --- pipeline and opportunities -----------------------------------------------------------


@login_required
@require_GET
def pipeline(request: HttpRequest) -> HttpResponse:
    require_pipeline(request.user)
    product_id = request.GET.get("product")
    opportunities, forecast = queries.pipeline(
        request.user, product_id=int(product_id) if product_id and product_id.isdigit() else None
    )
    today = timezone.localdate()
    whitespace = (
        queries.portfolio_whitespace(request.user, today) if works_accounts(request.user) else None
    )
    return render(
        request,
        "growth/pipeline.html",
        {
            "opportunities": opportunities,
            "forecast": forecast,
            "chart": forecast_spec(forecast),
            "whitespace": whitespace[0] if whitespace else None,
            "whitespace_accounts": whitespace[1] if whitespace else 0,
        },
    )


@login_required
@require_POST
def opportunity_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = OpportunityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a product and an expected close date.")
        return redirect(_tab(account.pk))
    opportunity = form.open_for(
        account, owner=signed_in_user(request), now=timezone.now(), acting_user=request.user
    )
    messages.success(request, f"Opportunity opened: {opportunity}.")
    return redirect("growth:opportunity", opportunity.pk)


@login_required
@require_GET
def opportunity_detail(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = access_opportunity_by_id(request.user, opportunity_id)
    return render(
        request,
        "growth/opportunity.html",
        {
            "opportunity": opportunity,
            "changes": opportunity.changes.select_related("by"),
            "can_change": can_change_opportunity(request.user, opportunity),
            "form": StageForm(
                initial={"stage": opportunity.stage, "next_step": opportunity.next_step}
            ),
            # A sales user reads the opportunity, never the account's own pages.
            "account_link": works_accounts(request.user),
        },
    )


@login_required
@require_POST
def opportunity_stage(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = access_opportunity_by_id(request.user, opportunity_id, need=Need.WRITE)
    back = reverse("growth:opportunity", args=[opportunity.pk])
    form = StageForm(request.POST)
    if form.is_valid():
        conflict = save_or_conflict(
            request,
            form,
            lambda version: _attempt(
                request,
                lambda: form.move(
                    opportunity,
                    now=timezone.now(),
                    acting_user=request.user,
                    expected_version=version,
                ),
            ),
            template="audit/stale_save.html",
            context={"form": form, "title": str(opportunity), "action": request.path, "back": back},
        )
        if conflict is not None:
            return conflict
    else:
        _form_errors(request, form)
    return redirect(back)


@login_required
@require_POST
def holding(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = HoldingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a product, held or declined, and since when.")
        return redirect(_tab(account.pk))
    product = form.cleaned_data["product"]
    # The tab's one form offers every product: it posts the version of each product's holding
    # it showed (seen_<product>, 0 for none); the 409 page posts the one version it shows.
    seen = posted_version(request, f"seen_{product.pk}")
    expected = seen if seen is not None else posted_version(request)
    conflict = save_or_conflict(
        request,
        form,
        lambda _version: _attempt(
            request,
            lambda: actions.do_set_holding(
                account,
                product,
                form.cleaned_data["status"],
                since=form.cleaned_data["since"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
                expected_version=expected,
            ),
        ),
        template="audit/stale_save.html",
        context={
            "form": form,
            "title": f"{account.name}: {product.name}",
            "action": request.path,
            "back": _tab(account.pk),
        },
    )
    return conflict or redirect(_tab(account.pk))


# --- suggestions ----------------------------------------------------------------------------


def _suggestion(request: HttpRequest, suggestion_id: int) -> Suggestion:
    suggestion = (
        Suggestion.objects.select_related("account", "rule").filter(pk=suggestion_id).first()
    )
    if suggestion is None:
        raise Http404("No such suggestion.")
    access_account_by_id(request.user, suggestion.account_id, need=Need.WRITE)
    return suggestion


@login_required
@require_POST
def suggestion_convert(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion(request, suggestion_id)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the expected close date.")
        return redirect(_tab(suggestion.account_id))
    opportunity = _attempt(
        request,
        lambda: actions.do_convert_suggestion(
            suggestion,
            owner=signed_in_user(request),
            expected_close=form.cleaned_data["expected_close"],
            now=timezone.now(),
            acting_user=request.user,
        ),
    )
    if opportunity is None:
        return redirect(_tab(suggestion.account_id))
    messages.success(request, "The suggestion is now an opportunity.")
    return redirect("growth:opportunity", opportunity.pk)


@login_required
@require_POST
def suggestion_dismiss(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion(request, suggestion_id)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the suggestion does not apply.")
    elif _attempt(
        request,
        lambda: actions.do_dismiss_suggestion(
            suggestion,
            reason=form.cleaned_data["reason"],
            now=timezone.now(),
            acting_user=request.user,
        ),
    ):
        messages.success(request, "Dismissed; it comes back only if its evidence changes.")
    return redirect(_tab(suggestion.account_id))


@login_required
@require_POST
def suggest_account(request: HttpRequest, account_id: int) -> HttpResponse:
    """Evaluate the rules on this account now, reading the lake as the signed-in user."""
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    now = timezone.now()
    try:
        run = run_suggestions(
            request.user,
            [account],
            last_full_year(timezone.localdate(now)),
            now=now,
            acting_user=request.user,
        )
    except LakeError as error:
        messages.error(request, f"The lake could not be read: {error}")
        return redirect(_tab(account.pk))
    messages.success(
        request,
        f"Rules evaluated: {run.stored['new']} new, {run.stored['updated']} updated, "
        f"{run.stored['unchanged']} already known.",
    )
    return redirect(_tab(account.pk))


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    require_accounts_role(request.user)
    form = RuleForm()
    if request.method == "POST":
        require_manager(request.user)
        form = RuleForm(request.POST)
        if form.is_valid():
            actions.do_save_rule(None, form.cleaned_data, acting_user=request.user)
            return redirect("growth:rules")
    return render(
        request,
        "growth/rules.html",
        {
            "rules": SuggestionRule.objects.select_related("product"),
            "form": form,
            "can_edit": manages(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    require_manager(request.user)
    rule = SuggestionRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise Http404("No such rule.")
    form = RuleForm(instance=rule)
    context: dict[str, Any] = {"rule": rule, "form": form, "edit_version": rule.version}
    if request.method == "POST":
        form = RuleForm(request.POST, instance=SuggestionRule.objects.get(pk=rule_id))
        context["form"] = form
        if form.is_valid():
            conflict = save_or_conflict(
                request,
                form,
                lambda version: actions.do_save_rule(
                    rule, form.cleaned_data, acting_user=request.user, expected_version=version
                ),
                template="growth/rule_form.html",
                context=context,
            )
            if conflict is not None:
                return conflict
            return redirect("growth:rules")
    return render(request, "growth/rule_form.html", context)


# --- leads ----------------------------------------------------------------------------------


def _sla_hours() -> int:
    return int(queries.LEAD_FIRST_CONTACT_SLA.total_seconds() // 3600)


@login_required
@require_http_methods(["GET", "POST"])
def leads(request: HttpRequest) -> HttpResponse:
    require_pipeline(request.user)
    form = LeadForm()
    if request.method == "POST":
        if not can_pass_leads(request.user):
            raise PermissionDenied("Managers and associates pass leads to sales.")
        form = LeadForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            owner = data.pop("sales_owner")
            lead = actions.do_pass_lead(
                data, sales_owner=owner, now=timezone.now(), acting_user=signed_in_user(request)
            )
            messages.success(request, f"Lead passed to {owner.get_full_name() or owner.username}.")
            return redirect("growth:lead", lead.pk)
    now = timezone.now()
    visible = list(leads_visible_to(request.user).select_related("sales_owner", "passed_by"))
    by_source, by_associate = queries.lead_conversion(request.user, now)
    return render(
        request,
        "growth/leads.html",
        {
            "leads": [(lead, queries.lead_clock(lead, now)) for lead in visible],
            "form": form if can_pass_leads(request.user) else None,
            "by_source": by_source,
            "by_associate": by_associate,
            "sla_hours": _sla_hours(),
            "sla_days": queries.LEAD_SLA_DAYS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = access_lead_by_id(request.user, lead_id)
    form = LeadStatusForm()
    if request.method == "POST":
        lead = access_lead_by_id(request.user, lead_id, need=Need.WRITE)
        form = LeadStatusForm(request.POST)
        updated: list[Lead | None] = [None]
        if form.is_valid():

            def save(version: int | None) -> None:
                updated[0] = _attempt(
                    request,
                    lambda: actions.do_update_lead(
                        lead,
                        form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                        now=timezone.now(),
                        acting_user=request.user,
                        expected_version=version,
                    ),
                )

            back = reverse("growth:lead", args=[lead.pk])
            conflict = save_or_conflict(
                request,
                form,
                save,
                template="audit/stale_save.html",
                context={"form": form, "title": str(lead), "action": request.path, "back": back},
            )
            if conflict is not None:
                return conflict
        if updated[0] is not None:
            return redirect("growth:lead", lead.pk)
    can_report = manages(request.user) or lead.sales_owner_id == request.user.pk
    return render(
        request,
        "growth/lead.html",
        {
            "lead": lead,
            "clock": queries.lead_clock(lead, timezone.now()),
            "sla_hours": _sla_hours(),
            "changes": lead.changes.select_related("by"),
            "form": form if can_report and LEAD_NEXT[lead.status] else None,
        },
    )


# --- RFPs and the library -------------------------------------------------------------------


@login_required
@require_GET
def rfps(request: HttpRequest) -> HttpResponse:
    require_accounts_role(request.user)
    won, lost, withdrawn, rate = queries.rfp_win_rate(request.user)
    return render(
        request,
        "growth/rfps.html",
        {
            "rfps": rfps_visible_to(request.user).select_related("account"),
            "won": won,
            "lost": lost,
            "withdrawn": withdrawn,
            "win_rate": rate,
            "can_import": can_work_rfps(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rfp_import(request: HttpRequest) -> HttpResponse:
    require_rfp_writer(request.user)
    form = RfpImportForm()
    if request.method == "POST":
        form = RfpImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.pop("file")
            try:
                rfp = import_rfp(
                    upload.name,
                    upload.read(),
                    form.cleaned_data,
                    now=timezone.now(),
                    acting_user=signed_in_user(request),
                )
            except QuestionnaireError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, f"{rfp.questions.count()} questions imported.")
                return redirect("growth:rfp", rfp.pk)
    return render(request, "growth/rfp_import.html", {"form": form})


@login_required
@require_GET
def rfp_detail(request: HttpRequest, rfp_id: int) -> HttpResponse:
    rfp = access_rfp_by_id(request.user, rfp_id)
    today = timezone.localdate()
    questions = list(rfp.questions.select_related("section", "from_library", "assignee"))
    wanted = {int(s[0]) for q in questions for s in q.suggestions}
    library = LibraryAnswer.objects.in_bulk(list(wanted))
    rows: list[tuple[RfpQuestion, list[dict[str, Any]]]] = []
    for q in questions:
        found = []
        for answer_id, score in q.suggestions:
            answer = library.get(int(answer_id))
            if answer is not None:
                found.append({"answer": answer, "score": score, "age": answer_age(answer, today)})
        rows.append((q, found))
    return render(
        request,
        "growth/rfp.html",
        {
            "rfp": rfp,
            "rows": rows,
            "progress": progress(rfp, now=timezone.now()),
            "writers": rfp_writers() if can_work_rfps(request.user) else [],
            "can_work": can_work_rfps(request.user),
            "can_manage": manages(request.user),
            "outcome_form": OutcomeForm(initial={"status": rfp.status}),
        },
    )


@login_required
@require_POST
def rfp_answer(request: HttpRequest, rfp_id: int, question_id: int) -> HttpResponse:
    _, question, back = _rfp_question(request, rfp_id, question_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        library_id = form.cleaned_data["library_answer"]
        library = LibraryAnswer.objects.filter(pk=library_id).first() if library_id else None
        text = form.cleaned_data["answer"] or (library.answer if library else "")
        conflict = save_or_conflict(
            request,
            form,
            lambda version: _attempt(
                request,
                lambda: actions.do_answer_question(
                    question,
                    answer=text,
                    library_answer=library,
                    now=timezone.now(),
                    acting_user=request.user,
                    expected_version=version,
                ),
            ),
            template="audit/stale_save.html",
            context={
                "form": form,
                "title": f"Question {question.number or question.position}: {question.text}",
                "action": request.path,
                "back": back,
            },
        )
        if conflict is not None:
            return conflict
    return redirect(back)


@login_required
@require_POST
def rfp_assign(request: HttpRequest, rfp_id: int, question_id: int) -> HttpResponse:
    _, question, back = _rfp_question(request, rfp_id, question_id)
    return _posted(
        request,
        AssignForm(request.POST),
        lambda form: actions.do_assign_question(
            question,
            form.cleaned_data["assignee"],
            due=form.cleaned_data["due"],
            acting_user=request.user,
        ),
        back,
        invalid="Choose someone on the team and a date.",
    )


@login_required
@require_POST
def rfp_fill(request: HttpRequest, rfp_id: int) -> HttpResponse:
    rfp = access_rfp_by_id(request.user, rfp_id, need=Need.WRITE)
    filled = actions.do_fill_from_library(
        rfp, min_score=0.3, now=timezone.now(), acting_user=request.user
    )
    messages.success(request, f"{filled} questions answered from the library (similarity ≥ 0.3).")
    return redirect("growth:rfp", rfp.pk)


@login_required
@require_POST
def rfp_approve(request: HttpRequest, rfp_id: int, section_id: int) -> HttpResponse:
    rfp = access_rfp_by_id(request.user, rfp_id, need=Need.MANAGE)
    section = RfpSection.objects.filter(rfp=rfp, pk=section_id).first()
    if section is None:
        raise Http404("No such section.")
    _attempt(
        request,
        lambda: actions.do_approve_section(
            section, now=timezone.now(), acting_user=signed_in_user(request)
        ),
    )
    return redirect("growth:rfp", rfp.pk)


@login_required
@require_POST
def rfp_outcome(request: HttpRequest, rfp_id: int) -> HttpResponse:
    rfp = access_rfp_by_id(request.user, rfp_id, need=Need.MANAGE)
    back = reverse("growth:rfp", args=[rfp.pk])
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    conflict = save_or_conflict(
        request,
        form,
        lambda version: _attempt(
            request,
            lambda: actions.do_record_rfp_outcome(
                rfp,
                form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                competitor=form.cleaned_data["competitor"],
                acting_user=request.user,
                expected_version=version,
            ),
        ),
        template="audit/stale_save.html",
        context={
            "form": form,
            "title": f"The outcome of {rfp.title}",
            "action": request.path,
            "back": back,
        },
    )
    return conflict or redirect(back)


@login_required
@require_GET
def rfp_export(request: HttpRequest, rfp_id: int) -> HttpResponse:
    rfp = access_rfp_by_id(request.user, rfp_id)
    export = export_rfp(rfp)
    return file_download(export.content, filename=export.filename, content_type=export.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def library(request: HttpRequest) -> HttpResponse:
    require_library(request.user)
    form = LibraryAnswerForm()
    if request.method == "POST":
        require_rfp_writer(request.user)
        form = LibraryAnswerForm(request.POST)
        if form.is_valid():
            actions.do_save_library_answer(
                None,
                {**form.cleaned_data, "owner": signed_in_user(request)},
                now=timezone.now(),
                acting_user=request.user,
            )
            return redirect("growth:library")
    query = request.GET.get("q", "").strip()
    today = timezone.localdate()
    found = search(query, 50) if query else list(LibraryAnswer.objects.select_related("owner")[:50])
    return render(
        request,
        "growth/library.html",
        {
            "query": query,
            "answers": [(a, answer_age(a, today)) for a in found],
            "total": LibraryAnswer.objects.count(),
            "overdue": LibraryAnswer.objects.filter(review_due__lt=today).count(),
            "form": form if can_work_rfps(request.user) else None,
        },
    )


# --- vendors --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def vendors(request: HttpRequest) -> HttpResponse:
    require_accounts_role(request.user)
    form = VendorForm()
    if request.method == "POST":
        require_manager(request.user)
        form = VendorForm(request.POST)
        if form.is_valid():
            actions.do_save_vendor(form.cleaned_data, acting_user=request.user)
            return redirect("growth:vendors")
    contracts = list(vendor_contracts_visible_to(request.user).select_related("vendor", "account"))
    checks = queries.latest_savings_checks(contracts)
    rows = [(c, queries.contract_savings(c), checks.get(c.pk)) for c in contracts]
    return render(
        request,
        "growth/vendors.html",
        {
            "vendors": Vendor.objects.all(),
            "contracts": rows,
            "form": form if manages(request.user) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vendor_contract_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = VendorContractForm()
    if request.method == "POST":
        form = VendorContractForm(request.POST)
        if form.is_valid():
            try:
                contract = actions.do_record_vendor_contract(
                    account, form.cleaned_data, acting_user=request.user
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("growth:vendor_contract", contract.pk)
    return render(request, "growth/vendor_contract_form.html", {"account": account, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def vendor_contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = access_vendor_contract_by_id(request.user, contract_id)
    form = NegotiationForm(initial={"on": timezone.localdate()})
    if request.method == "POST":
        contract = access_vendor_contract_by_id(request.user, contract_id, need=Need.WRITE)
        form = NegotiationForm(request.POST)
        if form.is_valid():
            actions.do_log_negotiation(contract, form.cleaned_data, acting_user=request.user)
            return redirect("growth:vendor_contract", contract.pk)
    return render(
        request,
        "growth/vendor_contract.html",
        {
            "contract": contract,
            "savings": queries.contract_savings(contract),
            "log": contract.log.select_related("by"),
            "form": form if can(request.user, contract.account, Need.WRITE) else None,
            "participant_form": ParticipantListForm(),
            "check_form": SavingsCheckForm(),
            **_savings_context(contract),
        },
    )


def _savings_context(contract: VendorContract) -> dict[str, object]:
    roster = contract.participant_lists.select_related("imported_by").first()
    check = contract.savings_checks.select_related("measured_by").first()
    return {
        "roster": roster,
        "accepted": roster.participants.count() if roster is not None else 0,
        "check": check,
        "check_is_current": check is not None
        and roster is not None
        and check.roster_id == roster.pk,
    }


@login_required
@require_POST
def vendor_participants_import(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The vendor's participant list, checked against the account's eligibility."""
    contract = access_vendor_contract_by_id(request.user, contract_id, need=Need.WRITE)
    form = ParticipantListForm(request.POST, request.FILES)
    back = reverse("growth:vendor_contract", args=[contract.pk]) + "#claimed-savings"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    upload = form.cleaned_data["file"]
    try:
        roster = import_participants(
            contract,
            upload.name,
            upload.read(),
            reader=signed_in_user(request),
            now=timezone.now(),
        )
    except ParticipantFileError as error:
        messages.error(request, f"{upload.name}: {error}")
    except LakeError:
        messages.error(request, "The lake could not be read to check the members; try again.")
    else:
        messages.success(
            request,
            f"{roster.participants.count()} participants imported, "
            f"{len(roster.rejections)} rows rejected.",
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def vendor_participants(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The newest participant list: member ids masked; in full only on purpose (a POST, by
    someone who may change the account). Every look is written to the audit log."""
    contract = access_vendor_contract_by_id(request.user, contract_id)
    revealed = request.method == "POST"
    if revealed:
        contract = access_vendor_contract_by_id(request.user, contract_id, need=Need.WRITE)
    roster = contract.participant_lists.select_related("imported_by").first()
    if roster is None:
        raise Http404("No participant list yet.")
    actions.record_participant_look(roster, revealed=revealed, acting_user=request.user)
    rows = [
        (p.member_id if revealed else mask_member_id(p.member_id), p.enrolled_on, p.ended_on)
        for p in roster.participants.all()
    ]
    return render(
        request,
        "growth/vendor_participants.html",
        {
            "contract": contract,
            "roster": roster,
            "rows": rows,
            "revealed": revealed,
            "can_reveal": can(request.user, contract.account, Need.WRITE),
        },
    )


@login_required
@require_POST
def vendor_savings_check(request: HttpRequest, contract_id: int) -> HttpResponse:
    """Measure the vendor's savings on the account's claims and keep the figures."""
    contract = access_vendor_contract_by_id(request.user, contract_id, need=Need.WRITE)
    form = SavingsCheckForm(request.POST)
    back = reverse("growth:vendor_contract", args=[contract.pk]) + "#claimed-savings"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        check = measure_vendor_savings(
            contract,
            reader=signed_in_user(request),
            now=timezone.now(),
            through=form.cleaned_data["through"],
        )
    except ValidationError as error:
        _errors(request, error)
    except LakeError:
        messages.error(request, "The lake could not be read; try again.")
    else:
        if check.measured_pmpm is None:
            messages.error(request, "No participant could be measured: see the counts below.")
        else:
            messages.success(request, "Savings measured on the account's claims.")
    return redirect(back)
