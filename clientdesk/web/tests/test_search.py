"""The header's search finds accounts by name or group number, inquiries by Q-number and
problems by reference, only among what the reader may open."""

from __future__ import annotations

from django.test import Client

from clientdesk.inquiries.tests.cast import acme_inquiry
from clientdesk.insights.tests.cast import acme_problem
from clientdesk.testing import Cast
from clientdesk.web.search import search


def _found(user: object, text: str) -> list[tuple[str, str]]:
    return [(h.kind, h.title) for h in search(user, text).hits]


def test_accounts_by_name_or_group_number_within_the_readers_scope(cast: Cast) -> None:
    assert _found(cast.mia, "acme") == [("Account", "Acme Steel Works")]
    assert _found(cast.mia, "G10000") == [
        ("Account", "Acme Steel Works"),
        ("Account", "Bayside Carpenters Health Fund"),
    ]
    assert _found(cast.alice, "G10000") == [("Account", "Acme Steel Works")]
    # Oscar works Bayside only: Acme, another team's account, is not found by name or number.
    assert _found(cast.oscar, "Acme") == []
    assert _found(cast.oscar, "G100001") == []
    assert _found(cast.oscar, "bayside") == [("Account", "Bayside Carpenters Health Fund")]
    assert _found(cast.sam, "Acme") == []


def test_inquiries_by_q_number_and_problems_by_reference(cast: Cast) -> None:
    inquiry = acme_inquiry(cast)
    problem = acme_problem(cast)
    title = f"{inquiry.reference} · {inquiry.subject}"
    for text in (inquiry.reference, inquiry.reference.lower(), f"Q{inquiry.pk}"):
        assert ("Inquiry", title) in _found(cast.alice, text)
    assert _found(cast.oscar, inquiry.reference) == []
    assert _found(cast.sam, inquiry.reference) == []  # service operations do not open inquiries
    found = _found(cast.sam, problem.reference)
    assert found == [("Problem", f"{problem.reference} · {problem.title}")]
    assert _found(cast.oscar, problem.reference) == []


def test_the_search_page_links_only_what_opens(cast: Cast, client: Client) -> None:
    inquiry = acme_inquiry(cast)
    client.force_login(cast.alice)
    page = client.get("/search/", {"q": inquiry.reference}).content.decode()
    assert f'href="/inquiries/{inquiry.pk}/"' in page
    assert 'role="search"' in page  # the header's form
    assert client.get(f"/inquiries/{inquiry.pk}/").status_code == 200
    client.force_login(cast.oscar)
    page = client.get("/search/", {"q": "Acme"}).content.decode()
    assert "Nothing you can open matches “Acme”." in page
    assert "Acme Steel Works" not in page
