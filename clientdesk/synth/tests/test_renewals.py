"""Renewal outcomes in ``ground_truth.json`` (synth/renewals.py)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from clientdesk.synth.generator import BookSummary


def test_renewal_outcomes(calibration_book: tuple[Path, BookSummary]) -> None:
    book, _ = calibration_book
    truth = json.loads((book / "ground_truth.json").read_text())
    outcomes = truth["renewal_outcomes"]
    assert outcomes, "a book of a year or more has renewals to score"
    start = date.fromisoformat(truth["window"]["start"])
    end = date.fromisoformat(truth["window"]["end"])
    groups = {o["account"] for o in outcomes}
    assert len(groups) == len(outcomes)  # one renewal per sponsor
    for o in outcomes:
        renewal = date.fromisoformat(o["renewal_date"])
        as_of = date.fromisoformat(o["scored_as_of"])
        assert as_of == renewal - timedelta(days=90)
        assert start + timedelta(days=270) <= as_of <= end
        assert o["outcome"] in {"renewed", "rfp", "lapsed"}
        assert 0 < o["p_lost"] < 1
    # Incidents drive losses: a sponsor with guarantee misses is likelier lost than one without.
    with_misses = [o["p_lost"] for o in outcomes if o["drivers"]["guarantee_misses"]]
    without = [o["p_lost"] for o in outcomes if not o["drivers"]["guarantee_misses"]]
    if with_misses and without:
        assert sum(with_misses) / len(with_misses) > sum(without) / len(without)
