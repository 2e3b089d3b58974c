"""The CLI (`clientdesk guarantees ...`) and the API answer with the same numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from clientdesk.guarantees.models import Guarantee
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("guarantees", *args, stdout=out)
    return out.getvalue()


def test_cli_evaluate_and_forecast_as_json(cast: Cast, tmp_path: Path) -> None:
    load_lake(tmp_path, ("call_record",))
    make(cast, "abandonment_rate", "3", "<=")
    rows = json.loads(
        run(
            "evaluate",
            "--account",
            "G100001",
            "--period",
            "2025Q1",
            "--today",
            "2026-11-27",
            "--format",
            "json",
        )
    )
    period = next(r for r in rows if r["kind"] == "period")
    assert {
        k: period[k]
        for k in (
            "metric",
            "target",
            "actual",
            "numerator",
            "denominator",
            "met",
            "penalty",
            "period",
        )
    } == {
        "metric": "abandonment_rate",
        "target": 3.0,
        "actual": 20.0,
        "numerator": 1.0,
        "denominator": 5.0,
        "met": False,
        "penalty": 1000.0,
        "period": "2025Q1",
    }
    assert [r["kind"] for r in rows] == ["period", "settlement"]
    # By account id too, as text.
    text = run("evaluate", "--account", str(cast.acme.pk), "--today", "2026-11-27")
    assert "MISSED" in text and "0 new" in text
    forecasts = json.loads(
        run("forecast", "--account", "G100001", "--as-of", "2025-03-14", "--format", "json")
    )
    # As of the data's last day before Mar 14 (Acme's call of Mar 5): 26 days to come.
    assert forecasts[0]["period"] == "2025Q1" and forecasts[0]["remaining_days"] == 26
    assert "p_miss" in forecasts[0] and "expected_penalty" in forecasts[0]
    assert "asa_national" in run("templates")


def test_cli_errors_are_one_line(cast: Cast) -> None:
    with pytest.raises(CommandError, match=r"^No account 'G999999'\.$"):
        run("evaluate", "--account", "G999999")
    with pytest.raises(CommandError, match="'Q2' is not a period; write 2026-03, 2026Q1, 2026"):
        run("evaluate", "--period", "Q2")
    with pytest.raises(CommandError, match="--as-of: write a date as YYYY-MM-DD"):
        run("forecast", "--as-of", "yesterday")


def _bearer(cast: Cast, name: str) -> dict[str, str]:
    user = cast.users()[name]
    _, raw = do_create_api_token(user, "test", acting_user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_api_defines_evaluates_and_attests(cast: Cast, tmp_path: Path, client: Client) -> None:
    load_lake(tmp_path, ("call_record",))
    mia, alice = _bearer(cast, "mia"), _bearer(cast, "alice")
    base = f"/api/guarantees/{cast.acme.pk}"
    body = {
        "contract_id": cast.acme_contract.pk,
        "metric": "average_speed_of_answer",
        "comparator": "<=",
        "target": "30",
        "decimals": 0,
        "period": "quarterly",
        "at_risk_basis": "fixed",
        "at_risk_value": "5000",
        "schedule": "tiers",
        "tiers": [{"at": "31", "pct": "25"}, {"at": "40", "pct": "100"}],
    }
    created = client.post(base, body, content_type="application/json", headers=mia)
    assert created.status_code == 201, created.content
    assert created.json()["tiers"] == [{"at": "31", "pct": "25"}, {"at": "40", "pct": "100"}]
    bad = client.post(
        base, {**body, "schedule": "per_point"}, content_type="application/json", headers=mia
    )
    assert bad.status_code == 422 and "per_point_amount" in bad.content.decode()
    results = client.post(
        f"{base}/evaluate", {"period": "2025Q1"}, content_type="application/json", headers=alice
    ).json()
    q1 = next(r for r in results if r["period"] == "2025Q1")
    assert (q1["actual"], q1["met"], q1["n"]) == (30.0, True, 4)
    listed = client.get(f"{base}/results", {"period": "2025Q1", "kind": "period"}, headers=alice)
    assert [r["period"] for r in listed.json()] == ["2025Q1"]
    g = Guarantee.objects.get(metric="average_speed_of_answer")
    patched = client.patch(
        f"{base}/{g.pk}", {"target": "25"}, content_type="application/json", headers=mia
    )
    assert patched.json()["target"] == "25" and patched.json()["tiers"][0]["at"] == "31"
    cards = make(
        cast,
        "id_card_timeliness",
        "98",
        period="one_time",
        measure_from="2025-01-01",
        measure_to="2025-01-31",
    )
    attested = client.post(
        f"{base}/{cards.pk}/attestations",
        {"period": "one-time", "numerator": "97", "denominator": "100", "evidence": "FR-1"},
        content_type="application/json",
        headers=alice,
    )
    assert attested.status_code == 201
    assert (attested.json()["met"], attested.json()["penalty"]) == (False, 1000.0)
    wrong = client.post(
        f"{base}/{cards.pk}/attestations",
        {"period": "2025Q1", "numerator": "1", "denominator": "1", "evidence": "x"},
        content_type="application/json",
        headers=alice,
    )
    assert wrong.status_code == 422
    # A guarantee measured from the lake is not attested: its state, not the request, is
    # wrong, so 409 (not a 422 a client would read as a bad field).
    lake = client.post(
        f"{base}/{g.pk}/attestations",
        {"period": "2025Q1", "value": "1", "evidence": "x"},
        content_type="application/json",
        headers=alice,
    )
    assert lake.status_code == 409 and "measured from the lake" in lake.json()["detail"]


def test_api_guarantee_fields_take_what_their_schema_says(cast: Cast, client: Client) -> None:
    """The schema states the columns: a JSON number is read to the column's places, a string
    beyond them and a choice outside the model's are refused before the form (422, named)."""
    mia = _bearer(cast, "mia")
    base = f"/api/guarantees/{cast.acme.pk}"
    body = {
        "contract_id": cast.acme_contract.pk,
        "metric": "average_speed_of_answer",
        "comparator": "<=",
        "target": 30.123456,  # a float: read to 4 places
        "decimals": 0,
        "period": "quarterly",
        "at_risk_basis": "fixed",
        "at_risk_value": 5000.00005,  # half to even: 5000.0000
        "schedule": "tiers",
        "tiers": [{"at": 31, "pct": 12.345678}],
    }
    created = client.post(base, body, content_type="application/json", headers=mia)
    assert created.status_code == 201, created.content
    saved = created.json()
    assert (saved["target"], saved["at_risk_value"]) == ("30.1235", "5000.0000")
    assert saved["tiers"] == [{"at": "31", "pct": "12.3457"}]
    for field, value in (
        ("target", "30.12345"),  # a string is read exactly: 5 places
        ("target", 123456789.0),  # 9 whole digits, the column holds 8
        ("comparator", "<"),
        ("period", "weekly"),
        ("metric", "coffee_temperature"),
    ):
        refused = client.post(
            base, {**body, field: value}, content_type="application/json", headers=mia
        )
        assert refused.status_code == 422, (field, value)
        assert field in {e["loc"][-1] for e in refused.json()["detail"]}, refused.content
