"""The manager's flow on the pages: the Financials tab, renewal, plan options, downloads."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from clientdesk.accounts.actions import do_update_account as update_account
from clientdesk.audit.models import AuditEvent
from clientdesk.financials.actions import do_update_terms
from clientdesk.financials.models import IbnrEstimate
from clientdesk.financials.tests.fixture import LAKE, lay_down
from clientdesk.financials.tests.routes import OPTIONS_POST
from clientdesk.financials.tests.test_pnl_run import run_acme
from clientdesk.testing import Cast

Login = Callable[[str], Client]


@pytest.fixture
def ran(cast: Cast, tmp_path: Path) -> Iterator[Cast]:
    lay_down(tmp_path / "files")
    run_acme(cast)
    yield cast
    LAKE.keep_derived()


def tab(client: Client, cast: Cast) -> str:
    url = reverse("accounts:tab", kwargs={"account_id": cast.acme.pk, "tab": "financials"})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_manager_sees_the_pnl_with_completed_claims(ran: Cast, login: Login) -> None:
    page = tab(login("mia"), ran)
    assert "Claims completed for what is not yet paid" in page
    assert "Profit and loss" in page
    assert "233.57" in page or "234" in page  # April completed: 130 paid + 103.57 IBNR
    assert "Renewal projection" in page and "Plan options for the sponsor" in page


def test_associate_sees_the_service_view_only(ran: Cast, login: Login) -> None:
    page = tab(login("alice"), ran)
    assert "Claims completed for what is not yet paid" in page
    assert "Profit and loss" not in page
    assert "Margin" not in page
    url = reverse("financials:renewal", kwargs={"account_id": ran.acme.pk})
    assert login("alice").get(url).status_code == 403


def test_renewal_step_by_step_and_download(ran: Cast, login: Login) -> None:
    client = login("mia")
    url = reverse("financials:renewal", kwargs={"account_id": ran.acme.pk})
    page = client.get(url).content.decode()
    # Acme is self-funded with no budget recorded: the current rate is its experience + fees,
    # and the page says so; with a budget, the budget + fees (120 + 38.50 x 4 / 6 = 145.67).
    assert "no budgeted claims PMPM in the financial terms" in page
    do_update_terms(ran.acme, {"budget_pmpm": Decimal("120")}, acting_user=ran.mia)
    page = client.get(url, {"unit_cost_trend": "7", "pooling_point": "100000"}).content.decode()
    assert "budgeted claims PMPM (financial terms) + current fees PMPM" in page
    assert "145.67" in page
    for step in (
        "Completed claims PMPM",
        "Pooling charge",
        "Trend factor",
        "Credibility Z",
        "Required change",
    ):
        assert step in page
    assert "Trend high (+2 pts)" in page
    response = client.get(reverse("financials:renewal_export", kwargs={"account_id": ran.acme.pk}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response))).active
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Credibility Z" in labels and "Required rate" in labels
    assert AuditEvent.objects.filter(action="financials.read_renewal", account=ran.acme).exists()


def _margin_field(page: str) -> str:
    found = re.search(r'<input[^>]*name="target_margin_pct"[^>]*>', page)
    assert found, "the renewal form has a target margin field"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def _required(page: str) -> float:
    """The base scenario's required rate (the first card: 'required $X PMPM')."""
    found = re.search(r"required \$([0-9,.]+) PMPM", page)
    assert found
    return float(found.group(1).replace(",", ""))


def test_the_renewal_form_shows_the_margin_it_applies(ran: Cast, login: Login) -> None:
    """Acme is self-funded: no margin on its premium equivalent (ours is in the fees). The form
    showed 3.0 and the projection applied 0; now both say 0, and a margin typed in is applied:
    required = (claims + loads) / (1 - margin), so 3 % makes it 1 / 0.97 of the 0 % rate. A
    fully insured account shows and applies 3 %."""
    client = login("mia")
    url = reverse("financials:renewal", kwargs={"account_id": ran.acme.pk})
    page = client.get(url).content.decode()
    assert float(_margin_field(page)) == 0.0
    assert "taxes 0.00 % + margin 0.00 % of the rate" in page
    without = _required(page)
    page = client.get(url, {"target_margin_pct": "3"}).content.decode()
    assert "margin 3.00 % of the rate" in page
    assert _required(page) == pytest.approx(without / 0.97, abs=0.01)
    update_account(ran.acme, {"funding": "fully_insured"}, acting_user=ran.mia)
    page = client.get(url).content.decode()
    assert float(_margin_field(page)) == 3.0
    assert "margin 3.00 % of the rate" in page


