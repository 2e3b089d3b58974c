"""Template helpers of the utilization pages."""

from __future__ import annotations

from typing import Any

from django import template

from clientdesk.utilization.access import can_see_book
from clientdesk.utilization.benchmarks import Comparison
from clientdesk.utilization.code_sets import place_of_service, type_of_bill
from clientdesk.utilization.marts.service_categories import category_title

register = template.Library()


@register.filter
def sees_book(user: Any) -> bool:
    """{% if user|sees_book %}: the book-level utilization page is open to this user."""
    return can_see_book(user)


@register.filter
def place_of_service_words(code: str | None) -> str:
    """{{ r.place_of_service_code|place_of_service_words }}: "Office" for 11."""
    return place_of_service(code)


@register.filter
def type_of_bill_words(code: str | None) -> str:
    """{{ r.bill_type_code|type_of_bill_words }}: "Hospital outpatient" for 131."""
    return type_of_bill(code)


@register.filter
def category(name: str) -> str:
    """{{ c.service_category_2|category }}: a Tuva category in title case."""
    return category_title(name)


@register.filter
def gap_class(row: Comparison) -> str:
    """badge class of a comparison row: bad when worse than the book by 10 % or more."""
    gap = row.gap_to_book_pct
    if gap is None:
        return ""
    worse = gap > 0 if row.higher_is_worse else gap < 0
    if abs(gap) < 10:
        return "ok"
    return "bad" if worse else "ok"
