"""The incident record shared by the planner and the feed generators.

An ``Incident`` is an injected operational problem at one account for a date range: which
feed and series it moves (``feed`` + ``dimension``, equality filters on that feed's columns),
by how much, and the effect parameters the generators apply. Grain: one per incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS: tuple[str, ...] = (
    "prior_auth_config_denials",
    "claims_backlog",
    "claims_pricing_error",
    "eligibility_load_error",
    "id_card_misprint",
    "ivr_outage",
    "call_center_understaffing",
    "pharmacy_formulary_change",
    "provider_directory_error",
    "invoice_error",
    "member_call_surge",
)

CLAIM_SIDE = (
    "prior_auth_config_denials",
    "claims_backlog",
    "claims_pricing_error",
    "eligibility_load_error",
)


@dataclass
class Incident:
    """One injected incident (see module docstring). Days are day numbers, ``end`` inclusive."""

    id: str
    account: int
    kind: str
    start: int
    end: int
    feed: str
    dimension: dict[str, str | bool]
    multiplier: float
    baseline_per_day: float = 0.0
    date_column: str = ""
    params: dict[str, float | int | str] = field(default_factory=dict)
    misses: list[tuple[str, str]] = field(default_factory=list)
    secondary: list[dict[str, object]] = field(default_factory=list)
    description: str = ""
    expected_metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    def all_series(self) -> list[dict[str, object]]:
        """The primary series then any secondary ones, as feed/dimension/date_column dicts."""
        primary: dict[str, object] = {
            "feed": self.feed,
            "dimension": self.dimension,
            "date_column": self.date_column,
        }
        return [primary, *self.secondary]

    def covers(self, day: int) -> bool:
        """Whether ``day`` is inside the incident."""
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        """Duration in days."""
        return self.end - self.start + 1
