"""Template helpers of the utilization pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from clientdesk.utilization.access import can_see_book

register = template.Library()


@register.filter
def sees_book(user: Any) -> bool:
    """{% if user|sees_book %}: the book-level utilization page is open to this user."""
    return can_see_book(user)


@register.filter
def money(value: Any, places: int = 2) -> str:
    """$1,234.56 (negative as -$1,234.56); — when empty."""
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.{int(places)}f}"


@register.filter
def number(value: Any, places: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.{int(places)}f}"


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{'+' if amount > 0 else ''}{amount:,.1f}%"


@register.filter
def signed_money(value: Any) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    return f"{'+' if amount > 0 else '-' if amount < 0 else ''}${abs(amount):,.2f}"


@register.filter
def gap_class(row: dict[str, Any]) -> str:
    """badge class of a comparison row: bad when worse than the book by 10 % or more."""
    gap = row.get("gap_to_book_pct")
    if gap is None:
        return ""
    worse = gap > 0 if row.get("higher_is_worse", True) else gap < 0
    if abs(gap) < 10:
        return "ok"
    return "bad" if worse else "ok"
