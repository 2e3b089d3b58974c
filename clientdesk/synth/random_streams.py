"""Independent, reproducible random sub-streams.

Every table and every block of work draws from its own ``Generator(PCG64(...))`` keyed by
``(seed, stream, *keys)``, so results do not depend on the order blocks are processed in,
on the number of worker processes, or on which other tables are generated.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Stream(IntEnum):
    """Names of the random sub-streams (values are part of the output contract: keep them)."""

    SPONSORS = 1
    POPULATION = 2
    PROVIDERS = 3
    INCIDENTS = 4
    MEDICAL = 5
    PHARMACY = 6
    PROCESSING = 7
    CALLS = 8
    INQUIRIES = 9
    SURVEYS = 10
    CLAIM_INQUIRIES = 11
    QUOTAS = 12
    INQUIRY_WORK = 13
    GROWTH = 14  # synth/growth.py: programs held, for the growth suggestions' ground truth
    RENEWALS = 15  # synth/renewals.py: renewal outcomes, for the health backtest
    ENGAGEMENT = 16  # synth/engagement.py: touches with the decision maker (activity.json)
    IN_PROCESS = 17  # synth/block_pipeline.py: claims received and not yet paid at the extract


def stream(seed: int, kind: Stream, *keys: int) -> np.random.Generator:
    """A generator for ``kind`` and ``keys`` (for example an account or block index)."""
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(int(kind), *map(int, keys)))
    return np.random.Generator(np.random.PCG64(sequence))
