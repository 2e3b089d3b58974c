"""An objective's status from its value: pure."""

from __future__ import annotations

AT_RISK_BAND = 0.10
"""Within 10 % of the target on the wrong side is at risk; further is off track."""


def objective_status(value: float | None, target: float, better: str) -> str:
    """on_track when the value meets the target in its direction, at_risk within 10 % of the
    target (or 1 unit when the target is 0), off_track beyond; no_value without a value."""
    if value is None:
        return "no_value"
    tolerance = abs(target) * AT_RISK_BAND if target else 1.0
    shortfall = (target - value) if better == "higher" else (value - target)
    if shortfall <= 0:
        return "on_track"
    if shortfall <= tolerance:
        return "at_risk"
    return "off_track"
