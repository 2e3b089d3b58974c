"""Nothing lost to a second attester: an attested result is versioned like every edited record.

The attestation page posts the version of each period's result it showed (`seen_<period>`, 0
for none); an attestation made after someone else recorded or changed the period's result is
refused (409) with both side by side, and the API does the same when the body names the
version it read. Every rewrite of a stored result adds one to its version; an unchanged one
keeps it. Attestations of one guarantee are made one at a time on its locked row.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from clientdesk.audit.models import AuditEvent
from clientdesk.audit.updating import StaleEdit
from clientdesk.guarantees.actions import (
    Attestation,
    do_attest_result,
    do_store_results,
    do_update_guarantee,
    values_from_row,
)
from clientdesk.guarantees.models import Guarantee, GuaranteeResult
from clientdesk.guarantees.runs import run_evaluation
from clientdesk.guarantees.tests.cast import acme_attested_guarantee, acme_result
from clientdesk.guarantees.tests.lakerows import load_lake
from clientdesk.guarantees.tests.test_metrics import TODAY, make
from clientdesk.people.tokens import do_create_api_token
from clientdesk.testing import Cast, known, make_cast, run_at_once, simultaneous

NOW = dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC)  # Nov 27, 2026 in New York too
PCT = "\u202f%"


def period_row(g: Guarantee) -> GuaranteeResult:
    return GuaranteeResult.objects.get(guarantee=g, kind="period", period_label="one-time")


def cards_attested(met: str, evidence: str, reference: str = "") -> Attestation:
    return Attestation(
        period_label="one-time",
        numerator=D(met),
        denominator=D("2900"),
        value=None,
        sample_size=0,
        evidence=evidence,
        reference=reference,
    )


@time_machine.travel(NOW)
def test_an_attestation_over_a_result_recorded_since_is_refused_with_both(cast: Cast) -> None:
    cards = acme_attested_guarantee(cast)
    url = reverse("guarantees:attest", args=[cast.acme.pk, cards.pk])
    alice, bob = Client(), Client()
    alice.force_login(cast.alice)
    bob.force_login(cast.bob)
    opened = bob.get(url).content.decode()
    assert 'name="seen_one-time" value="0"' in opened and "Nothing recorded" in opened

    first = {"period_label": "one-time", "numerator": "2850", "denominator": "2900"}
    made = alice.post(url, {**first, "evidence": "Fulfilment report FR-17", "seen_one-time": "0"})
    assert made.status_code == 302
    theirs = {"period_label": "one-time", "numerator": "2800", "denominator": "2900"}
    refused = bob.post(url, {**theirs, "evidence": "Mail house log ML-9", "seen_one-time": "0"})

    # 2,850 of 2,900 = 98.28 % is stored; Bob's 2,800 of 2,900 = 96.55 % is not.
    assert refused.status_code == 409
    page = refused.content.decode()
    assert (
        "Someone else saved the one-time result of ID card timeliness after you opened it "
        "(there was none when you did, it is now version 1); nothing was saved." in page
    )
    rows = {
        "Met (count)": ("2,850", "2,800", True),
        "Due (count)": ("2,900", "2,900", False),
        "Result": (f"98.28{PCT}", f"96.55{PCT}", True),
        "Evidence": ("Fulfilment report FR-17", "Mail house log ML-9", True),
        "Recorded by": ("Alice Owner", "Bob Teammate", True),
        "Recorded on": ("Nov 27, 2026", "Nov 27, 2026", False),
    }
    for label, (saved, yours, differs) in rows.items():
        marked = " <strong>(differs)</strong>" if differs else ""
        assert f'<th scope="row">{label}{marked}</th><td>{saved}</td><td>{yours}</td>' in page
    assert "Saved now: 2,850" in page  # beside the field itself
    assert 'name="seen_one-time" value="1"' in page  # saving again is a decision, both seen
    stored = period_row(cards)
    assert (stored.numerator, stored.met, stored.version, stored.attested_by) == (
        D("2850"),
        True,
        1,
        cast.alice,
    )
    assert (
        AuditEvent.objects.filter(
            action="guarantee_result.update", object_id=str(stored.pk)
        ).count()
        == 0
    )

    again = bob.post(url, {**theirs, "evidence": "Mail house log ML-9", "seen_one-time": "1"})
    assert again.status_code == 302
    stored.refresh_from_db()
    # 96.55 % misses 98 %: the $7,500, and the year settles it.
    assert (stored.numerator, stored.met, stored.penalty, stored.version) == (
        D("2800"),
        False,
        D("7500.00"),
        2,
    )
    assert stored.attested_by == cast.bob
    year = GuaranteeResult.objects.get(guarantee=cards, kind="settlement")
    assert year.owed == D("7500.00")
    update = AuditEvent.objects.get(action="guarantee_result.update", object_id=str(stored.pk))
    before, after = known(update.before), known(update.after)
    assert before["evidence"]["evidence"] == "Fulfilment report FR-17"
    assert after["evidence"]["evidence"] == "Mail house log ML-9"
    assert (before["numerator"], after["numerator"]) == ("2850.0000", "2800.0000")


def _bearer(cast: Cast, name: str) -> dict[str, str]:
    user = cast.users()[name]
    _, raw = do_create_api_token(user, "test", acting_user=user)
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_answers_409_to_an_attestation_from_a_stale_version(
    cast: Cast, client: Client
) -> None:
    cards = acme_attested_guarantee(cast)
    alice = _bearer(cast, "alice")
    url = f"/api/guarantees/{cast.acme.pk}/{cards.pk}/attestations"

    def attest(body: dict[str, Any]) -> Any:
        return client.post(url, body, content_type="application/json", headers=alice)

    body = {"period": "one-time", "numerator": "2850", "denominator": "2900"}
    first = attest({**body, "evidence": "FR-17", "version": 0})
    assert first.status_code == 201 and first.json()["version"] == 1
    refused = attest({**body, "numerator": "2800", "evidence": "ML-9", "version": 0})
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["version"] == 1
    assert (answer["saved"]["numerator"], answer["saved"]["evidence"]["evidence"]) == (
        "2850.0000",
        "FR-17",
    )
    assert "it is now version 1" in answer["detail"]
    assert period_row(cards).numerator == D("2850")

    second = attest({**body, "numerator": "2800", "evidence": "ML-9", "version": 1})
    assert second.status_code == 201
    assert (second.json()["version"], second.json()["met"]) == (2, False)
    # No version: not checked, as every route with an optional version (a client that read
    # nothing); it still replaces the result in one piece.
    unchecked = attest({**body, "numerator": "2900", "evidence": "FR-17 final"})
    assert (unchecked.status_code, unchecked.json()["version"]) == (201, 3)
    listed = client.get(
        f"/api/guarantees/{cast.acme.pk}/results", {"kind": "period"}, headers=alice
    ).json()
    assert [(r["period"], r["version"]) for r in listed if r["guarantee_id"] == cards.pk] == [
        ("one-time", 3)
    ]
    # A version below 0 is not a version: 422 with the field named.
    negative = attest({**body, "evidence": "x", "version": -1})
    assert negative.status_code == 422 and "version" in negative.content.decode()


def test_the_schema_declares_the_attestation_version_and_its_409(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/guarantees/{account_id}/{guarantee_id}/attestations"]["post"]
    conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
    shapes = {ref["$ref"].rsplit("/", 1)[1] for ref in conflict["anyOf"]}
    assert shapes == {"StaleEditOut", "AttestationConflictOut"}
    version = schema["components"]["schemas"]["AttestationIn"]["properties"]["version"]
    assert (version["type"], version["minimum"]) == ("integer", 0)


@time_machine.travel(NOW)
def test_the_same_figures_on_new_evidence_are_a_change(cast: Cast) -> None:
    """Before, a result compared by its figures alone kept the first evidence when the same
    figures were attested again on another document: the second attester's evidence was lost
    while their name replaced the first's."""
    cards = acme_attested_guarantee(cast)
    first = do_attest_result(
        cards, cards_attested("2850", "FR-17"), acting_user=cast.alice, today=TODAY
    )
    assert first.version == 1
    second = do_attest_result(
        cards,
        cards_attested("2850", "FR-17 countersigned", "FR-17-signed.pdf"),
        acting_user=cast.bob,
        today=TODAY,
        expected_version=1,
    )
    assert second.version == 2
    assert (second.evidence["evidence"], second.evidence["reference"]) == (
        "FR-17 countersigned",
        "FR-17-signed.pdf",
    )
    assert (second.evidence["attested_by"], second.attested_by) == ("bob", cast.bob)
    # Attested again as stored, by the same person on the same day: nothing changes.
    third = do_attest_result(
        cards,
        cards_attested("2850", "FR-17 countersigned", "FR-17-signed.pdf"),
        acting_user=cast.bob,
        today=TODAY,
        expected_version=2,
    )
    assert third.version == 2
    updates = AuditEvent.objects.filter(action="guarantee_result.update", object_id=str(first.pk))
    assert updates.count() == 1


