"""Where the public X12 samples are, and what a run does without them.

The samples (LinuxForHealth's and pyx12's, with a MANIFEST.csv of independently counted
segments) are not part of the repository: they sit beside the checkout in
`../shared/data/x12`, or wherever CLIENTDESK_X12_SAMPLES says.

- Found: the sample tests run.
- Missing, and the run asked for them (CLIENTDESK_REQUIRE_X12_SAMPLES true, which `make test`
  sets when the folder is beside the checkout, or CLIENTDESK_X12_SAMPLES given): they fail,
  naming the folder, so a run never passes by skipping them.
- Missing, and not asked for (a clone elsewhere, a bare pytest): they skip with that reason.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[3]
BESIDE_THE_CHECKOUT = CHECKOUT.parent / "shared" / "data" / "x12"


def samples_dir() -> Path:
    given = os.environ.get("CLIENTDESK_X12_SAMPLES", "").strip()
    return Path(given).expanduser() if given else BESIDE_THE_CHECKOUT


def required() -> bool:
    flag = os.environ.get("CLIENTDESK_REQUIRE_X12_SAMPLES", "").strip().lower()
    return flag in ("1", "true", "yes") or bool(os.environ.get("CLIENTDESK_X12_SAMPLES", ""))


def present() -> bool:
    folder = samples_dir()
    return all((folder / name / "MANIFEST.csv").is_file() for name in ("linuxforhealth", "pyx12"))


def require_samples() -> Path:
    """The samples folder, or the test fails (asked for) or skips (not asked for)."""
    folder = samples_dir()
    if present():
        return folder
    reason = (
        f"no X12 samples at {folder} (a linuxforhealth/ and a pyx12/ folder with their "
        "MANIFEST.csv): set CLIENTDESK_X12_SAMPLES to the samples folder"
    )
    if required():
        pytest.fail(f"{reason} (the run asked for them)", pytrace=False)
    pytest.skip(reason)


def manifest() -> list[dict[str, str]]:
    """One row per sample file with its counts; one empty row when the folder is missing, so
    the test runs once and fails or skips with the reason (an empty parameter list would only
    be skipped, silently)."""
    if not present():
        return [{"file": "no-samples"}]
    rows: list[dict[str, str]] = []
    for folder in ("linuxforhealth", "pyx12"):
        with (samples_dir() / folder / "MANIFEST.csv").open() as handle:
            for row in csv.DictReader(handle):
                row["path"] = str(samples_dir() / folder / row["file"])
                rows.append(row)
    return rows
