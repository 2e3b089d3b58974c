"""Renewal outcomes in ``ground_truth.json`` (synth/renewals.py)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path

import duckdb

from clientdesk.synth.generator import BookSummary
from clientdesk.synth.renewals import hidden_drivers


def test_renewal_outcomes(calibration_book: tuple[Path, BookSummary]) -> None:
    book, _ = calibration_book
    truth = json.loads((book / "ground_truth.json").read_text())
    outcomes = truth["renewal_outcomes"]
    assert outcomes, "a book of a year or more has renewals to score"
    start = date.fromisoformat(truth["window"]["start"])
    end = date.fromisoformat(truth["window"]["end"])
    groups = {o["account"] for o in outcomes}
    book_doc = json.loads((book / "book.json").read_text())
    index = {s["group_number"]: i for i, s in enumerate(book_doc["sponsors"])}
    seed = book_doc["generator"]["seed"]
    assert len(groups) == len(outcomes)  # one renewal per sponsor
    for o in outcomes:
        renewal = date.fromisoformat(o["renewal_date"])
        as_of = date.fromisoformat(o["scored_as_of"])
        assert as_of == renewal - timedelta(days=90)
        assert start + timedelta(days=270) <= as_of <= end
        assert o["outcome"] in {"renewed", "rfp", "lapsed"}
        assert 0 < o["p_lost"] < 1
        # logit = -4.5 + 4 x disengaged + 2.5 x failures + 1 x misses + 10 x (trend - 6 %)
        d = o["drivers"]
        drivers = (
            4.0 * d["disengaged"]
            + 2.5 * d["service_failures"]
            + 1.0 * d["guarantee_misses"]
            + 10.0 * (d["cost_trend"] - 0.06)
        )
        assert abs(o["drivers_logit"] - drivers) < 1e-3
        noise = hidden_drivers(seed, index[o["account"]])[2]
        assert abs(o["p_lost"] - 1 / (1 + math.exp(4.5 - o["drivers_logit"] - noise))) < 1e-3
    # Incidents drive losses: a sponsor with guarantee misses is likelier lost than one without.
    with_misses = [o["p_lost"] for o in outcomes if o["drivers"]["guarantee_misses"]]
    without = [o["p_lost"] for o in outcomes if not o["drivers"]["guarantee_misses"]]
    if with_misses and without:
        assert sum(with_misses) / len(with_misses) > sum(without) / len(without)


def test_the_hidden_cost_trend_reaches_the_claims(
    calibration_book: tuple[Path, BookSummary], calibration_db: duckdb.DuckDBPyConnection
) -> None:
    # Each sponsor's pharmacy prices (log allowed per NDC, days supply and dispensing day)
    # rise by its own hidden trend: the within-cell slope over the window, per account.
    book, _ = calibration_book
    truth = json.loads((book / "ground_truth.json").read_text())
    hidden = {o["account"]: o["drivers"]["cost_trend"] for o in truth["renewal_outcomes"]}
    rows = calibration_db.execute(
        """
        with f as (
            select e.group_id as account, p.ndc_code, p.days_supply,
                   date_diff('day', date '2024-12-01', p.dispensing_date) / 365.25 as t,
                   ln(p.allowed_amount) as y
            from pharmacy_claim p
            join (select distinct person_id, group_id from eligibility) e using (person_id)
            where p.allowed_amount > 0
        ), c as (
            select *, t - avg(t) over w as dt, y - avg(y) over w as dy
            from f window w as (partition by account, ndc_code, days_supply)
        )
        select account, sum(dt * dy) / sum(dt * dt) from c group by account
        """
    ).fetchall()
    seen = {account: math.exp(slope) - 1 for account, slope in rows}
    pairs = [(hidden[a], seen[a]) for a in hidden if a in seen]
    assert len(pairs) >= 10
    # Within a point of the hidden trend for every account (each fill varies 8 %; most land
    # within half a point, the smallest account 0.6 points off on seed 7).
    assert max(abs(h - s) for h, s in pairs) < 0.01, pairs