def test_every_rewrite_of_a_result_moves_its_version_and_a_rerun_does_not(
    cast: Cast, tmp_path: Path
) -> None:
    """The lake's evaluation stores through the same upsert: a result it rewrites is a new
    version (a page that showed the old one is stale); run again on the same lake, it
    rewrites nothing and no version moves."""
    load_lake(tmp_path, ("call_record",))
    asa = make(cast, "average_speed_of_answer", "30", "<=", decimals=0)
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    q1 = GuaranteeResult.objects.get(guarantee=asa, kind="period", period_label="2025Q1")
    assert (q1.actual, q1.met, q1.version) == (D("30"), True, 1)  # 30 s against <= 30 s
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    q1.refresh_from_db()
    assert q1.version == 1
    do_update_guarantee(asa, {"target": D("25")}, acting_user=cast.mia)
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    q1.refresh_from_db()
    assert (q1.met, q1.version) == (False, 2)  # 30 s against <= 25 s: missed, rewritten

    # A stored result rewritten by any store (here its no-data row given a figure) likewise.
    ivr = acme_result(cast)
    assert ivr.version == 1
    assert do_store_results([values_from_row(ivr)], acting_user=None).unchanged == 1
    changed = values_from_row(ivr)
    changed.actual, changed.status = D("21.5"), "final"
    assert do_store_results([changed], acting_user=None).updated == 1
    ivr.refresh_from_db()
    assert (ivr.actual, ivr.version) == (D("21.500000"), 2)


