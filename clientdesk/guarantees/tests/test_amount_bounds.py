"""Money at risk a result cannot record is refused where it is typed, not stored (issue 22).

The 100-example fuzz of /api/guarantees stored a PEPM guarantee of $661,743,012.0089 per
employee per month: evaluated, its settlement rows put $9,529,099,372,928.16 at risk, wider
than the 14-digit amount column. SQLite kept it, and every later read of the account's
results and forecasts failed in Django's decimal converter (500); PostgreSQL refuses the
write itself (numeric field overflow, also a 500).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import numpy as np
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from clientdesk.accounts.models import Account
from clientdesk.guarantees.forms import AttestationForm, GuaranteeForm
from clientdesk.guarantees.models import GuaranteeResult
from clientdesk.guarantees.penalties import (
    MOST_AT_RISK,
    AmountNotRecordable,
    PenaltyTerms,
    amount_at_risk,
    penalty,
    penalty_vector,
)
from clientdesk.guarantees.tests.cast import acme_attested_guarantee
from clientdesk.guarantees.tests.test_metrics import make
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast

RULE = "The money at risk over the contract's term is more than can be recorded"


def _mia(cast: Cast) -> dict[str, str]:
    _, raw = do_create_api_token(cast.mia, "test", acting_user=cast.mia)
    return {"Authorization": f"Bearer {raw}"}


def _body(cast: Cast, **extra: object) -> dict[str, object]:
    return {
        "contract_id": cast.acme_contract.pk,
        "metric": "member_satisfaction",
        "comparator": ">=",
        "target": "-0.05",
        "period": "monthly",
        "at_risk_basis": "pepm",
        "at_risk_value": "661743012.0089",  # what the fuzz sent
        **extra,
    }


def test_a_pepm_value_beyond_what_a_result_records_is_refused(cast: Cast, client: Client) -> None:
    base = f"/api/guarantees/{cast.acme.pk}"
    refused = client.post(base, _body(cast), content_type="application/json", headers=_mia(cast))
    assert refused.status_code == 422, refused.content
    [error] = refused.json()["detail"]
    assert error["loc"] == ["body", "at_risk_value"]
    assert RULE in error["msg"] and "$19,058,198,745,856.32" in error["msg"]  # x 1,200 x 24
    assert not cast.acme_contract.guarantees.exists()
    # 1,200 employees over the 24 months of the term: $34,722,222.22 PEPM is the most.
    kept = client.post(
        base,
        _body(cast, at_risk_value="34722222.22"),
        content_type="application/json",
        headers=_mia(cast),
    )
    assert kept.status_code == 201, kept.content


def test_a_change_to_such_a_value_is_refused(cast: Cast, client: Client) -> None:
    g = make(cast, "member_satisfaction", "90", at_risk_basis="pepm", at_risk_value=D("2.5"))
    changed = client.patch(
        f"/api/guarantees/{cast.acme.pk}/{g.pk}",
        {"at_risk_value": "661743012.0089"},
        content_type="application/json",
        headers=_mia(cast),
    )
    assert changed.status_code == 422, changed.content
    assert [e["loc"] for e in changed.json()["detail"]] == [["body", "at_risk_value"]]
    g.refresh_from_db()
    assert g.at_risk_value == D("2.5")


def test_the_page_form_names_the_field(cast: Cast) -> None:
    data = {
        **_body(cast),
        "contract": cast.acme_contract.pk,
        "decimals": 2,
        "short_abandon_seconds": 5,
        "line": "member",
        "level": "client",
        "settlement": "per_period",
        "schedule": "all_or_nothing",
    }
    form = GuaranteeForm(data=data, account=cast.acme)
    assert not form.is_valid()
    assert list(form.errors) == ["at_risk_value"]
    assert RULE in form.errors["at_risk_value"][0]


def test_an_amount_beyond_the_column_is_never_computed() -> None:
    """A headcount raised after the guarantee was set: the evaluation stops on the guarantee
    with a message instead of storing an amount its column cannot hold."""
    most = amount_at_risk("fixed", MOST_AT_RISK, months=D(12), employees=0, members=0)
    assert most == D("999999999999.99")
    with pytest.raises(AmountNotRecordable, match=r"\$1,000,000,008,000\.00, more than"):
        amount_at_risk("pepm", D("1000"), months=D("12"), employees=83_333_334, members=0)
    with pytest.raises(AmountNotRecordable):
        amount_at_risk("fixed", D("999999999999.995"), months=D(12), employees=0, members=0)


@time_machine.travel(dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC))
def test_an_attested_count_is_at_most_what_a_result_keeps(cast: Cast, client: Client) -> None:
    """What was due is kept as the result's sample size, a 64-bit integer: a count of 1e20,
    valid by the schema, was refused 'A value is out of range.' with no field named."""
    cards = acme_attested_guarantee(cast)
    url = f"/api/guarantees/{cast.acme.pk}/{cards.pk}/attestations"
    body = {"period": "one-time", "evidence": "The mail house's report."}
    too_many = "99999999999999999999"
    for field, counts in (
        ("denominator", {"numerator": "1", "denominator": too_many}),
        ("numerator", {"numerator": too_many}),
    ):
        answer = client.post(
            url,
            {"denominator": "2900", **body, **counts},
            content_type="application/json",
            headers=_mia(cast),
        )
        assert answer.status_code == 422, answer.content
        assert [e["loc"][-1] for e in answer.json()["detail"]] == [field]
    most = "999999999999999999"
    kept = client.post(
        url,
        {**body, "numerator": most, "denominator": most},
        content_type="application/json",
        headers=_mia(cast),
    )
    assert kept.status_code == 201, kept.content
    assert kept.json()["n"] == 999999999999999999
    form = AttestationForm(
        data={"period_label": "one-time", "numerator": "1", "denominator": too_many, **body},
        guarantee=cards,
        periods=["one-time"],
    )
    assert not form.is_valid() and list(form.errors) == ["denominator"]


@time_machine.travel(dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC))
def test_a_per_point_penalty_with_nothing_at_risk_owes_at_most_what_a_result_records(
    cast: Cast, client: Client
) -> None:
    """$999,999,999,999 a point below a 99,999,999 % target, with no amount at risk to cap it:
    the attestation of 1 card of 2,900 owed ~1e20 dollars and was a 500 (numeric overflow)."""
    made = client.post(
        f"/api/guarantees/{cast.acme.pk}",
        {
            "contract_id": cast.acme_contract.pk,
            "metric": "id_card_timeliness",
            "comparator": ">=",
            "target": "99999999",
            "period": "one_time",
            "measure_from": "2025-01-01",
            "measure_to": "2025-01-31",
            "at_risk_basis": "fixed",
            "at_risk_value": "0",
            "schedule": "per_point",
            "per_point_amount": "999999999999",
        },
        content_type="application/json",
        headers=_mia(cast),
    )
    assert made.status_code == 201, made.content
    attested = client.post(
        f"/api/guarantees/{cast.acme.pk}/{made.json()['id']}/attestations",
        {"period": "one-time", "evidence": "Mail report", "numerator": 1, "denominator": 2900},
        content_type="application/json",
        headers=_mia(cast),
    )
    assert attested.status_code == 201, attested.content
    assert attested.json()["penalty"] == float(MOST_AT_RISK)
    results = client.get(f"/api/guarantees/{cast.acme.pk}/results", headers=_mia(cast))
    assert results.status_code == 200
    assert {r["kind"]: r["penalty"] for r in results.json()} == {
        "period": float(MOST_AT_RISK),
        "settlement": float(MOST_AT_RISK),
    }


def test_the_forecasts_per_point_vector_agrees() -> None:
    terms = PenaltyTerms(
        comparator=">=",
        target=D("99999999"),
        schedule="per_point",
        per_point_amount=D("999999999999"),
    )
    one = penalty(D("0.03"), terms, D("0"))
    assert one.amount == MOST_AT_RISK and one.pct == 0
    _, owed = penalty_vector(np.array([0.03, 50.0]), terms, D("0"))
    assert list(owed) == [float(MOST_AT_RISK)] * 2


@time_machine.travel(dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC))
def test_a_headcount_raised_since_stops_the_run_with_the_guarantee_named(
    cast: Cast, client: Client
) -> None:
    """$30,000,000 PEPM fits 1,200 employees; at 2,000,000,000 employees (set since) the
    evaluation and the forecast answer 409 naming the guarantee, and nothing is stored."""
    g = make(cast, "ivr_containment", "48", at_risk_basis="pepm", at_risk_value=D("30000000"))
    Account.objects.filter(pk=cast.acme.pk).update(employees=2_000_000_000)
    base, mia = f"/api/guarantees/{cast.acme.pk}", _mia(cast)
    for route in ("evaluate", "forecast"):
        answer = client.post(f"{base}/{route}", {}, content_type="application/json", headers=mia)
        assert answer.status_code == 409, (route, answer.content)
        assert g.display_name in answer.json()["detail"]
        assert "more than the $999,999,999,999.99" in answer.json()["detail"]
    assert not GuaranteeResult.objects.filter(guarantee=g).exists()
    client.force_login(cast.mia)
    page = client.post(
        reverse("guarantees:evaluate", args=[cast.acme.pk]), {"period": "2025"}, follow=True
    )
    assert page.status_code == 200
    assert "Could not evaluate" in page.content.decode()


def test_an_attested_score_and_sample_fit_the_result_columns(cast: Cast, client: Client) -> None:
    """A result keeps its score in 20 digits (6 decimals) and its sample in a 64-bit integer:
    the API refuses more, naming the field, whichever metric the guarantee measures."""
    cards = acme_attested_guarantee(cast)
    url = f"/api/guarantees/{cast.acme.pk}/{cards.pk}/attestations"
    body = {"period": "one-time", "evidence": "The mail house's report.", "numerator": "1"}
    for field, text in (("value", "1" + "0" * 14), ("sample_size", 2**63)):
        answer = client.post(
            url,
            {**body, "denominator": "2", field: text},
            content_type="application/json",
            headers=_mia(cast),
        )
        assert answer.status_code == 422, answer.content
        assert [e["loc"][-1] for e in answer.json()["detail"]] == [field]
