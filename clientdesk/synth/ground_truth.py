"""``ground_truth.json``: the injected incidents and the guarantee misses they cause.

Grain: one entry per incident and one per (account, metric, period) miss. Observed numbers
are computed from the rows written (``series.count_series``), so they describe the files.
"""

from __future__ import annotations

import numpy as np

from clientdesk.synth.incident_model import Incident
from clientdesk.synth.params import SynthParams, Window, from_day_number
from clientdesk.synth.service_levels import METRICS
from clientdesk.synth.sponsors import Sponsor

DESIGNED = {
    "id_card_misprint",
    "eligibility_load_error",
    "pharmacy_formulary_change",
    "provider_directory_error",
    "invoice_error",
    "call_center_understaffing",
    "ivr_outage",
    "member_call_surge",
}


def _observed(
    counts: np.ndarray | None, inc: Incident, window: Window, coverage_first: int
) -> dict[str, float | None]:
    if counts is None:
        counts = np.zeros(window.days, dtype=np.int64)
    first = window.first_day
    lo = max(coverage_first, first) - first
    start, end = inc.start - first, inc.end - first
    before = counts[lo:start]
    during = counts[start : end + 1]
    base = float(before.mean()) if before.size else 0.0
    dur = float(during.mean()) if during.size else 0.0
    return {
        "observed_baseline_per_day": round(base, 4),
        "observed_during_per_day": round(dur, 4),
        "observed_multiplier": round(dur / base, 3) if base > 0 else None,
        "observed_total_during": int(during.sum()),
    }


def ground_truth_document(
    params: SynthParams,
    sponsors: list[Sponsor],
    incidents: list[Incident],
    series: dict[int, np.ndarray],
) -> dict[str, object]:
    """The ground-truth document (see module docstring)."""
    window = params.window
    entries: list[dict[str, object]] = []
    misses: list[dict[str, object]] = []
    for inc in incidents:
        sponsor = sponsors[inc.account]
        from clientdesk.synth.params import day_number

        coverage_first = max(window.first_day, day_number(sponsor.effective_date))
        k = int(inc.params["index"])
        primary = _observed(series.get(k * 10), inc, window, coverage_first)
        designed = inc.kind in DESIGNED
        multiplier = inc.multiplier if designed else primary["observed_multiplier"]
        baseline = inc.baseline_per_day if designed else primary["observed_baseline_per_day"]
        params_out = {
            key: value for key, value in inc.params.items() if key not in ("index", "provider_row")
        }
        entry: dict[str, object] = {
            "id": inc.id,
            "account": sponsor.group_number,
            "kind": inc.kind,
            "start": from_day_number(inc.start).isoformat(),
            "end": from_day_number(inc.end).isoformat(),
            "days": inc.days,
            "series": {
                "feed": inc.feed,
                "dimension": dict(inc.dimension),
                "date_column": inc.date_column,
            },
            "multiplier": multiplier,
            "baseline_per_day": baseline,
            "multiplier_basis": "designed" if designed else "observed",
            **primary,
            "description": inc.description,
            "parameters": params_out,
            "causes_guarantee_miss": bool(inc.misses),
            "expected_metrics": inc.expected_metrics,
        }
        localized: dict[str, object] = {
            key: inc.params[key] for key in ("billing_npi", "claim_type") if key in inc.params
        }
        if "hcpcs_codes" in inc.params:
            localized["hcpcs_codes"] = str(inc.params["hcpcs_codes"]).split(",")
        if localized:
            entry["localized"] = localized
        if inc.secondary:
            entry["secondary_series"] = [
                {**spec, **_observed(series.get(k * 10 + s + 1), inc, window, coverage_first)}
                for s, spec in enumerate(inc.secondary)
            ]
        entries.append(entry)
        for metric, period in inc.misses:
            target = None
            for contract in sponsor.contracts:
                for g in contract.guarantees:
                    if g.metric == metric and g.level == "client":
                        target = g.target
            misses.append(
                {
                    "account": sponsor.group_number,
                    "metric": metric,
                    "period": period,
                    "incident": inc.id,
                    "target": target,
                    "expected_value": inc.expected_metrics.get(metric, {}).get(period),
                }
            )
    with_incidents = {i.account for i in incidents}
    return {
        "generator": {
            "seed": params.seed,
            "accounts": params.accounts,
            "members": params.members,
            "months": params.months,
            "start": f"{params.start.year:04d}-{params.start.month:02d}",
        },
        "window": {
            "start": window.start_date.isoformat(),
            "end": window.end_date.isoformat(),
            "extract_date": from_day_number(window.extract_day).isoformat(),
        },
        "incidents": entries,
        "guarantee_misses": misses,
        "accounts_without_incidents": [
            s.group_number for s in sponsors if s.index not in with_incidents
        ],
        "metric_definitions": {
            name: {
                "unit": m.unit,
                "comparator": m.comparator,
                "feed": m.feed,
                "period": m.period,
                "definition": m.definition,
            }
            for name, m in METRICS.items()
        },
    }