@time_machine.travel(NOW)
def test_an_evaluation_leaves_an_attested_period_and_its_open_page_alone(
    cast: Cast, tmp_path: Path, client: Client
) -> None:
    """The lake's evaluation rewrites an attested guarantee's contract-year settlement only,
    never the period a person attested: a page opened before it still saves."""
    load_lake(tmp_path, ("call_record",))
    cards = acme_attested_guarantee(cast)
    do_attest_result(cards, cards_attested("2850", "FR-17"), acting_user=cast.alice, today=TODAY)
    client.force_login(cast.bob)
    url = reverse("guarantees:attest", args=[cast.acme.pk, cards.pk])
    assert 'name="seen_one-time" value="1"' in client.get(url).content.decode()
    run_evaluation([cast.acme], acting_user=cast.mia, today=TODAY)
    assert period_row(cards).version == 1
    posted = client.post(
        url,
        {
            "period_label": "one-time",
            "numerator": "2800",
            "denominator": "2900",
            "evidence": "ML-9",
            "seen_one-time": "1",
        },
    )
    assert posted.status_code == 302 and period_row(cards).version == 2


def _twenty_attest_at_once(
    cards: Guarantee, cast: Cast, expected_version: int | None
) -> tuple[list[int], list[StaleEdit], list[BaseException]]:
    saved: list[int] = []
    refused: list[StaleEdit] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def attest(i: int) -> None:
        try:
            start.wait()
            g = Guarantee.objects.select_related("contract__account").get(pk=cards.pk)
            do_attest_result(
                g,
                cards_attested(str(2800 + i), f"Report {i}"),
                acting_user=cast.alice,
                today=TODAY,
                expected_version=expected_version,
            )
            saved.append(i)
        except StaleEdit as stale:
            refused.append(stale)
        except BaseException as error:  # every failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    run_at_once([threading.Thread(target=attest, args=(i,)) for i in range(20)])
    return saved, refused, errors


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_twenty_first_attestations_at_once_give_one_result_and_nineteen_refusals() -> None:
    """20 people opened the page before anything was recorded and attest at once: one result
    is stored, 19 are told someone saved first; none fails on one_result_per_period."""
    cast = make_cast()
    cards = acme_attested_guarantee(cast)
    saved, refused, errors = _twenty_attest_at_once(cards, cast, expected_version=0)
    assert errors == []
    assert (len(saved), len(refused)) == (1, 19)
    row = period_row(cards)
    assert (row.version, row.numerator) == (1, D(2800 + saved[0]))
    assert all((r.expected, r.version) == (0, 1) for r in refused)


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_twenty_unchecked_attestations_at_once_are_made_one_after_another() -> None:
    """Without a version (the CLI, an API client that read nothing) nothing is refused, and
    the 20 are made one at a time: one row, rewritten 19 times, no constraint failure."""
    cast = make_cast()
    cards = acme_attested_guarantee(cast)
    saved, refused, errors = _twenty_attest_at_once(cards, cast, expected_version=None)
    assert (errors, refused, len(saved)) == ([], [], 20)
    row = period_row(cards)
    assert row.version == 20 and row.numerator == D(2800 + saved[-1])
    assert GuaranteeResult.objects.filter(guarantee=cards, kind="period").count() == 1


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_twenty_stores_of_the_same_new_results_at_once_insert_them_once() -> None:
    """An evaluation beside another (the clock and a person's "evaluate now"), or beside an
    attestation's settlement: the stores of one guarantee's results are made one at a time, so
    the first inserts the new rows and the others find them unchanged, none failing on
    one_result_per_period."""
    cast = make_cast()
    cards = acme_attested_guarantee(cast)
    do_attest_result(cards, cards_attested("2850", "Report 1"), acting_user=cast.alice, today=TODAY)
    rows = list(GuaranteeResult.objects.filter(guarantee=cards).select_related("guarantee"))
    values = [values_from_row(row) for row in rows]
    assert {(v.kind, v.period_label) for v in values} == {
        ("period", "one-time"),
        ("settlement", "2025-01-01/2025-12-31"),
    }
    GuaranteeResult.objects.filter(guarantee=cards).delete()
    summaries: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def store() -> None:
        try:
            start.wait()
            summaries.append(do_store_results(values, acting_user=None))
        except BaseException as error:  # every failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    run_at_once([threading.Thread(target=store) for _ in range(20)])
    assert errors == []
    assert sorted((s.created, s.unchanged) for s in summaries) == [(0, 2)] * 19 + [(2, 0)]
    assert GuaranteeResult.objects.filter(guarantee=cards).count() == 2


