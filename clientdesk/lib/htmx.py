"""htmx requests, as django-htmx's middleware marks them (``request.htmx``).

A page that htmx may swap in part answers with the part for an htmx request and with the whole
page otherwise: a bookmark, a page without JavaScript, or htmx restoring history after the
back button (it asks for the whole page then).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has been through ``HtmxMiddleware`` (settings.MIDDLEWARE has it)."""

    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """True for an htmx swap: answer with the fragment, not the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def varies_by_htmx(response: HttpResponse) -> HttpResponse:
    """The same URL answers a fragment or a page: caches must keep them apart."""
    patch_vary_headers(response, ("HX-Request",))
    return response