def test_two_plan_options_priced_on_the_account_claims(ran: Cast, login: Login) -> None:
    """Acme's ten Jan-Apr claims are office visits, allowed 877 in all: the current design
    (office copay 30) leaves the member 10 x 30 = 300 and the plan 577 (AV 65.8 %, induced
    factor 1 + 0.58 x 0.03); the HDHP (no copay, deductible 3,300) leaves the member all 877.
    Member months 6: current plan 577 / 6 = 96.17 PMPM."""
    client = login("mia")
    url = reverse("financials:options", kwargs={"account_id": ran.acme.pk})
    data = {**OPTIONS_POST, "option-0-copay_office": "30"}
    page = client.post(url, data).content.decode()
    assert "96.17" in page
    assert "146.17" in page  # HDHP member share: 877 / 6
    assert "−100.0" in page or "-100.0" in page
    # What employees pay: on Apr 30 P1 is enrolled alone (employee only). Plan paid a month
    # 96.17 x 1.5 average members = 144.25; the employee pays 20 % (28.85), 346 a year.
    assert "What employees pay" in page
    assert "$144 / $29 / $115" in page and "$346" in page
    bad = client.post(url, {**data, "contrib-family": "140"})
    assert bad.status_code == 422
    # Into the renewal: an office copay of 20 leaves the plan 677, AV 77.2 %, induced
    # 677 x 1.0660 / 1.0174 = 709.34: plan-design factor 709.34 / 577 = 1.2294. The HDHP's
    # factor (0) is outside the renewal's range: said, not linked.
    lower = {**data, "option-1-name": "Lower copay", "option-1-deductible": "1000",
             "option-1-oop_max": "4000", "option-1-copay_office": "20"}  # fmt: skip
    page = client.post(url, lower).content.decode()
    link = reverse("financials:renewal", kwargs={"account_id": ran.acme.pk}) + "?plan_factor="
    assert f"{link}1.2294" in page
    assert (
        "HDHP: the plan-design factor is outside the renewal"
        in client.post(url, data).content.decode()
    )
    renewal = client.get(f"{link}1.2294").content.decode()
    assert "1.2294" in renewal
    response = client.post(url, {**data, "download": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response))).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Plan paid PMPM"][:2] == (96.17, 0.0)
    assert rows["Member cost share PMPM"][:2] == (50.0, 146.17)
    sheet = load_workbook(io.BytesIO(b"".join(response)))["Employee contributions"]
    tiers = list(sheet.iter_rows(values_only=True))
    assert tiers[2][:5] == ("Employee only", 1, 144.25, 28.85, 115.4)
    assert tiers[-1][3] == 346.2  # 12 x 28.85
    assert AuditEvent.objects.filter(action="financials.read_plan_options").exists()
    assert AuditEvent.objects.filter(action="financials.export", account=ran.acme).exists()
    # The sponsor's page: the sources in words, no reference of ours, no note to ourselves.
    pdf = client.post(url, {**data, "download": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf))).pages)
    assert "generic, brand or specialty" in text and "induced-demand" in text
    assert "shared/domain" not in text and "to verify" not in text


def test_actuary_export_and_portfolio(ran: Cast, login: Login) -> None:
    client = login("eve")
    response = client.get(
        reverse("financials:account_export", kwargs={"account_id": ran.acme.pk, "fmt": "xlsx"})
    )
    book = load_workbook(io.BytesIO(b"".join(response)))
    assert book.sheetnames == ["P&L by account-month", "Factors", "Budget variance", "Assumptions"]
    months = list(book["P&L by account-month"].iter_rows(values_only=True))
    assert len(months) == 5  # header + 4 account-months
    factors = list(book["Factors"].iter_rows(values_only=True))
    assert factors[1][2:4] == (0, 1.5)
    # The stored range of each estimate behind the rows, in the assumptions sheet.
    estimate = IbnrEstimate.objects.get(account=ran.acme)
    shown = estimate.detail["range"]
    ranges = [r for r in book["Assumptions"].iter_rows(values_only=True) if r[0] == "IBNR range"]
    assert [r[1:3] for r in ranges] == [(estimate.pk, ran.acme.group_number)]
    assert ranges[0][3].startswith(f"90 % {shown['low']:.2f} to {shown['high']:.2f} around ")
    page = client.get(reverse("financials:portfolio")).content.decode()
    assert "Acme Steel Works" in page and "Portfolio profitability" in page


def test_budget_variance_explained_on_the_tab(ran: Cast, login: Login) -> None:
    from clientdesk.financials.models import AccountTerms

    AccountTerms.objects.update_or_create(
        account=ran.acme, defaults={"budget_pmpm": 100, "budget_members": 2}
    )
    page = tab(login("mia"), ran)
    assert "Budget vs actual" in page
    assert "Enrollment" in page and "Cost per member" in page  # four months: no year before
    assert "is over budget" in page or "is under budget" in page