@simultaneous
@pytest.mark.django_db(transaction=True)
def test_attestations_of_two_guarantees_of_one_contract_at_once_settle_it_once_each() -> None:
    """Each attestation settles its whole contract year (both guarantees' settlement rows): 20
    at once, 10 on each guarantee, are made one after another with no constraint failure and
    no deadlock (each takes the contract's guarantees in id order before reading)."""
    cast = make_cast()
    cards = acme_attested_guarantee(cast)
    booklets = make(
        cast,
        "id_card_timeliness",
        "95",
        period="one_time",
        measure_from=dt.date(2025, 1, 1),
        measure_to=dt.date(2025, 1, 31),
        at_risk_value=D("2500"),
    )
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def attest(i: int) -> None:
        try:
            start.wait()
            pk = (cards, booklets)[i % 2].pk
            g = Guarantee.objects.select_related("contract__account").get(pk=pk)
            do_attest_result(
                g, cards_attested("2800", f"Report {i}"), acting_user=cast.alice, today=TODAY
            )
        except BaseException as error:  # every failure is the test's finding
            errors.append(error)
        finally:
            connection.close()

    run_at_once([threading.Thread(target=attest, args=(i,)) for i in range(20)])
    assert errors == []
    # 2,800 of 2,900 = 96.55 %: cards (98 %) missed, $7,500; booklets (95 %) met, $0.
    settled = {
        r.guarantee_id: r.penalty
        for r in GuaranteeResult.objects.filter(kind="settlement", guarantee__in=[cards, booklets])
    }
    assert settled == {cards.pk: D("7500.00"), booklets.pk: D("0.00")}
