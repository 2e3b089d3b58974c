"""Hypercare: the first 90 days after go-live, watched with a new-account prior.

A new account has no history of its own, so the emerging-issue detector's baselines do not
apply yet. The prior is the rest of the book over the same window length: inquiries and
calls (call_record, by reason) per member per day, times this account's members and days
live; denials (claim_processing, by adjustment reason) per claim finalized, times this
account's claims finalized (so an account that simply sends many claims, or few, is not
flagged for it). A category whose count is improbable under that prior (Poisson upper tail
below ``ALPHA``) is flagged. Pure functions of counts; ``queries.hypercare`` gathers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The Poisson upper tail through scipy.special, as scipy.stats' poisson.sf computes it
# (pdtrc): importing scipy.stats costs ~0.9 CPU s in every process that starts the app.
from scipy.special import pdtrc

HYPERCARE_DAYS = 90
ALPHA = 0.01


@dataclass(frozen=True)
class Watch:
    category: str
    observed: int
    expected: float
    p_value: float
    # The book's count for the category is a small cell (1 to 10 members): withheld, and
    # the prior taken as none (lib.small_cells).
    withheld: bool = False

    @property
    def flagged(self) -> bool:
        return self.p_value < ALPHA

    @property
    def ratio(self) -> float | None:
        return None if self.expected <= 0 else self.observed / self.expected


def watch(
    observed: Mapping[str, int],
    book_counts: Mapping[str, int],
    *,
    book_exposure: float,
    exposure: float,
    withheld: frozenset[str] = frozenset(),
) -> list[Watch]:
    """Each category's count against the book's rate, most surprising first: the book's count
    per unit of ``book_exposure`` (member-days, claims) times this account's ``exposure``.
    ``withheld`` names categories whose book count was suppressed (taken as none)."""
    result = []
    for category in sorted(set(observed) | set(book_counts) | (withheld & set(observed))):
        rate = book_counts.get(category, 0) / book_exposure if book_exposure > 0 else 0.0
        expected = rate * exposure
        count = observed.get(category, 0)
        if expected > 0:
            p_value = float(pdtrc(count - 1, expected)) if count > 0 else 1.0  # P(X >= count)
        else:
            p_value = 0.0 if count > 0 else 1.0
        result.append(Watch(category, count, expected, p_value, category in withheld))
    return sorted(result, key=lambda w: (w.p_value, -w.observed, w.category))
