"""The members behind the high-cost claimant number: pseudonyms, and member ids on purpose."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
Q = {"period": "2025Q2", "threshold": "10000"}


def _table_body(html: str) -> str:
    """The claimant rows only (a CSRF token may hold any letters and digits)."""
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_the_list_is_pseudonymous_until_the_team_opens_it(book: Cast, client: Client) -> None:
    client.force_login(book.bob)  # on Acme's team
    url = reverse("utilization:lines", args=[book.acme.pk, "claimants"])
    html = client.get(url, Q).content.decode()
    # Threshold 10,000: only P3 (paid 19,710 = medical 14,670 + pharmacy 5,040).
    assert "1 member at or over $10,000 plan paid" in html
    assert "$19,710" in html and "$14,670" in html and "$5,040" in html
    rows = _table_body(html)
    assert "M3" not in rows and "P3" not in rows and "<code>M-" in rows
    assert "Show member ids" in html
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).exists()

    opened = client.post(
        reverse("utilization:lines_open", args=[book.acme.pk, "claimants"])
        + "?period=2025Q2&threshold=10000"
    )
    assert opened.status_code == 200
    rows = _table_body(opened.content.decode())
    assert 'M3 <span class="muted small">P3</span>' in rows and "M1" not in rows
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.PHI_READ)
    assert (event.actor, event.account, event.action) == (
        book.bob,
        book.acme,
        "utilization.view_high_cost_claimants",
    )
    assert event.detail == {"period": "2025Q2", "threshold": "10000", "members": 1}


def test_only_the_account_team_opens_claimant_ids(book: Cast, client: Client) -> None:
    client.force_login(book.mia)  # a manager: sees the account, is not on its team
    html = client.get(reverse("utilization:lines", args=[book.acme.pk, "claimants"]), Q)
    assert "only the account team may open member ids" in html.content.decode()
    url = reverse("utilization:lines_open", args=[book.acme.pk, "claimants"]) + "?period=2025Q2"
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).exists()


def test_the_account_page_links_the_team_to_the_list(book: Cast, client: Client) -> None:
    link = reverse("utilization:lines", args=[book.acme.pk, "claimants"])
    client.force_login(book.bob)
    assert (
        link in client.get(reverse("utilization:account", args=[book.acme.pk]), Q).content.decode()
    )
    client.force_login(book.mia)
    assert (
        link
        not in client.get(reverse("utilization:account", args=[book.acme.pk]), Q).content.decode()
    )
