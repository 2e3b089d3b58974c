"""`make demo` runs as production does (DEBUG off): a missing page or an error is the app's own
page, never Django's technical one, and the demo collects the static files WhiteNoise serves."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

from clientdesk.demo.management.commands.demo import Command
from clientdesk.testing import Cast
from clientdesk.urls import urlpatterns as site_patterns


def _fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [*site_patterns, path("boom/", _fails)]
handler404 = "clientdesk.web.views.page_not_found"
handler500 = "clientdesk.web.views.server_error"


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_apps_404(cast: Cast, client: Client) -> None:
    client.force_login(cast.alice)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Not found</h1>" in page
    assert "There is nothing here, or it is not one of your accounts." in page
    assert "Page not found (404)" not in page and "URLconf" not in page  # not Django's
    assert 'role="search"' in page  # the app's own frame: the header is there


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_an_error_is_the_apps_500_without_details(cast: Cast) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice)
    response = client.get("/boom/?secret=xyz&q=xyz")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong</h1>" in page
    assert "a bug" not in page and "xyz" not in page and "Traceback" not in page


@pytest.mark.parametrize("debug", [False, True])
def test_the_demo_collects_static_files_when_debug_is_off(tmp_path: Path, debug: bool) -> None:
    root = tmp_path / "static"
    with override_settings(DEBUG=debug, STATIC_ROOT=root):
        Command(stdout=io.StringIO()).collect_static()
    assert (root / "web" / "clientdesk.css").exists() is not debug
