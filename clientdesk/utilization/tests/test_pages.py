"""The Utilization pages, exports, the drill-down to claim lines and its audit trail."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clientdesk.audit.models import AuditEvent
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

pytestmark = pytest.mark.django_db
Q = {"period": "2025Q2", "threshold": "10000"}


def test_account_page_shows_the_numbers(book: Cast, client: Client) -> None:
    client.force_login(book.alice)
    response = client.get(reverse("utilization:account", args=[book.acme.pk]), Q)
    assert response.status_code == 200
    html = response.content.decode()
    assert "$2,691.25" in html  # paid PMPM (test_metrics has the arithmetic)
    assert "$3,048.75" in html  # allowed PMPM
    assert "67.4\u202f%" in html  # GDR
    # The book has 4 members: its figures are suppressed, so no gap to it is shown (the
    # gaps in points are checked on a book of 11, test_book_benchmark.py).
    assert "\u202fpp<" not in html
    assert 'id="chart-monthly"' in html and "style=" not in html
    assert 'src="/utilization/vega.js"' in html
    spec = json.loads(
        html.split('id="chart-categories" type="application/json">')[1].split("</script>")[0]
    )
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    # Claimants by pseudonym only (as words: the random CSRF token may hold "M3").
    assert not re.search(r"\b(P3|M3)\b", html)
    assert "missing from the drug reference" in html  # the unknown-NDC warning
    assert "Load a current drug reference with" in html  # and, for the team, what to do


def test_period_errors_say_how_to_write_one(book: Cast, client: Client) -> None:
    client.force_login(book.mia)
    response = client.get(reverse("utilization:account", args=[book.acme.pk]), {"period": "Q7"})
    assert response.status_code == 422
    assert "write 2026-03, 2026Q1" in response.content.decode()


def test_plausibility_warning_on_the_page(book: Cast, client: Client) -> None:
    client.force_login(book.oscar)
    response = client.get(reverse("utilization:account", args=[book.bayside.pk]), Q)
    assert "outside the plausible range" in response.content.decode()


def test_drill_down_matches_the_category_and_masks_members(book: Cast, client: Client) -> None:
    client.force_login(book.bob)
    url = reverse("utilization:lines", args=[book.acme.pk, "ed"])
    response = client.get(url, Q)
    html = response.content.decode()
    # ED: 3 final-action lines, paid 1,300.00, allowed 1,650.00 — the category's figures.
    assert "3 final-action lines · paid $1,300.00 · allowed $1,650.00" in html
    assert not re.search(r"\bM1\b", html)  # pseudonyms only (M-…); not the CSRF token's
    # Pseudonymised lines are still PHI (claim ids, dates, diagnoses): the look is audited.
    masked = AuditEvent.objects.get(kind=AuditEvent.Kind.PHI_READ)
    assert (masked.actor, masked.action, masked.detail["lines"]) == (
        book.bob,
        "utilization.view_claim_lines_masked",
        3,
    )
    # The same lines, highest paid first: the order changes, the totals do not.
    by_paid = client.get(url, {**Q, "order": "paid"}).content.decode()
    assert "3 final-action lines · paid $1,300.00 · allowed $1,650.00" in by_paid
    assert "<strong>paid, highest first</strong>" in by_paid
    # Codes with their meaning: ED lines are at the emergency room or on an outpatient bill.
    assert "Emergency room (hospital)" in html or "Hospital outpatient" in html
    paid = re.findall(r"<td class=\"num\">(\$[\d,]+\.\d\d)</td>", by_paid)[::3]
    assert paid == sorted(paid, key=lambda v: float(v[1:].replace(",", "")), reverse=True)
    assert len(paid) == 3
    opened = client.post(
        reverse("utilization:lines_open", args=[book.acme.pk, "ed"]) + "?period=2025Q2"
    )
    assert opened.status_code == 200
    assert re.search(r"\bM1\b", opened.content.decode())
    event = AuditEvent.objects.get(action="utilization.view_claim_lines")
    assert (event.actor, event.account, event.kind) == (
        book.bob,
        book.acme,
        AuditEvent.Kind.PHI_READ,
    )
    assert event.detail["category"] == "ed"


def test_only_the_account_team_opens_member_ids(book: Cast, client: Client) -> None:
    client.force_login(book.mia)
    url = reverse("utilization:lines_open", args=[book.acme.pk, "ed"]) + "?period=2025Q2"
    assert client.post(url).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).exists()


def test_pharmacy_drill_down(book: Cast, client: Client) -> None:
    client.force_login(book.alice)
    response = client.get(reverse("utilization:lines", args=[book.acme.pk, "pharmacy"]), Q)
    assert "5 fills · paid $5,370.00" in response.content.decode()


def test_exports_are_audited(book: Cast, client: Client) -> None:
    client.force_login(book.alice)
    csv_url = reverse("utilization:export", args=[book.acme.pk, "categories", "csv"])
    response = client.get(csv_url, Q)
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("category 1,category 2,category 3,paid,PMPM")
    assert any(
        line.startswith(
            "Outpatient,Emergency Department,Emergency Department,1300.00,162.50,30.00,"
        )
        for line in lines
    )
    xlsx = client.get(reverse("utilization:export", args=[book.acme.pk, "utilization", "xlsx"]), Q)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("Acute inpatient admits", 1, 1500.0)
    exports = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).order_by("at")
    assert [e.detail["table"] for e in exports] == ["categories", "utilization"]
    lines_csv = client.get(
        reverse("utilization:lines_export", args=[book.acme.pk, "lab", "csv"]), Q
    )
    assert lines_csv.content.decode().count("\n") == 3  # header + 2 lab lines


def test_book_page_for_managers(book: Cast, client: Client) -> None:
    client.force_login(book.eve)
    response = client.get(reverse("utilization:book"), Q)
    html = response.content.decode()
    assert response.status_code == 200
    assert "$1,960.00" in html  # (21,530 + 30) / (8 + 3)
    assert "Acme Steel Works" in html and "Bayside Carpenters Health Fund" in html
    client.force_login(book.alice)
    assert client.get(reverse("utilization:book"), Q).status_code == 403


def test_api_report_has_the_contracted_keys(book: Cast, client: Client) -> None:
    _, token = do_create_api_token(book.alice, "t", acting_user=book.alice)
    response = client.get(
        f"/api/utilization/accounts/{book.acme.pk}", Q, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    for key in (
        "member_months",
        "paid_pmpm",
        "allowed_pmpm",
        "per_1000",
        "unit_cost",
        "high_cost_claimants",
        "pharmacy",
        "trend",
        "findings",
    ):
        assert key in body
    assert body["paid_pmpm"]["total"] == 2691.25
    assert body["per_1000"]["ed_visits"] == 1500.0
    lines = client.get(
        f"/api/utilization/accounts/{book.acme.pk}/lines",
        {**Q, "leaf": "lab"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert (lines["lines"], lines["paid"]) == (2, 40.0)
    assert all("member_id" not in row for row in lines["rows"])
    read = AuditEvent.objects.filter(action="utilization.view_claim_lines_masked").get()
    assert (read.kind, read.detail["via"], read.detail["lines"]) == (
        AuditEvent.Kind.PHI_READ,
        "api",
        2,
    )
    too_many = client.get(
        f"/api/utilization/accounts/{book.acme.pk}/lines",
        {**Q, "leaf": "lab", "limit": "1000"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"][-1] == "limit"


def test_executives_read_figures_not_claim_lines(book: Cast, client: Client) -> None:
    client.force_login(book.eve)
    assert client.get(reverse("utilization:lines", args=[book.acme.pk, "ed"]), Q).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHI_READ).exists()


def test_the_report_part_is_drawn_once_for_what_it_shows(
    book: Cast, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report part of the page is kept by the lake's state, the request, the account and
    the reader's two rights: the same again is not drawn again, other rights or a changed
    drug reference are."""
    from django.contrib.auth.models import User

    from clientdesk.utilization import analysis
    from clientdesk.utilization.models import DrugProduct

    drawn: list[str] = []

    def counted(reader, account, request, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(reader.username)
        return analysis.account_report(reader, account, request, **kwargs)

    monkeypatch.setattr("clientdesk.utilization.views.account_report", counted)
    url = reverse("utilization:account", args=[book.acme.pk])

    def report_part(user: User) -> str:
        client.force_login(user)
        html = client.get(url, Q).content.decode()
        return html[html.index('<div class="stats">') : html.index('<script src="/utilization')]

    first = report_part(book.alice)
    assert "$2,691.25" in first
    assert report_part(book.alice) == first  # the kept part
    assert report_part(book.bob) == first  # the same rights on the same account
    assert drawn == ["alice"]
    assert "/lines/" not in report_part(book.eve)  # no claim lines for an executive
    assert "/lines/" in report_part(book.mia)  # a manager reads them, without member ids
    assert drawn == ["alice", "eve", "mia"]
    DrugProduct.objects.create(ndc_code="99999999999", generic=True, loaded_at=timezone.now())
    assert "$2,691.25" in report_part(book.alice)
    assert drawn == ["alice", "eve", "mia", "alice"]
