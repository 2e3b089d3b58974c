"""Guarantee values on the guarantee pages: a metric in its unit, a numerator or denominator, an
evidence entry. Money, chances and percentages are `{% load formatting %}`'s."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from clientdesk.guarantees.evidence import Line, evidence_lines
from clientdesk.lib.formatting import number

register = template.Library()


@register.filter
def metric_value(value: Any, guarantee: Any) -> str:
    """A value in the guarantee's unit and reporting precision."""
    if value is None or value == "":
        return "—"
    return f"{number(value, guarantee.decimals)}{guarantee.definition.unit_suffix}"


@register.filter
def count_or_amount(value: Any) -> str:
    """A numerator or denominator: whole numbers without decimals, amounts with two."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    return number(amount, 0 if amount == amount.to_integral_value() else 2)


@register.filter
def evidence_in_words(evidence: Any) -> list[Line]:
    """A result's evidence, line by line, in words and dates (`guarantees/evidence.py`)."""
    return evidence_lines(evidence or {})
