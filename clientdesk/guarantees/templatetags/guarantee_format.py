"""Formatting of money, chances and metric values on the guarantee pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """$1,234.56, or a dash when there is no amount."""
    if value is None or value == "":
        return "—"
    return f"${Decimal(value):,.2f}"


@register.filter
def chance(value: Any) -> str:
    """A probability (0-1) as a whole percentage."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.0%}"


@register.filter
def metric_value(value: Any, guarantee: Any) -> str:
    """A value in the guarantee's unit and reporting precision."""
    if value is None or value == "":
        return "—"
    decimals = guarantee.decimals
    return f"{Decimal(value):,.{decimals}f}{guarantee.definition.unit_suffix}"


@register.filter
def plain_number(value: Any, decimals: int = 0) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.{int(decimals)}f}"


@register.filter
def percent(value: Any, decimals: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(decimals)}f} %"


@register.filter
def count_or_amount(value: Any) -> str:
    """A numerator or denominator: whole numbers without decimals, amounts with two."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


@register.filter
def evidence_value(value: Any) -> str:
    """An evidence entry in plain words: mappings as "key: value" pairs, lists joined."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {evidence_value(v)}" for k, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)
