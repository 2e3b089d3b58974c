"""{% load formatting %}: the template filters of lib/formatting.py, for every app's templates.

Registered by name in settings (TEMPLATES' "libraries"), so the library lives beside the
functions it wraps, in the lowest layer, and no app owns it: a template of any app loads it
without that app depending on a higher one. Each filter is the function of the same rule;
the page's time zone is the reader's (Django's current time zone).
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from clientdesk.lib import formatting

register = template.Library()


@register.filter
def severity(value: str) -> str:
    """{{ f.severity|severity }}: bad → Act, warn → Watch, ok → Good."""
    return formatting.severity(value)


@register.filter
def money(value: object, places: int = 2) -> str:
    """{{ x|money }} $1,234.56; {{ x|money:0 }} $1,235."""
    return formatting.money(value, int(places))


@register.filter
def signed_money(value: object, places: int = 2) -> str:
    return formatting.signed_money(value, int(places))


@register.filter
def money_compact(value: object) -> str:
    return formatting.money_compact(value)


@register.filter
def number(value: object, places: int = 1) -> str:
    return formatting.number(value, int(places))


@register.filter
def count(value: object) -> str:
    return formatting.count(value)


@register.filter
def percent(value: object, places: int = 1) -> str:
    """A value already in percent: {{ 12.34|percent }} 12.3 %."""
    return formatting.percent(value, int(places))


@register.filter
def signed_percent(value: object, places: int = 1) -> str:
    return formatting.signed_percent(value, int(places))


@register.filter
def points(value: object, places: int = 1) -> str:
    return formatting.points(value, int(places))


@register.filter
def share(value: object, places: int = 0) -> str:
    """A fraction from 0 to 1: {{ 0.05|share }} 5 %."""
    return formatting.share(value, int(places))


@register.filter
def day(value: dt.date | None) -> str:
    """Mar 5, 2026 (a datetime: its date in the reader's time zone)."""
    return formatting.date(_local(value))


@register.filter
def short_day(value: dt.date | None) -> str:
    return formatting.short_date(_local(value))


@register.filter
def month(value: dt.date | None) -> str:
    return formatting.month(_local(value))


@register.filter
def moment(value: dt.datetime | None) -> str:
    """Mar 5, 2026, 2:05 p.m. in the reader's time zone."""
    return formatting.moment(value, timezone.get_current_timezone())


def _local(value: dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value
