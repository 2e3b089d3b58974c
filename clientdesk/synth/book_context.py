"""Everything a block or account worker needs, built once per run in the parent process.

Workers are forked after the context is built, so the big arrays are shared copy-on-write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from clientdesk.synth.diagnoses import DxDictionary
from clientdesk.synth.incident_model import Incident
from clientdesk.synth.params import SynthParams, Window
from clientdesk.synth.population import Population
from clientdesk.synth.providers import ProviderDirectory
from clientdesk.synth.renewals import cost_trends, trend_factor
from clientdesk.synth.sponsors import Sponsor

PAYER = "Keystone Mutual Health"
DATA_SOURCE = "clientdesk_synth"


@dataclass
class BookContext:
    """Inputs shared by all workers of one run."""

    params: SynthParams
    window: Window
    out_dir: Path
    sponsors: list[Sponsor]
    population: Population
    directory: ProviderDirectory
    dx: DxDictionary
    incidents: list[Incident]
    active: np.ndarray
    n_blocks: int = 0
    npi: pa.Array = field(init=False)
    tin: pa.Array = field(init=False)
    cost_trend: np.ndarray = field(init=False)
    """Each sponsor's hidden yearly cost trend (synth/renewals.py), by sponsor index."""

    def __post_init__(self) -> None:
        self.npi = pa.array(self.directory.npi, type=pa.string())
        self.tin = pa.array(self.directory.tin, type=pa.string())
        self.cost_trend = cost_trends(self.params.seed, self.sponsors)

    def price_index(self, accounts: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The multiplier of a service's price at each (account, day): the account's hidden
        cost trend compounded from the window's middle day, so a sponsor's claims cost rises
        by its own trend a year while the book's average cost level stays where it was
        calibrated."""
        anchor = (self.window.first_day + self.window.last_day) // 2
        return trend_factor(self.cost_trend[accounts], days, anchor)

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self.params.seed

    def ingest_micros(self) -> int:
        """Ingest timestamp of every file: 06:00 UTC on the day after the extract date."""
        return int((self.window.extract_day + 1) * 86_400_000_000 + 6 * 3_600_000_000)

    def incidents_for(self, accounts: np.ndarray, kinds: tuple[str, ...]) -> list[Incident]:
        """Incidents of the given kinds at any of the given accounts."""
        wanted = set(np.unique(accounts).tolist())
        return [i for i in self.incidents if i.kind in kinds and i.account in wanted]


def subscriber_numbers(household: np.ndarray) -> np.ndarray:
    """Nine-digit subscriber numbers (a bijection of the household index, so unique)."""
    return (household.astype(np.int64) * 7919 + 104_729) % 1_000_000_000


def person_numbers(row: np.ndarray) -> np.ndarray:
    """Nine-digit person numbers (a bijection of the population row, so unique)."""
    return (row.astype(np.int64) * 6997 + 31_337) % 1_000_000_000
