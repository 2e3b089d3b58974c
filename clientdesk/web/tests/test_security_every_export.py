"""Formula payloads through EVERY export the product serves, found from the URL map.

An export is a route whose view writes a file (``file_download``, ``FileResponse`` or a
``Content-Disposition`` of its own); the URL map is walked for them, so a new export is in this
test the day it is routed (its arguments come from the access matrix's ROUTES, which must know
every route). Every free-text field of every record the cast holds is rewritten to a payload
(``= + - @ \\t \\r``), then each export is downloaded in each format it offers as the admin:
no cell of any CSV or XLSX may be live, and each must carry at least one payload, kept as text.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clientdesk.financials.models import PnlMonth
from clientdesk.guarantees.tests.cast import acme_result
from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.lake import ingestion
from clientdesk.reports.runs import render_formats
from clientdesk.surveys.tests.cast import sent_to_acme
from clientdesk.testing import Cast
from clientdesk.web.tests.test_access_matrix import ROUTES
from clientdesk.web.tests.test_security_exports import PAYLOADS, _body, _live, csv_cells, xlsx_cells

FILE_MARKERS = ("file_download(", "FileResponse(", "Content-Disposition")
# Files that are not written by us: an attachment is the file a person uploaded, served back as
# it came; the charting library is a static script.
NOT_EXPORTS = {"inquiries:attachment", "utilization:vega"}
# Files no spreadsheet opens (nothing in them can run as a formula).
NOT_SPREADSHEETS = {
    "strategy:visit_pdf": "a PDF",
    "team:certificate": "a PDF",
    "implementations:milestones": "an iCalendar file",
}
# Exports whose rows are read from the lake, which the cast does not hold (their files would be
# headers only), and report files, which a run writes from the lake: the code named here must
# hand its rows to the writer named beside it, which test_security_exports.py feeds the
# payloads (lib/exports under each).
WRITTEN_FROM_THE_LAKE: dict[str, tuple[Any, str]] = {
    "utilization:export": (None, "exports.render("),
    "utilization:lines_export": (None, "exports.render("),
    "utilization:book_export": (None, "exports.render("),
    "guarantees:records_export": (None, "exports.to_csv("),
    "financials:renewal_export": (None, "exports.renewal_xlsx("),
    "financials:options": (None, "exports.options_xlsx("),
    "reports:download": (render_formats, "render_workbook("),
    # The rejects file a load wrote, handed out as it is: its key values go through the same
    # rule in the load's SQL (test_security_exports.py feeds it payloads).
    "loads:rejects_file": (ingestion._load, "sql_safe_text("),
}
FORMATS = ("csv", "xlsx")
FREE_TEXT = re.compile(
    r"(^|_)(name|title|subject|label|description|summary|notes?|body|text|comment|reason|"
    r"evidence|objective|question|answer|topic|cause|detail|purpose|headline|message)s?$"
)


def _patterns(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, space)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + entry.name, entry.callback


def export_route_names() -> set[str]:
    """Every named route whose view writes a file (admin and the API are not pages)."""
    found = set()
    for name, view in _patterns():
        if name.startswith(("admin:", "api:")) or name in NOT_EXPORTS:
            continue
        try:
            source = inspect.getsource(inspect.unwrap(view))
        except (OSError, TypeError):
            continue
        if any(marker in source for marker in FILE_MARKERS):
            found.add(name)
    return found


def _plant_payloads() -> int:
    """Every free-text field of every stored record (and people's names) becomes a payload."""
    planted = 0
    for model in apps.get_models():
        if not model.__module__.startswith("clientdesk.") and model is not User:
            continue
        if model._meta.app_label == "audit":  # append-only, and no export writes it
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not isinstance(f, models.EmailField | models.URLField | models.SlugField)
            and not f.choices
            and not f.unique
            and (FREE_TEXT.search(f.name) or (model is User and f.name.endswith("_name")))
        ]
        if not fields:
            continue
        for index, pk in enumerate(models.QuerySet(model).values_list("pk", flat=True)):
            changes = {}
            for offset, field in enumerate(fields):
                payload = f"{PAYLOADS[(index + offset) % len(PAYLOADS)]} #{pk}"
                changes[field.name] = payload[: field.max_length or None]
            # the plain QuerySet: append-only tables refuse update() on their own one
            models.QuerySet(model).filter(pk=pk).update(**changes)
            planted += 1
    return planted


def _view_source(name: str) -> str:
    return inspect.getsource(inspect.unwrap(dict(_patterns())[name]))


def _asks(cast: Cast, names: set[str]) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(route name, URL arguments, query) of each export in each spreadsheet format it offers;
    the arguments are the access matrix's, which builds the records they name."""
    asks = []
    for route in ROUTES:
        if route.method != "get" or route.name not in names:
            continue
        kwargs, data = dict(route.kwargs(cast)), dict(route.data or {})
        if "fmt" in kwargs:
            asks += [(route.name, {**kwargs, "fmt": f}, data) for f in FORMATS]
        elif "format" in data:
            asks += [(route.name, kwargs, {**data, "format": f}) for f in FORMATS]
        else:
            asks.append((route.name, kwargs, data))
    return asks


def _records_with_text(cast: Cast) -> None:
    """A record for the exports whose rows the matrix's arguments do not make: an inquiry, a
    guarantee result, a survey sent to Acme, a month of Acme's P&L."""
    acme_inquiry(cast)
    acme_result(cast)
    sent_to_acme(cast)
    PnlMonth.objects.create(account=cast.acme, month=dt.date(2026, 1, 1), funding="aso")


def test_the_url_map_lists_every_export() -> None:
    found = export_route_names()
    declared = set(NOT_SPREADSHEETS) | set(WRITTEN_FROM_THE_LAKE)
    assert declared <= found, f"declared but not an export any more: {declared - found}"
    # The known exports of every app are found (the walk works), and nothing routed is hidden.
    assert {"inquiries:export", "growth:rfp_export", "reports:download"} <= found
    for name, (code, writer) in WRITTEN_FROM_THE_LAKE.items():
        source = _view_source(name) if code is None else inspect.getsource(code)
        assert writer in source, f"{name} no longer writes through {writer}"


def test_every_export_writes_formula_payloads_as_text(cast: Cast, client: Client) -> None:
    names = export_route_names() - set(NOT_SPREADSHEETS) - set(WRITTEN_FROM_THE_LAKE)
    _records_with_text(cast)
    asks = _asks(cast, names)
    assert {name for name, _, _ in asks} == names, "export without a route in the matrix"
    assert _plant_payloads() > 50
    client.force_login(cast.ada)
    neutralised = tuple("'" + p[0] for p in PAYLOADS)
    wrong: dict[str, str] = {}
    for name, kwargs, data in asks:
        label = f"{name} {kwargs.get('fmt') or data.get('format') or ''}".strip()
        response = client.get(reverse(name, kwargs=kwargs), data)
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not ("csv" in kind or "spreadsheet" in kind):
            if label.endswith("csv") and response.status_code == 404:
                continue  # offered as a workbook only
            wrong[label] = f"answered {response.status_code} {kind}"
            continue
        body = _body(response)
        try:
            cells = csv_cells(body) if "csv" in kind else xlsx_cells(body)
        except AssertionError as error:
            wrong[label] = str(error).splitlines()[0]
            continue
        live = [c for c in cells if _live(c)]
        kept = [c for c in cells if isinstance(c, str) and c.startswith(neutralised)]
        if live:
            wrong[label] = f"live cells: {live[:3]}"
        elif not kept:
            wrong[label] = "no payload in the file (nothing shows it is neutralised)"
    assert not wrong, wrong
