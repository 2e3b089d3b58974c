"""The pages: scorecard, portfolio, drill-down, exports, templates, attestation, monitors."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.guarantees.actions import do_store_forecasts
from clientdesk.guarantees.forecasting import ForecastValues
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.cast import bayside_guarantee
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import TODAY, make
from clientdesk.testing import Cast, known

NOW = dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC)


@pytest.fixture
def evaluated(cast: Cast, tmp_path: Path) -> dict[str, Guarantee]:
    load_lake(tmp_path, ("call_record", "ivr_session", "claim_processing"))
    made = {
        "fin": make(cast, "financial_accuracy", "99"),
        "asa": make(cast, "average_speed_of_answer", "30", "<=", decimals=0),
        "ivr": make(cast, "ivr_containment", "20"),
    }
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    return made


def forecast_for(g: Guarantee, p_miss: str, expected: str) -> ForecastValues:
    return ForecastValues(
        guarantee=g,
        period_label="2026Q4",
        span_start=dt.date(2026, 10, 1),
        span_end=dt.date(2026, 12, 31),
        as_of=TODAY,
        p_miss=D(p_miss),
        expected_penalty=D(expected),
        amount_at_risk=D("1000"),
        observed_actual=None,
        expected_actual=None,
        actual_p10=None,
        actual_p90=None,
        observed_days=58,
        remaining_days=34,
        simulations=2000,
        seed=1,
        method="test",
    )


@time_machine.travel(NOW)
def test_scorecard_shows_this_period_forecast_and_money(
    cast: Cast,
    evaluated: dict[str, Guarantee],
    client: Client,
    django_assert_num_queries: Any,
) -> None:
    do_store_forecasts(
        [forecast_for(evaluated["asa"], "0.62", "620")], threshold=D("0.5"), acting_user=cast.mia
    )
    client.force_login(cast.alice)
    url = reverse("guarantees:scorecard", args=[cast.acme.pk])
    client.get(url)  # warm the session and the role cache
    with django_assert_num_queries(10):
        page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Financial (dollar) accuracy" in text and "62\u202f%" in text
    assert "$620<" in text  # the expected penalty of the open quarter, in whole dollars
    assert "1 open alert" not in text and ">1<" in text  # one alert in the stats
    # More guarantees, same number of queries.
    make(cast, "first_contact_resolution", "80")
    make(cast, "claims_turnaround", "90", threshold=10)
    with django_assert_num_queries(10):
        client.get(url)


@time_machine.travel(NOW)
def test_portfolio_puts_the_largest_expected_penalty_first(
    cast: Cast, evaluated: dict[str, Guarantee], client: Client
) -> None:
    """Nothing owed yet: the order is the expected penalties' (the penalties owed come in too,
    web/tests/test_portfolio_home.py)."""
    bay = bayside_guarantee(cast)
    do_store_forecasts(
        [forecast_for(evaluated["asa"], "0.30", "300"), forecast_for(bay, "0.70", "6300")],
        threshold=D("0.5"),
        acting_user=cast.mia,
    )
    client.force_login(cast.eve)
    text = client.get(reverse("guarantees:portfolio")).content.decode()
    assert text.index("Bayside Carpenters") < text.index("Acme Steel Works")
    assert "$6,300<" in text
    # The same rows, in the same order, as CSV and Excel; each export is audited.
    expected = [["G100002", "6300.00", "0.7000", "1"], ["G100001", "300.00", "0.3000", "0"]]
    response = client.get(reverse("guarantees:portfolio_export", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [
        [r["group_number"], r["expected_penalty"], r["worst_p_miss"], r["open_alerts"]]
        for r in rows
    ] == expected
    response = client.get(reverse("guarantees:portfolio_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, *cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    picked = [
        [
            str(r[header.index(c)])
            for c in ("group_number", "expected_penalty", "worst_p_miss", "open_alerts")
        ]
        for r in cells
    ]
    assert [[g, f"{float(e):.2f}", f"{float(p):.4f}", str(a)] for g, e, p, a in picked] == expected
    exports = AuditEvent.objects.filter(action="guarantees.export.portfolio", kind="export")
    assert [(e.actor, e.detail["format"], e.detail["rows"]) for e in exports.order_by("id")] == [
        (cast.eve, "csv", 2),
        (cast.eve, "xlsx", 2),
    ]
    # An associate sees only the accounts assigned to them.
    client.force_login(cast.oscar)
    text = client.get(reverse("guarantees:portfolio")).content.decode()
    assert "Bayside Carpenters" in text and "Acme Steel Works" not in text


@time_machine.travel(NOW)
def test_records_behind_a_number_are_masked_and_exports_audited(
    cast: Cast, evaluated: dict[str, Guarantee], client: Client
) -> None:
    client.force_login(cast.bob)
    result = GuaranteeResult.objects.get(guarantee=evaluated["fin"], period_label="2025Q1")
    page = client.get(reverse("guarantees:records", args=[cast.acme.pk, result.pk]))
    text = page.content.decode()
    # The audited claims with a payment error: C2 (overpaid) and C4 (underpaid).
    assert "C2" in text and "C4" in text and ">C1<" not in text
    assert "W12345678901" not in text and "W1••••••••01" in text
    assert "2 audited claims with a payment error" in text
    response = client.get(reverse("guarantees:records_export", args=[cast.acme.pk, result.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["claim_id"] for r in rows] == ["C2", "C4"]
    assert {r["member_id"] for r in rows} == {"W1••••••••01"}
    audit = AuditEvent.objects.get(action="guarantees.export.records")
    assert (audit.kind, audit.actor, audit.detail["rows"]) == ("export", cast.bob, 2)
    # A call metric: the answered calls that waited over 30 s (K2 40 s, K6 50 s).
    asa = GuaranteeResult.objects.get(guarantee=evaluated["asa"], period_label="2025Q1")
    body = client.get(reverse("guarantees:records", args=[cast.acme.pk, asa.pk])).content
    assert b"K2" in body and b"K6" in body and b"K1<" not in body
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("guarantees:scorecard_export", args=[cast.acme.pk, fmt]))
        assert response.status_code == 200
    assert AuditEvent.objects.filter(action="guarantees.export.results", kind="export").count() == 2
    head = client.get(reverse("guarantees:scorecard_export", args=[cast.acme.pk, "csv"]))
    assert head.content.decode().splitlines()[0].startswith("account,contract,guarantee_id")


@time_machine.travel(NOW)
def test_templates_make_a_contract_quick(cast: Cast, client: Client) -> None:
    client.force_login(cast.mia)
    url = reverse("guarantees:templates", args=[cast.acme.pk])
    assert "Anthem" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "contract": cast.acme_contract.pk,
            "templates": ["asa_national", "financial_accuracy_99", "id_cards_98"],
        },
    )
    assert response.status_code == 302
    made = {g.template: g for g in Guarantee.objects.filter(contract=cast.acme_contract)}
    assert set(made) == {"asa_national", "financial_accuracy_99", "id_cards_98"}
    asa = made["asa_national"]
    assert (asa.target, asa.schedule, asa.tiers[0]) == (D("30"), "tiers", {"at": "31", "pct": "25"})
    assert made["financial_accuracy_99"].per_point_amount == D("5000")
    cards = made["id_cards_98"]
    assert (cards.measure_from, cards.measure_to) == (dt.date(2025, 1, 1), dt.date(2025, 1, 31))


@time_machine.travel(NOW)
def test_results_without_lake_data_are_attested_with_evidence(cast: Cast, client: Client) -> None:
    cards = make(
        cast,
        "id_card_timeliness",
        "98",
        period="one_time",
        measure_from=dt.date(2025, 1, 1),
        measure_to=dt.date(2025, 1, 31),
        at_risk_value=D("7500"),
    )
    client.force_login(cast.alice)
    url = reverse("guarantees:attest", args=[cast.acme.pk, cards.pk])
    page = client.get(url).content.decode()
    assert "Not in the lake" in page and "ID card fulfilment" in page
    response = client.post(
        url,
        {
            "period_label": "one-time",
            "numerator": "2850",
            "denominator": "2900",
            "evidence": "Fulfilment report FR-17",
            "reference": "FR-17.pdf",
        },
    )
    assert response.status_code == 302
    row = GuaranteeResult.objects.get(guarantee=cards, kind="period")
    # 2,850 of 2,900 = 98.28 % >= 98 %: met.
    assert (row.status, row.source, row.met, row.attested_by) == (
        "attested",
        "attested",
        True,
        cast.alice,
    )
    assert row.evidence["evidence"] == "Fulfilment report FR-17"
    # A correction: 2,800 of 2,900 = 96.55 %: missed, $7,500, and the year settles it.
    client.post(
        url,
        {
            "period_label": "one-time",
            "numerator": "2800",
            "denominator": "2900",
            "evidence": "Corrected fulfilment report FR-17b",
        },
    )
    row.refresh_from_db()
    assert (row.met, row.penalty) == (False, D("7500.00"))
    year = GuaranteeResult.objects.get(guarantee=cards, kind="settlement")
    assert (year.period_label, year.owed) == ("2025-01-01/2025-12-31", D("7500.00"))
    update = AuditEvent.objects.filter(action="guarantee_result.update", object_id=str(row.pk))
    assert known(update.get().before)["met"] is True
    # Executives read; they do not attest. Lake guarantees are not attested at all.
    client.force_login(cast.eve)
    assert client.post(url, {"period_label": "one-time"}).status_code == 403
    lake_one = make(cast, "ivr_containment", "20")
    client.force_login(cast.alice)
    assert (
        client.get(reverse("guarantees:attest", args=[cast.acme.pk, lake_one.pk])).status_code
        == 404
    )


@time_machine.travel(NOW)
def test_monitors_draw_p_charts(
    cast: Cast, evaluated: dict[str, Guarantee], client: Client
) -> None:
    client.force_login(cast.alice)
    url = reverse("guarantees:monitors", args=[cast.acme.pk])
    text = client.get(url, {"until": "2025-04-06"}).content.decode()
    assert text.count("<svg") == 4  # containment, opt-out, IVR abandonment, auto-adjudication
    assert "pricing" in text and "medical_review" in text  # pend reasons
    assert 'style="' not in text  # the CSP allows no inline style
    book = client.get(
        reverse("guarantees:book_monitors"), {"until": "2025-04-06", "grain": "daily"}
    )
    assert book.status_code == 200 and b"<svg" in book.content
