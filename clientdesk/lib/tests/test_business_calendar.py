"""Business-hours arithmetic, with deadlines computed by hand on a calendar.

Team calendar: 8:00-18:00 local time, Monday to Friday, US federal holidays (observed days
included). 2026: DST starts Sunday March 8 and ends Sunday November 1; Thanksgiving is
Thursday November 26; July 4 is a Saturday, observed Friday July 3.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientdesk.lib.business_calendar import (
    BusinessCalendar,
    add_business_duration,
    business_duration,
    business_windows,
    is_business_day,
    read_clock,
)

NEW_YORK = BusinessCalendar(timezone="America/New_York")
LOS_ANGELES = BusinessCalendar(timezone="America/Los_Angeles")
H = dt.timedelta(hours=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=dt.UTC)


def test_overnight() -> None:
    # Mon Mar 2 17:00 EST (22:00Z) + 4 h: 1 h Monday, 3 h Tuesday → Tue 11:00 EST = 16:00Z.
    assert add_business_duration(utc(2026, 3, 2, 22), 4 * H, NEW_YORK) == utc(2026, 3, 3, 16)


def test_opened_at_night_starts_at_opening() -> None:
    # Tue Mar 3 02:00 EST (07:00Z) + 2 h → Tue 10:00 EST = 15:00Z.
    assert add_business_duration(utc(2026, 3, 3, 7), 2 * H, NEW_YORK) == utc(2026, 3, 3, 15)


def test_exactly_at_closing_ends_at_closing() -> None:
    # Mon Mar 2 08:00 EST (13:00Z) + 10 h → Mon 18:00 EST (23:00Z), not Tuesday 8:00.
    assert add_business_duration(utc(2026, 3, 2, 13), 10 * H, NEW_YORK) == utc(2026, 3, 2, 23)


def test_weekend_and_march_dst_in_new_york() -> None:
    # Fri Mar 6 16:00 EST (21:00Z) + 4 h: 2 h Friday, weekend (DST starts Sunday),
    # 2 h Monday from 8:00 EDT → Mon Mar 9 10:00 EDT = 14:00Z.
    assert add_business_duration(utc(2026, 3, 6, 21), 4 * H, NEW_YORK) == utc(2026, 3, 9, 14)


def test_march_dst_in_los_angeles() -> None:
    # Fri Mar 6 17:00 PST (Sat 01:00Z) + 3 h: 1 h Friday, Mon Mar 9 8:00-10:00 PDT → 17:00Z.
    assert add_business_duration(utc(2026, 3, 7, 1), 3 * H, LOS_ANGELES) == utc(2026, 3, 9, 17)


def test_november_dst_in_los_angeles() -> None:
    # Fri Oct 30 16:00 PDT (23:00Z) + 4 h: 2 h Friday, DST ends Sunday Nov 1,
    # Mon Nov 2 8:00-10:00 PST (UTC-8) → 18:00Z.
    assert add_business_duration(utc(2026, 10, 30, 23), 4 * H, LOS_ANGELES) == utc(2026, 11, 2, 18)


def test_november_dst_in_new_york() -> None:
    # Fri Oct 30 17:00 EDT (21:00Z) + 3 h: 1 h Friday, Mon Nov 2 8:00-10:00 EST → 15:00Z.
    assert add_business_duration(utc(2026, 10, 30, 21), 3 * H, NEW_YORK) == utc(2026, 11, 2, 15)
    # The wall-clock weekend is one hour longer, but business time is the same 3 hours.
    assert business_duration(utc(2026, 10, 30, 21), utc(2026, 11, 2, 15), NEW_YORK) == 3 * H


def test_thanksgiving() -> None:
    # Wed Nov 25 15:00 EST (20:00Z) + 10 h: 3 h Wednesday, Thanksgiving closed,
    # Fri Nov 27 8:00-15:00 (7 h; the day after is not a federal holiday) → 20:00Z.
    assert not is_business_day(dt.date(2026, 11, 26), NEW_YORK)
    assert is_business_day(dt.date(2026, 11, 27), NEW_YORK)
    assert add_business_duration(utc(2026, 11, 25, 20), 10 * H, NEW_YORK) == utc(2026, 11, 27, 20)


def test_july_fourth_observed_on_friday() -> None:
    # Thu Jul 2 14:00 EDT (18:00Z) + 8 h: 4 h Thursday, Fri Jul 3 observed holiday, weekend,
    # Mon Jul 6 8:00-12:00 EDT → 16:00Z.
    assert not is_business_day(dt.date(2026, 7, 3), NEW_YORK)
    assert add_business_duration(utc(2026, 7, 2, 18), 8 * H, NEW_YORK) == utc(2026, 7, 6, 16)


def test_extra_closed_day_and_custom_hours() -> None:
    calendar = BusinessCalendar(
        timezone="America/Chicago",
        opens=dt.time(9),
        closes=dt.time(17),
        closed_days=frozenset({dt.date(2026, 3, 3)}),
    )
    # Mon Mar 2 16:00 CST (22:00Z) + 2 h: 1 h Monday, Tuesday closed, Wed 9:00-10:00 → 16:00Z.
    assert add_business_duration(utc(2026, 3, 2, 22), 2 * H, calendar) == utc(2026, 3, 4, 16)


def test_business_duration_counts_only_open_hours() -> None:
    # Fri Mar 6 12:00 EST → Mon Mar 9 12:00 EDT: 6 h Friday + 4 h Monday.
    assert business_duration(utc(2026, 3, 6, 17), utc(2026, 3, 9, 16), NEW_YORK) == 10 * H
    assert business_duration(utc(2026, 3, 9, 16), utc(2026, 3, 6, 17), NEW_YORK) == dt.timedelta(0)
    windows = list(business_windows(utc(2026, 3, 6, 17), utc(2026, 3, 9, 16), NEW_YORK))
    assert windows == [
        (utc(2026, 3, 6, 17), utc(2026, 3, 6, 23)),
        (utc(2026, 3, 9, 12), utc(2026, 3, 9, 16)),
    ]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware UTC"):
        add_business_duration(dt.datetime(2026, 3, 2, 9), H, NEW_YORK)  # noqa: DTZ001
    with pytest.raises(ValueError, match="close after it opens"):
        BusinessCalendar(opens=dt.time(18), closes=dt.time(8))


def test_clock_paused_while_waiting() -> None:
    # Opened Mon Mar 2 09:00 EST (14:00Z); waiting on the sponsor from 11:00 EST (2 h elapsed)
    # to Tue 10:00 EST; 8 h target → 6 h left from Tue 10:00 → Tue 16:00 EST = 21:00Z.
    runs = [(utc(2026, 3, 2, 14), utc(2026, 3, 2, 16)), (utc(2026, 3, 3, 15), None)]
    reading = read_clock(runs, NEW_YORK, utc(2026, 3, 3, 17), [8 * H, 6 * H])
    assert reading.running and reading.elapsed == 4 * H
    assert reading.crossings == (utc(2026, 3, 3, 21), utc(2026, 3, 3, 19))
    assert not reading.reached(0)


def test_clock_while_paused_keeps_the_deadline_as_it_stood() -> None:
    runs = [(utc(2026, 3, 2, 14), utc(2026, 3, 2, 16))]
    reading = read_clock(runs, NEW_YORK, utc(2026, 3, 5, 12), [8 * H])
    assert not reading.running and reading.elapsed == 2 * H
    # 6 h left from Mon 11:00 EST → Mon 17:00 EST = 22:00Z.
    assert reading.crossings == (utc(2026, 3, 2, 22),)


def test_clock_past_its_target() -> None:
    runs = [(utc(2026, 3, 2, 14), None)]
    reading = read_clock(runs, NEW_YORK, utc(2026, 3, 3, 14), [4 * H])
    assert reading.reached(0) and reading.elapsed == 10 * H  # 9:00-18:00 Mon + 8:00-9:00 Tue
    assert reading.crossings == (utc(2026, 3, 2, 18),)


calendars = st.sampled_from([NEW_YORK, LOS_ANGELES])
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),  # noqa: DTZ001  (hypothesis bounds are naive)
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)
durations = st.integers(min_value=0, max_value=60 * 200).map(lambda m: dt.timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, start=instants, duration=durations)
def test_adding_then_measuring_gives_the_duration_back(
    calendar: BusinessCalendar, start: dt.datetime, duration: dt.timedelta
) -> None:
    end = add_business_duration(start, duration, calendar)
    assert end >= start
    assert business_duration(start, end, calendar) == duration
