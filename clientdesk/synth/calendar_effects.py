"""Calendar effects on operational volumes: day of week, US holidays, plan-year season, and
local business hours converted to UTC.

Grain of the daily arrays: one value per window day.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from clientdesk.synth.params import Window, from_day_number

DOW_WEIGHTS = np.array([1.45, 1.2, 1.1, 1.05, 1.0, 0.25, 0.12])
"""Relative contact volume Monday..Sunday (service centres: Monday peak, weekends light)."""
DOW_FACTOR = DOW_WEIGHTS / DOW_WEIGHTS.mean()
BUSINESS_DOW = np.array([1.3, 1.15, 1.1, 1.05, 1.0, 0.03, 0.01])
"""Relative volume of business contacts (account-team inquiries, sponsor calls)."""
BUSINESS_FACTOR = BUSINESS_DOW / BUSINESS_DOW.mean()


def weekdays(window: Window) -> np.ndarray:
    """0 = Monday for every window day."""
    days = np.arange(window.first_day, window.last_day + 1)
    return ((days + 3) % 7).astype(np.int64)


@functools.cache
def _holiday_days(first: int, last: int) -> frozenset[int]:
    years = range(from_day_number(first).year, from_day_number(last).year + 1)
    cal = holidays.country_holidays("US", years=years)
    epoch = from_day_number(0)
    return frozenset((d - epoch).days for d in cal)


def holiday_mask(window: Window) -> np.ndarray:
    """Whether each window day is a US federal holiday."""
    found = _holiday_days(window.first_day, window.last_day)
    days = np.arange(window.first_day, window.last_day + 1)
    return np.isin(days, np.fromiter(found, dtype=np.int64, count=len(found)))


def season_factor(window: Window) -> np.ndarray:
    """New plan year surge (first three weeks of January), quieter late December."""
    days = np.arange(window.first_day, window.last_day + 1)
    dates = days.astype("datetime64[D]")
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    factor = np.ones(len(days))
    factor[(month == 1) & (day_of_month <= 21)] = 1.4
    factor[(month == 12) & (day_of_month >= 20)] = 0.8
    factor[np.isin(month, [7, 8])] = 0.95
    return factor


def contact_factor(window: Window, business: bool = False) -> np.ndarray:
    """Day-of-week x holiday x season multiplier for contact volumes (mean about 1)."""
    return _contact_factor(window.first_day, window.last_day, business).copy()


@functools.cache
def _contact_factor(first: int, last: int, business: bool) -> np.ndarray:
    window = Window.of(from_day_number(first), 1)
    window = Window(first, last, last, window.months, window.month_starts)
    dow = (BUSINESS_FACTOR if business else DOW_FACTOR)[weekdays(window)]
    hol = np.where(holiday_mask(window), 0.15, 1.0)
    return np.asarray(dow * hol * season_factor(window))


@functools.cache
def utc_offsets(timezone: str, first: int, last: int) -> np.ndarray:
    """Seconds to add to local time to get UTC, per day (noon local, so DST-correct)."""
    tz = ZoneInfo(timezone)
    out = np.zeros(last - first + 1, dtype=np.int64)
    start = from_day_number(first)
    for k in range(len(out)):
        local = datetime.combine(start + timedelta(days=k), time(12), tzinfo=tz)
        offset = local.utcoffset()
        out[k] = -int(offset.total_seconds()) if offset is not None else 0
    return out


def local_seconds_to_utc_micros(
    day: np.ndarray, local_seconds: np.ndarray, offsets: np.ndarray, first_day: int
) -> np.ndarray:
    """UTC microseconds of a local time of day on a window day."""
    utc = day.astype(np.int64) * 86_400 + local_seconds.astype(np.int64) + offsets[day - first_day]
    return np.asarray(utc * 1_000_000)


def business_seconds(n: int, weekday: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Local seconds after midnight for contacts: 08:00-20:00 weekdays with a late-morning
    peak, 09:00-14:00 Saturday, 12:00-16:00 Sunday."""
    hour = np.where(rng.random(n) < 0.6, rng.normal(11.0, 1.8, n), rng.uniform(8.0, 20.0, n))
    hour = np.clip(hour, 8.0, 19.99)
    hour = np.where(weekday == 5, rng.uniform(9.0, 14.0, n), hour)
    hour = np.where(weekday == 6, rng.uniform(12.0, 16.0, n), hour)
    return (hour * 3600).astype(np.int64)
