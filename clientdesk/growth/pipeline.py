"""Pipeline and forecast arithmetic: pure functions over opportunities' values."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from clientdesk.growth.models import OPEN_STAGES, STAGE_PROBABILITY, Stage


def default_probability(stage: str) -> int:
    return STAGE_PROBABILITY[stage]


@dataclass(frozen=True)
class Deal:
    """What the pipeline needs of one opportunity."""

    product: str
    stage: str
    annual_value: Decimal
    probability: int
    expected_close: dt.date


@dataclass
class ForecastRow:
    """One month (or one product): open value, weighted value (value x probability) and won."""

    key: str
    open_count: int = 0
    open_value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    won_value: Decimal = Decimal("0")

    @property
    def label(self) -> str:
        """A month key ('2026-03') as 'Mar 2026'; any other key as it is."""
        try:
            return dt.date.fromisoformat(f"{self.key}-01").strftime("%b %Y")
        except ValueError:
            return self.key


@dataclass
class Forecast:
    by_month: list[ForecastRow] = field(default_factory=list)
    by_product: list[ForecastRow] = field(default_factory=list)
    by_stage: list[ForecastRow] = field(default_factory=list)
    open_value: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")
    won_value: Decimal = Decimal("0")


def _add(row: ForecastRow, deal: Deal) -> None:
    if deal.stage in OPEN_STAGES:
        row.open_count += 1
        row.open_value += deal.annual_value
        row.weighted += (deal.annual_value * deal.probability / 100).quantize(Decimal("0.01"))
    elif deal.stage == Stage.WON:
        row.won_value += deal.annual_value


def forecast(deals: Iterable[Deal]) -> Forecast:
    """The pipeline by expected-close month (YYYY-MM), by product and by stage."""
    months: dict[str, ForecastRow] = {}
    products: dict[str, ForecastRow] = {}
    stages: dict[str, ForecastRow] = defaultdict(lambda: ForecastRow(""))
    total = ForecastRow("total")
    for deal in deals:
        month = f"{deal.expected_close:%Y-%m}"
        _add(months.setdefault(month, ForecastRow(month)), deal)
        _add(products.setdefault(deal.product, ForecastRow(deal.product)), deal)
        stage_row = stages[deal.stage]
        stage_row.key = deal.stage
        _add(stage_row, deal)
        _add(total, deal)
    order = {stage: i for i, stage in enumerate(Stage.values)}
    return Forecast(
        by_month=[months[k] for k in sorted(months)],
        by_product=sorted(products.values(), key=lambda r: (-r.weighted, r.key)),
        by_stage=sorted(stages.values(), key=lambda r: order.get(r.key, 99)),
        open_value=total.open_value,
        weighted=total.weighted,
        won_value=total.won_value,
    )


def win_rate(won: int, lost: int) -> Decimal | None:
    """Won ÷ (won + lost), in percent; None before anything closed."""
    if won + lost == 0:
        return None
    return (Decimal(won) * 100 / (won + lost)).quantize(Decimal("0.1"))
