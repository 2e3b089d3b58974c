"""Inquiry pages. Each view: check access, parse, call one action, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientdesk.accounts.access import Need, access_account_by_id, accounts_visible_to, can
from clientdesk.audit.conflicts import (
    ConflictRow,
    conflict_rows,
    posted_version,
    save_or_conflict,
)
from clientdesk.audit.updating import StaleEdit
from clientdesk.inquiries import actions, exports
from clientdesk.inquiries.access import (
    access_escalation_by_id,
    access_inquiry_by_id,
    can_manage_queues,
    can_see_dashboard,
    require_queue_manager,
    writable_accounts,
)
from clientdesk.inquiries.forms import (
    AssignForm,
    AttachmentForm,
    BulkAssignForm,
    CompetenceForm,
    EscalateForm,
    EscalationForm,
    EscalationNoteForm,
    EscalationUpdateForm,
    InquiryFilterForm,
    InquiryForm,
    MergeForm,
    NoteForm,
    RoutingRuleForm,
    SlaPolicyForm,
    StatusForm,
)
from clientdesk.inquiries.list_rows import inquiry_rows
from clientdesk.inquiries.models import (
    AccountEscalation,
    Category,
    Competence,
    EscalationStatus,
    Inquiry,
    InquiryAttachment,
    RoutingRule,
    SlaPolicy,
)
from clientdesk.inquiries.queries import (
    LIST_COUNT_LIMIT,
    IdFirst,
    account_inquiry_summary,
    filtered_inquiries,
    inquiry_timeline,
    manager_dashboard,
    my_work,
)
from clientdesk.inquiries.routing import team_members
from clientdesk.inquiries.sla import clocks_for
from clientdesk.lib.downloads import file_download
from clientdesk.lib.htmx import HtmxHttpRequest, varies_by_htmx, wants_fragment
from clientdesk.lib.periods import parse_period
from clientdesk.lib.record_ids import parse_record_id
from clientdesk.people.requests import signed_in_user
from clientdesk.people.roles import Role


def _conflict_into(form: BaseForm, conflict: actions.EditConflict) -> None:
    """Put an edit conflict on the form: on each field someone else changed, else on top."""
    for name, message in conflict.fields.items():
        form.add_error(name if name in form.fields else None, message)
    form.add_error(None, str(conflict))


# ── lists ───────────────────────────────────────────────────────────────────────────────


def _filters(request: HttpRequest) -> InquiryFilterForm:
    return InquiryFilterForm(
        request.GET or None, user=request.user, accounts=accounts_visible_to(request.user)
    )


@login_required
@require_GET
def inquiry_list(request: HtmxHttpRequest) -> HttpResponse:
    form = _filters(request)
    params = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    rows = IdFirst(filtered_inquiries(request.user, params, now), count_limit=LIST_COUNT_LIMIT)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    manager = can_manage_queues(request.user)
    context = {
        "form": form,
        "page": page,
        "rows": inquiry_rows(page.object_list),
        "query": query.urlencode(),
        "now": now,
        "can_bulk_assign": manager,
        "bulk_form": BulkAssignForm(user=request.user) if manager else None,
        "can_create": writable_accounts(request.user).exists(),
    }
    template = (
        "inquiries/_inquiry_rows.html" if wants_fragment(request) else "inquiries/inquiry_list.html"
    )
    return varies_by_htmx(render(request, template, context))


@login_required
@require_GET
def inquiry_export(request: HttpRequest) -> HttpResponseBase:
    form = _filters(request)
    if not form.is_valid():
        problems = "; ".join(str(error) for errors in form.errors.values() for error in errors)
        context = {"code": 400, "title": "Cannot export", "text": problems}
        return render(request, "web/error.html", context, status=400)
    fmt = request.GET.get("format", "csv")
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Export as csv or xlsx.")
    qs = filtered_inquiries(request.user, form.cleaned_data, timezone.now())
    count = qs.count()
    if fmt == "xlsx" and count > exports.XLSX_MAX_ROWS:
        messages.error(request, f"{count:,} rows do not fit in a spreadsheet; export CSV.")
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{reverse('inquiries:list')}?{query.urlencode()}")
    filters = {k: v for k, v in request.GET.items() if k != "format"}
    actions.record_export(acting_user=request.user, rows=count, fmt=fmt, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"inquiries-{stamp}.{fmt}"
    if fmt == "csv":
        return file_download(
            exports.csv_lines(exports.rows(qs)),
            filename=name,
            content_type="text/csv; charset=utf-8",
        )
    return file_download(
        exports.xlsx_bytes(exports.rows(qs)),
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_GET
def my_work_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = IdFirst(my_work(request.user, now), count_limit=LIST_COUNT_LIMIT)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    can_create = writable_accounts(request.user).exists()
    context = {
        "page": page,
        "rows": inquiry_rows(page.object_list, subject_chars=80),
        "now": now,
        "query": "",
        "can_create": can_create,
    }
    return render(request, "inquiries/my_work.html", context)


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    require_queue_manager(request.user)
    form = BulkAssignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            changed = actions.do_bulk_assign(
                form.cleaned_data["inquiries"],
                form.cleaned_data["owner"],
                acting_user=signed_in_user(request),
                auto=form.cleaned_data["auto"],
            )
        except actions.InquiryRuleError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Reassigned {changed} of {len(form.cleaned_data['inquiries'])} inquiries."
            )
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/inquiries/") else "inquiries:list")


# ── one inquiry ─────────────────────────────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_create(request: HttpRequest) -> HttpResponse:
    if not writable_accounts(request.user).exists():
        raise PermissionDenied("Your role does not open inquiries.")
    initial: dict[str, Any] = {}
    account_id = parse_record_id(request.GET.get("account", ""))
    if account_id is not None:
        initial["account"] = account_id
    initial.update(_typed_so_far(request))
    form = InquiryForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        account = access_account_by_id(
            request.user, form.cleaned_data["account"].pk, need=Need.WRITE
        )
        inquiry = actions.do_create_inquiry(
            account, form.changes(), acting_user=signed_in_user(request)
        )
        messages.success(request, f"Opened {inquiry.reference}.")
        return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "inquiries/inquiry_form.html", {"form": form, "inquiry": None}, status=status
    )


def _typed_so_far(request: HttpRequest) -> dict[str, str]:
    """What the user had typed when the form asked for its dependent lists again (htmx sends
    the form's values when the account or the category changes), so nothing typed is lost."""
    if request.method != "GET" or not getattr(request, "htmx", False):
        return {}
    return {k: str(v) for k, v in request.GET.items() if k != "csrfmiddlewaretoken"}


def _detail_context(request: HttpRequest, inquiry: Inquiry, **forms: Any) -> dict[str, Any]:
    now = timezone.now()
    can_write = can(request.user, inquiry.account, Need.WRITE)
    inquiry = (
        Inquiry.objects.select_related("account", "owner", "contact", "merged_into", "sla_policy")
        .prefetch_related("watchers", "attachments", "duplicates")
        .get(pk=inquiry.pk)
    )
    clocks = clocks_for(inquiry, now=now)
    context: dict[str, Any] = {
        "inquiry": inquiry,
        "clocks": clocks,
        "sla_badge": {"live_sla": clocks.live_state(now)},
        "timeline": inquiry_timeline(inquiry),
        "can_write": can_write,
        "watching": any(u.pk == request.user.pk for u in inquiry.watchers.all()),
        "revealed": forms.pop("revealed", False),
        "now": now,
    }
    if can_write:
        context.update(
            status_form=forms.get("status_form") or StatusForm(inquiry=inquiry),
            note_form=forms.get("note_form") or NoteForm(),
            assign_form=forms.get("assign_form") or AssignForm(inquiry=inquiry),
            escalate_form=forms.get("escalate_form") or EscalateForm(inquiry=inquiry),
            merge_form=forms.get("merge_form") or MergeForm(inquiry=inquiry, user=request.user),
            attachment_form=forms.get("attachment_form") or AttachmentForm(),
        )
    return context


def _detail(
    request: HttpRequest, inquiry: Inquiry, status: int = 200, **forms: Any
) -> HttpResponse:
    return render(
        request,
        "inquiries/inquiry_detail.html",
        _detail_context(request, inquiry, **forms),
        status=status,
    )


@login_required
@require_GET
def inquiry_detail(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    return _detail(request, access_inquiry_by_id(request.user, inquiry_id))


@login_required
@require_http_methods(["GET", "POST"])
def inquiry_edit(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = InquiryForm(
        request.POST or None, instance=inquiry, user=request.user, initial=_typed_so_far(request)
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                actions.do_update_inquiry(
                    inquiry,
                    form.changes(),
                    expected_version=form.cleaned_data["version"],
                    acting_user=signed_in_user(request),
                )
            except actions.EditConflict as conflict:
                _conflict_into(form, conflict)
                status = 409
            else:
                messages.success(request, f"{inquiry.reference} saved.")
                return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return render(
        request, "inquiries/inquiry_form.html", {"form": form, "inquiry": inquiry}, status=status
    )


@login_required
@require_POST
def inquiry_status(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    try:
        actions.check_version(inquiry, request.POST.get("version"))
    except actions.EditConflict as conflict:
        form = StatusForm(request.POST, inquiry=inquiry)
        form.is_valid()
        _conflict_into(form, conflict)
        return _detail(request, inquiry, 409, status_form=form)
    form = StatusForm(request.POST, inquiry=inquiry)
    if form.is_valid():
        data = form.cleaned_data
        try:
            updated = actions.do_change_status(
                inquiry,
                data["status"],
                expected_version=data["version"],
                acting_user=signed_in_user(request),
                resolution_code=data["resolution_code"],
                resolution_summary=data["resolution_summary"],
                note=data["note"],
            )
        except actions.EditConflict as conflict:
            _conflict_into(form, conflict)
            return _detail(request, inquiry, 409, status_form=form)
        except actions.InquiryRuleError as error:
            form.add_error("status", str(error))
        else:
            messages.success(
                request, f"{updated.reference} is now {updated.get_status_display().lower()}."
            )
            return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return _detail(request, inquiry, 422, status_form=form)


@login_required
@require_POST
def inquiry_note(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = actions.do_add_note(
                inquiry,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                acting_user=signed_in_user(request),
            )
        except actions.InquiryRuleError as error:
            form.add_error(None, str(error))
        else:
            sent = f" and e-mailed to {note.emailed_to}" if note.emailed_to else ""
            messages.success(request, f"Note added{sent}.")
            return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return _detail(request, inquiry, 422, note_form=form)


@login_required
@require_POST
def inquiry_assign(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = AssignForm(request.POST, inquiry=inquiry)
    try:
        actions.check_version(inquiry, request.POST.get("version"))
    except actions.EditConflict as conflict:
        form.is_valid()
        _conflict_into(form, conflict)
        return _detail(request, inquiry, 409, assign_form=form)
    if form.is_valid():
        try:
            actions.do_assign_inquiry(
                inquiry,
                form.cleaned_data["owner"],
                acting_user=signed_in_user(request),
                expected_version=form.cleaned_data["version"],
            )
        except actions.EditConflict as conflict:
            _conflict_into(form, conflict)
            return _detail(request, inquiry, 409, assign_form=form)
        except actions.InquiryRuleError as error:
            form.add_error("owner", str(error))
        else:
            messages.success(request, "Owner saved.")
            return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return _detail(request, inquiry, 422, assign_form=form)


@login_required
@require_POST
def inquiry_escalate(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    """Escalate by hand (the manager or service operations, with a reason): those who may
    change the inquiry."""
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = EscalateForm(request.POST, inquiry=inquiry)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_escalate_inquiry(
                inquiry,
                data["to"],
                data["reason"],
                acting_user=signed_in_user(request),
                expected_version=data["version"],
            )
        except actions.EditConflict as conflict:
            _conflict_into(form, conflict)
            return _detail(request, inquiry, 409, escalate_form=form)
        except actions.InquiryRuleError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Inquiry escalated.")
            return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return _detail(request, inquiry, 422, escalate_form=form)


@login_required
@require_POST
def inquiry_watch(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    watching = request.POST.get("watch") != "off"
    actions.do_set_watching(
        inquiry, signed_in_user(request), watching, acting_user=signed_in_user(request)
    )
    messages.success(request, "You watch this inquiry." if watching else "You stopped watching.")
    return redirect("inquiries:detail", inquiry_id=inquiry.pk)


@login_required
@require_POST
def inquiry_merge(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = MergeForm(request.POST, inquiry=inquiry, user=request.user)
    try:
        actions.check_version(inquiry, request.POST.get("version"))
    except actions.EditConflict as conflict:
        form.is_valid()
        _conflict_into(form, conflict)
        return _detail(request, inquiry, 409, merge_form=form)
    if form.is_valid():
        try:
            target = actions.do_merge_inquiries(
                inquiry,
                form.cleaned_data["into"],
                expected_version=form.cleaned_data["version"],
                acting_user=signed_in_user(request),
            )
        except actions.EditConflict as conflict:
            _conflict_into(form, conflict)
            return _detail(request, inquiry, 409, merge_form=form)
        except actions.InquiryRuleError as error:
            form.add_error("into", str(error))
        else:
            messages.success(request, f"{inquiry.reference} was merged into {target.reference}.")
            return redirect("inquiries:detail", inquiry_id=target.pk)
    return _detail(request, inquiry, 422, merge_form=form)


@login_required
@require_POST
def inquiry_member(request: HtmxHttpRequest, inquiry_id: int) -> HttpResponse:
    """Show the member reference in full, on purpose; the look is written to the audit log."""
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    actions.record_member_reveal(inquiry, acting_user=request.user)
    if wants_fragment(request):
        return render(request, "inquiries/_member_reference.html", {"inquiry": inquiry})
    return _detail(request, inquiry, revealed=True)


@login_required
@require_POST
def attachment_add(request: HttpRequest, inquiry_id: int) -> HttpResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        actions.do_add_attachment(
            inquiry,
            form.cleaned_data["file"],
            form.content_type,
            acting_user=signed_in_user(request),
        )
        messages.success(request, "File attached.")
        return redirect("inquiries:detail", inquiry_id=inquiry.pk)
    return _detail(request, inquiry, 422, attachment_form=form)


@login_required
@require_GET
def attachment_download(request: HttpRequest, inquiry_id: int, attachment_id: int) -> FileResponse:
    inquiry = access_inquiry_by_id(request.user, inquiry_id, need=Need.WRITE)
    attachment = get_object_or_404(InquiryAttachment, pk=attachment_id, inquiry=inquiry)
    actions.record_attachment_download(attachment, acting_user=request.user)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# ── the manager's dashboard ────────────────────────────────────────────────────────────


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not can_see_dashboard(request.user):
        raise PermissionDenied("The dashboard is for managers, admins and executives.")
    now = timezone.now()
    today = timezone.localdate(now)
    start, end = today - dt.timedelta(days=27), today
    label, error = "the last 28 days", ""
    raw = request.GET.get("period", "").strip()
    if raw:
        try:
            period = parse_period(raw)
        except ValueError as problem:
            error = str(problem)
        else:
            start, end, label = period.start, period.last_day, period.label
    data = manager_dashboard(request.user, now, attainment_from=start, attainment_to=end)
    return render(
        request,
        "inquiries/dashboard.html",
        {
            "data": data,
            "period_label": label,
            "period": raw,
            "period_error": error,
            "metrics": [("first_response", "First response"), ("resolution", "Resolution")],
            "can_manage_queues": can_manage_queues(request.user),
        },
    )


# ── account escalations ────────────────────────────────────────────────────────────────


@login_required
@require_GET
def escalation_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    escalations = AccountEscalation.objects.filter(
        account__in=accounts_visible_to(request.user).values("pk")
    ).select_related("account", "owner")
    if status == "active":
        escalations = escalations.exclude(status=EscalationStatus.RESOLVED)
    elif status in EscalationStatus.values:
        escalations = escalations.filter(status=status)
    page = Paginator(escalations.order_by("status", "-raised_at", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "inquiries/escalation_list.html",
        {
            "page": page,
            "status": status,
            "statuses": EscalationStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def escalation_create(request: HttpRequest, account_id: int) -> HttpResponse:
    account = access_account_by_id(request.user, account_id, need=Need.WRITE)
    form = EscalationForm(request.POST or None, account=account)
    if request.method == "POST" and form.is_valid():
        escalation = actions.do_raise_escalation(
            account, form.cleaned_data, acting_user=signed_in_user(request)
        )
        messages.success(request, "Account escalated; the managers were told.")
        return redirect("inquiries:escalation_detail", escalation_id=escalation.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "inquiries/escalation_form.html", {"form": form, "account": account}, status=status
    )


def _escalation_page(
    request: HttpRequest, escalation: AccountEscalation, status: int = 200, **forms: Any
) -> HttpResponse:
    context = _escalation_context(request, escalation, **forms)
    return render(request, "inquiries/escalation_detail.html", context, status=status)


def _escalation_context(
    request: HttpRequest, escalation: AccountEscalation, **forms: Any
) -> dict[str, Any]:
    can_write = can(request.user, escalation.account, Need.WRITE)
    context = {
        "escalation": escalation,
        "notes": escalation.notes.select_related("author"),
        "can_write": can_write,
        "summary": account_inquiry_summary(escalation.account, timezone.now()),
    }
    if can_write:
        context["update_form"] = forms.get("update_form") or EscalationUpdateForm(
            instance=escalation
        )
        context["note_form"] = forms.get("note_form") or EscalationNoteForm()
        context["edit_version"] = escalation.version
    return context


@login_required
@require_GET
def escalation_detail(request: HttpRequest, escalation_id: int) -> HttpResponse:
    return _escalation_page(request, access_escalation_by_id(request.user, escalation_id))


@login_required
@require_POST
def escalation_update(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = access_escalation_by_id(request.user, escalation_id, need=Need.WRITE)
    form = EscalationUpdateForm(request.POST, instance=escalation)
    if form.is_valid():
        saved = AccountEscalation.objects.get(pk=escalation.pk)  # the form changed `escalation`
        conflict = save_or_conflict(
            request,
            form,
            lambda version: actions.do_update_escalation(
                saved,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            ),
            template="inquiries/escalation_detail.html",
            context=_escalation_context(request, saved, update_form=form),
        )
        if conflict is not None:
            return conflict
        messages.success(request, "Escalation saved.")
        return redirect("inquiries:escalation_detail", escalation_id=escalation.pk)
    escalation.refresh_from_db()
    return _escalation_page(request, escalation, 422, update_form=form)


@login_required
@require_POST
def escalation_note(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = access_escalation_by_id(request.user, escalation_id, need=Need.WRITE)
    form = EscalationNoteForm(request.POST)
    if form.is_valid():
        actions.do_add_escalation_note(
            escalation, form.cleaned_data["body"], acting_user=signed_in_user(request)
        )
        messages.success(request, "Progress note added.")
        return redirect("inquiries:escalation_detail", escalation_id=escalation.pk)
    return _escalation_page(request, escalation, 422, note_form=form)


# ── SLA policies and routing (managers) ────────────────────────────────────────────────


@login_required
@require_http_methods(["GET", "POST"])
def policy_list(request: HttpRequest) -> HttpResponse:
    require_queue_manager(request.user)
    form = SlaPolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        policy, count = actions.do_apply_sla_policy(
            None, form.cleaned_data, acting_user=signed_in_user(request)
        )
        messages.success(request, f"Added “{policy.name}”; {count} open inquiries recomputed.")
        return redirect("inquiries:policies")
    policies = sorted(SlaPolicy.objects.all(), key=lambda p: (not p.is_active, p.specificity()))
    return render(
        request,
        "inquiries/policy_list.html",
        {"form": form, "policies": policies},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    require_queue_manager(request.user)
    policy = get_object_or_404(SlaPolicy, pk=policy_id)
    form = SlaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        stored = SlaPolicy.objects.get(pk=policy.pk)  # the form changed `policy`
        recomputed: list[int] = []

        def save(version: int | None) -> None:
            _saved, count = actions.do_apply_sla_policy(
                stored,
                form.cleaned_data,
                acting_user=signed_in_user(request),
                expected_version=version,
            )
            recomputed.append(count)

        conflict = save_or_conflict(
            request,
            form,
            save,
            template="inquiries/policy_form.html",
            context={"form": form, "policy": stored},
        )
        if conflict is not None:
            return conflict
        name = form.cleaned_data["name"]
        messages.success(request, f"Saved “{name}”; open inquiries recomputed ({recomputed[0]}).")
        return redirect("inquiries:policies")
    if request.method == "POST":
        policy.refresh_from_db()  # the form set the posted values on it
    # A page sent back for an error keeps the version the editor started from.
    version = posted_version(request) or policy.version
    return render(
        request,
        "inquiries/policy_form.html",
        {"form": form, "policy": policy, "edit_version": version},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def routing(request: HttpRequest) -> HttpResponse:
    require_queue_manager(request.user)
    return _routing_page(request)


def _routing_page(request: HttpRequest, status: int = 200, **forms: Any) -> HttpResponse:
    competences: dict[int, list[str]] = {}
    codes: dict[int, list[str]] = {}
    labels = dict(Category.choices)
    for user_id, category in Competence.objects.values_list("user_id", "category"):
        competences.setdefault(user_id, []).append(str(labels.get(category, category)))
        codes.setdefault(user_id, []).append(category)
    associates = User.objects.filter(groups__name=Role.ASSOCIATE, is_active=True).order_by(
        "last_name", "id"
    )
    rules = RoutingRule.objects.select_related("account").order_by("account__name")
    context = {
        "rules": rules,
        "rule_form": forms.get("rule_form") or RoutingRuleForm(),
        "competence_form": forms.get("competence_form") or CompetenceForm(),
        "associates": [(u, competences.get(u.pk, [])) for u in associates],
        # What each form posts back as the version it saw: each rule's version (an account
        # without one is at 0) and each associate's set of categories.
        "rule_versions": [(r.account_id, r.version) for r in rules],
        "competence_sets": [(u.pk, ",".join(sorted(codes.get(u.pk, [])))) for u in associates],
        "rule_conflict": forms.get("rule_conflict"),
        "competence_conflict": forms.get("competence_conflict"),
    }
    return render(request, "inquiries/routing.html", context, status=status)


def _seen_rule_version(request: HttpRequest, account_id: int) -> int | None:
    """The version of the account's rule the page showed: 0 when it listed none (the page
    marks that it posts versions); None from a form that sends none."""
    seen = posted_version(request, f"seen_{account_id}")
    if seen is None and request.POST.get("versions_shown"):
        return 0
    return seen


def _seen_competences(request: HttpRequest, user_id: int) -> list[str] | None:
    if not request.POST.get("versions_shown"):
        return None
    raw = request.POST.get(f"competences_{user_id}", "")
    return [c for c in raw.split(",") if c]


@login_required
@require_POST
def routing_rule(request: HttpRequest) -> HttpResponse:
    require_queue_manager(request.user)
    form = RoutingRuleForm(request.POST)
    if form.is_valid():
        account = form.cleaned_data["account"]
        try:
            actions.do_set_routing_rule(
                account,
                form.cleaned_data["method"] or None,
                form.cleaned_data["use_competence"],
                acting_user=signed_in_user(request),
                expected_version=_seen_rule_version(request, account.pk),
            )
        except StaleEdit as stale:
            rows = conflict_rows(stale, form)
            form.add_error(None, str(stale))
            return _routing_page(request, 409, rule_form=form, rule_conflict=rows)
        team = ", ".join(u.get_full_name() or u.username for u in team_members(account.pk))
        messages.success(request, f"Routing saved for {account.name} (team: {team or 'nobody'}).")
        return redirect("inquiries:routing")
    return _routing_page(request, 422, rule_form=form)


@login_required
@require_POST
def competences(request: HttpRequest) -> HttpResponse:
    require_queue_manager(request.user)
    form = CompetenceForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["user"]
        try:
            actions.do_set_competences(
                user,
                form.cleaned_data["categories"],
                acting_user=signed_in_user(request),
                expected=_seen_competences(request, user.pk),
            )
        except actions.CompetencesChanged as changed:
            labels = dict(Category.choices)
            saved = "; ".join(str(labels[c]) for c in changed.saved) or "—"
            mine = "; ".join(str(labels[c]) for c in sorted(form.cleaned_data["categories"]))
            row = ConflictRow("Competent in", saved, mine or "—", saved != (mine or "—"))
            form.add_error(None, str(changed))
            return _routing_page(request, 409, competence_form=form, competence_conflict=[row])
        messages.success(request, f"Competences saved for {user.get_full_name() or user.username}.")
        return redirect("inquiries:routing")
    return _routing_page(request, 422, competence_form=form)
