"""Every screen reachable, no dead ends: for each role of the cast, follow every same-site link
from the home page, breadth first, and fail on any that answers 403, 404 or 500.

A link is an ``<a href>`` of the page (not a form's action: those are writes). Django's admin
is left to Django; signing out is a form, not a link. The crawl is bounded so a paged list
cannot run away with the suite.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from clientdesk.accounts.actions import do_assign, do_create_account
from clientdesk.accounts.models import Account
from clientdesk.guarantees.tests.cast import acme_result
from clientdesk.inquiries.tests.cast import acme_escalation, acme_inquiry
from clientdesk.insights.actions import do_link_inquiries
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.testing import Cast

MAX_PAGES = 120
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/logout/", "/api/")
# Files, not screens (their access is the matrix's, web/tests/test_access_matrix.py).
FILE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".pptx", ".json", ".zip")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(page_url: str, html: str) -> list[str]:
    """The same-site addresses a page links to, fragments dropped."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _ = urldefrag(urljoin(page_url, href))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        if url.startswith(("mailto:", "tel:", "javascript:")):
            continue
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if parts.path.endswith(FILE_SUFFIXES) or "/export/" in parts.path:
            continue
        if local and not local.startswith(SKIP_PREFIXES):
            found.append(local)
    return found


def crawl(client: Client, start: str = "/") -> tuple[dict[str, int], dict[str, str]]:
    """Status of every page reached from ``start`` (up to MAX_PAGES), and for each the page
    that first linked to it. A page is opened once whatever its query (the first filter or
    period linked stands for the others)."""
    seen: dict[str, int] = {}
    paths: set[str] = set()
    came_from: dict[str, str] = {start: "(start)"}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or path in paths:
            continue
        paths.add(path)
        response = client.get(url)
        seen[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        for link in links_of(url, response.getvalue().decode()):
            if link not in seen and link not in came_from:
                came_from[link] = url
                queue.append(link)
    return seen, came_from


def division(cast: Cast, name: str, group_number: str) -> Account:
    """A division under Acme, nobody assigned to it."""
    data = {
        "name": name,
        "group_number": group_number,
        "segment": "commercial",
        "funding": "aso",
        "employees": 100,
        "members": 240,
        "state": "OH",
        "region": "Midwest",
        "timezone": "America/New_York",
        "effective_date": dt.date(2021, 1, 1),
        "renewal_date": dt.date(2027, 1, 1),
        "parent": cast.acme,
    }
    return do_create_account(data, acting_user=cast.mia)


def _book(cast: Cast) -> Book:
    """One of each thing a page links to: an inquiry linked to sam's problem (with its action),
    an open escalation, a guarantee with a result, two divisions of Acme (alice works one)."""
    rail = division(cast, "Acme Rail Division", "G100011")
    division(cast, "Acme Tube Division", "G100012")
    do_assign(rail, cast.alice, "lead", acting_user=cast.mia)
    inquiry = acme_inquiry(cast)
    problem = acme_problem(cast)
    do_link_inquiries(problem, [inquiry], acting_user=cast.mia)
    acme_escalation(cast)
    acme_result(cast)
    return Book(inquiry.pk, problem.pk, problem.issues.get().pk)


@dataclass(frozen=True)
class Book:
    """The ids the pages are at (PostgreSQL's sequences keep counting across tests)."""

    inquiry: int
    problem: int
    issue: int


@pytest.mark.parametrize("role", ["ada", "mia", "alice", "oscar", "eve", "sam"])
def test_no_link_leads_to_a_dead_end(role: str, cast: Cast, client: Client) -> None:
    book = _book(cast)
    client.force_login(cast.users()[role])
    seen, came_from = crawl(client)
    dead = {url: (status, came_from[url]) for url, status in seen.items() if status >= 400}
    assert dead == {}
    assert seen["/"] == 200
    # The crawl went where each role works.
    assert set(must_reach(cast, book)[role]) <= set(seen)


def must_reach(cast: Cast, book: Book) -> dict[str, list[str]]:
    acme, bayside = f"/accounts/{cast.acme.pk}/", f"/accounts/{cast.bayside.pk}/"
    problem = f"/insights/problems/{book.problem}/"
    return {
        "ada": [acme, "/inquiries/dashboard/", "/inquiries/routing/", "/audit/"],
        "mia": [acme, "/inquiries/escalations/", "/inquiries/sla-policies/"],
        "alice": [acme, f"/inquiries/{book.inquiry}/", problem],
        "oscar": [bayside, "/insights/problems/"],
        "eve": [acme, "/inquiries/dashboard/", "/guarantees/"],
        "sam": ["/insights/problems/", problem],
    }


def test_an_associate_sees_only_the_divisions_she_may_open(cast: Cast, client: Client) -> None:
    _book(cast)
    client.force_login(cast.alice)
    page = client.get(f"/accounts/{cast.acme.pk}/").content.decode()
    rail = Account.objects.get(name="Acme Rail Division")
    assert f'<a href="/accounts/{rail.pk}/">Acme Rail Division</a>' in page
    assert "Acme Tube Division" not in page
    client.force_login(cast.mia)
    page = client.get(f"/accounts/{cast.acme.pk}/").content.decode()
    assert "Acme Rail Division" in page and "Acme Tube Division" in page
    # From the division, the parent is in the crumbs for alice (she works Acme too).
    client.force_login(cast.alice)
    page = client.get(f"/accounts/{rail.pk}/").content.decode()
    assert f'<a href="/accounts/{cast.acme.pk}/">Acme Steel Works</a>' in page
    client.force_login(cast.oscar)
    assert client.get(f"/accounts/{rail.pk}/").status_code == 404


def test_service_operations_see_their_problem_without_dead_links(
    cast: Cast, client: Client
) -> None:
    book = _book(cast)
    client.force_login(cast.sam)
    problem = client.get(f"/insights/problems/{book.problem}/").content.decode()
    assert "/insights/issues/" not in problem
    assert "/inquiries/" not in problem
    board = client.get("/insights/problems/").content.decode()
    assert "Emerging issues" not in board
    client.force_login(cast.mia)
    problem = client.get(f"/insights/problems/{book.problem}/").content.decode()
    assert f'<a href="/insights/issues/{book.issue}/">' in problem
    assert f'<a href="/inquiries/{book.inquiry}/">' in problem
