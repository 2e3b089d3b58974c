"""Which performance guarantees an issue puts at risk, read from the guarantees app.

A series feeds the guarantee metrics its family names (`Family.guarantees`, metric codes of
`clientdesk.guarantees.metrics.METRICS`: a call-volume surge slows answers and raises
abandonment; pends slow turnaround and lower first-pass rate; denials and overpayments are
payment errors and hurt member satisfaction; IVR opt-outs lower containment). An issue's
guarantees at risk are the account's guarantees on those metrics whose contract covers the
issue's dates (for a book-level issue: those of its top contributing accounts), each with the
period that holds the issue, that period's result so far and the latest miss forecast where the
guarantees app has one. Riskiest first: highest chance of a miss, then dollars at risk."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from clientdesk.guarantees.models import Guarantee, GuaranteeForecast, GuaranteeResult, ResultKind
from clientdesk.insights.families import BY_NAME
from clientdesk.lib import formatting

MAX_GUARANTEES = 8


def metrics_fed_by(family: str) -> tuple[str, ...]:
    return BY_NAME[family].guarantees


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')).quantize(Decimal('0.01'))}"


def guarantees_at_risk(
    account_ids: list[int], family: str, first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """The guarantees of these accounts that the family's series feed, in force between
    `first` and `last`, with their result and forecast for the period holding `last`."""
    metrics = metrics_fed_by(family)
    if not account_ids or not metrics:
        return []
    guarantees = list(
        Guarantee.objects.filter(
            contract__account_id__in=account_ids,
            metric__in=metrics,
            contract__start_date__lte=last,
            contract__end_date__gte=first,
        ).select_related("contract__account")
    )
    if not guarantees:
        return []
    ids = [g.pk for g in guarantees]
    results: dict[int, GuaranteeResult] = {}
    for r in GuaranteeResult.objects.filter(
        guarantee_id__in=ids,
        kind=ResultKind.PERIOD,
        period_start__lte=last,
        period_end__gte=last,
    ).order_by("period_start"):
        results[r.guarantee_id] = r
    forecasts: dict[int, GuaranteeForecast] = {}
    for f in GuaranteeForecast.objects.filter(
        guarantee_id__in=ids, span_start__lte=last, span_end__gte=last
    ).order_by("as_of", "id"):
        forecasts[f.guarantee_id] = f  # the latest as_of wins
    out = []
    for g in guarantees:
        result, forecast = results.get(g.pk), forecasts.get(g.pk)
        p_miss = float(forecast.p_miss) if forecast and forecast.p_miss is not None else None
        at_risk = forecast.amount_at_risk if forecast else result.amount_at_risk if result else None
        out.append(
            {
                "guarantee_id": g.pk,
                "account_id": g.contract.account_id,
                "account": g.contract.account.name,
                "metric": g.metric,
                "label": g.display_name,
                "target": f"{g.comparator_symbol} {g.target_display}",
                "period": (
                    forecast.period_label if forecast else result.period_label if result else ""
                ),
                "actual": result.actual_display if result and result.actual is not None else None,
                "met": result.met if result else None,
                "p_miss": p_miss,
                "forecast_as_of": forecast.as_of.isoformat() if forecast else None,
                "amount_at_risk": _money(at_risk),
                "expected_penalty": _money(forecast.expected_penalty if forecast else None),
            }
        )

    def riskiest(g: dict[str, Any]) -> tuple[float, bool, Decimal, int]:
        p_miss = g["p_miss"] if g["p_miss"] is not None else -1.0
        return (-p_miss, g["met"] is not False, -Decimal(g["amount_at_risk"]), g["guarantee_id"])

    out.sort(key=riskiest)
    return out[:MAX_GUARANTEES]


def describe_guarantee(g: dict[str, Any]) -> str:
    """`Average speed of answer ≤ 30 s (2026Q3: 62 % chance of a miss, $12,000.00 at risk)`."""
    facts = []
    if g.get("p_miss") is not None:
        facts.append(f"{formatting.share(g['p_miss'])} chance of a miss")
    elif g.get("met") is False:
        facts.append(f"missed so far ({g.get('actual')})")
    if Decimal(g.get("amount_at_risk") or "0") > 0:
        facts.append(f"{formatting.money(Decimal(g['amount_at_risk']), 0)} at risk")
    period = f"{g['period']}: " if g.get("period") and facts else ""
    inner = f" ({period}{', '.join(facts)})" if facts else ""
    return f"{g['label']} {g['target']}{inner}"
