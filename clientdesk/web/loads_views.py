"""The lake's loads (ingestion batches) for the managers and admins who check what came in:
each file's counts, its rejection reasons grouped, its acceptance report, and on purpose (an
audited member-data read) its rejected rows, masked, and the rejects file itself."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clientdesk.lake.models import IngestBatch
from clientdesk.lake.rejects import (
    do_record_rejects_download,
    do_record_rejects_view,
    reasons_of_batch,
    rejected_rows,
    require_load_reviewer,
)
from clientdesk.lake.schemas import TABLE_NAMES

REASONS_LISTED = 3  # reason groups shown per batch in the list


@login_required
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    require_load_reviewer(request.user)
    batches = IngestBatch.objects.select_related("created_by")
    table = request.GET.get("table", "")
    if table in TABLE_NAMES:
        batches = batches.filter(table=table)
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "batch": b,
            "reasons": list(b.rejected_reasons)[:REASONS_LISTED],
            "more": max(0, len(b.rejected_reasons) - REASONS_LISTED),
        }
        for b in page.object_list
    ]
    context = {"page": page, "rows": rows, "tables": TABLE_NAMES, "table": table}
    return render(request, "loads/batch_list.html", context)


def _batch(batch_id: int) -> IngestBatch:
    return get_object_or_404(
        IngestBatch.objects.select_related("created_by", "replaces"), pk=batch_id
    )


@login_required
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    require_load_reviewer(request.user)
    batch = _batch(batch_id)
    report = batch.report or {}
    context = {
        "batch": batch,
        "reasons": reasons_of_batch(batch),
        "has_rejects_file": bool(batch.rejects_path) and Path(batch.rejects_path).is_file(),
        "report": report,
        "transaction_sets": report.get("transaction_sets") or [],
        "replaced_by": batch.replaced_by.order_by("pk").first(),
    }
    return render(request, "loads/batch_detail.html", context)


@login_required
@require_GET
def batch_rejected(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The rejected rows, masked: a member-data read, audited."""
    require_load_reviewer(request.user)
    batch = _batch(batch_id)
    rows = rejected_rows(batch)
    if rows is None:
        raise Http404("This batch has no rejects file.")
    do_record_rejects_view(batch, acting_user=request.user, rows=rows.shown)
    return render(request, "loads/batch_rejected.html", {"batch": batch, "rejected": rows})


@login_required
@require_GET
def batch_rejects_file(request: HttpRequest, batch_id: int) -> FileResponse:
    """The rejects file as the load wrote it: an export, audited."""
    require_load_reviewer(request.user)
    batch = _batch(batch_id)
    path = Path(batch.rejects_path) if batch.rejects_path else None
    if path is None or not path.is_file():
        raise Http404("This batch has no rejects file.")
    do_record_rejects_download(batch, acting_user=request.user)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{batch.table}-batch-{batch.pk}-rejects.csv",
        content_type="text/csv",
    )
