"""Command-line options of ``synth`` turned into ``SynthParams`` (no Django here, so the
parsing is testable on its own). Errors are one-line ``ValueError`` messages."""

from __future__ import annotations

import re
from datetime import date

from clientdesk.synth.params import SynthParams


def parse_month(text: str) -> date:
    """``2024-12`` -> 2024-12-01."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"--start must look like YYYY-MM (for example 2024-12), got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def params_from_options(
    *,
    accounts: int,
    members: int,
    months: int,
    start: str,
    seed: int,
    workers: int = 0,
    runout_months: int = 0,
) -> SynthParams:
    """Validated parameters from command-line values."""
    params = SynthParams(
        accounts=accounts,
        members=members,
        months=months,
        start=parse_month(start),
        seed=seed,
        workers=workers,
        runout_months=runout_months,
    )
    params.validate()
    return params
