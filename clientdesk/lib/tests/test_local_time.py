"""The zone table: UTC offsets, daylight-saving windows and local dates, in plain Python."""

from __future__ import annotations

import datetime as dt

from clientdesk.lib.local_time import local_bounds, local_date, zone_offsets, zone_table

D = dt.date


def test_local_time_offsets_follow_daylight_saving() -> None:
    # New York moved from UTC-5 to UTC-4 at 2025-03-09 07:00 UTC: epoch hour
    # (20,156 days x 24) + 7 = 483,751.
    assert (dt.date(2025, 3, 9) - dt.date(1970, 1, 1)).days == 20_156
    runs = zone_offsets("America/New_York", 483_700, 483_800)
    assert runs == [(483_700, 483_751, -5), (483_751, 483_801, -4)]
    assert zone_offsets("America/Phoenix", 483_700, 483_800) == [(483_700, 483_801, -7)]
    # The zone table: 2024-2026 for a 2025 window; 2025's window is Mar 9 07:00 UTC to
    # Nov 2 06:00 UTC.
    row = zone_table(
        {1: "America/New_York", 2: "America/Phoenix"}, D(2025, 3, 1), D(2025, 3, 31)
    ).to_dict("records")
    york, phoenix = row
    assert (york["std_offset"], york["dst_offset"]) == (-5 * 3600, -4 * 3600)
    assert (york["w1_from"], york["w1_to"]) == (483_751 * 3600, 1_762_063_200)
    assert (phoenix["std_offset"], phoenix["w1_from"], phoenix["w1_to"]) == (-7 * 3600, 0, 0)
    # 2025-04-01 03:59:59 UTC is still Mar 31 in New York (EDT); 06:59:59 UTC in Phoenix (MST).
    assert local_date(york, 1_743_479_999) == D(2025, 3, 31)
    assert local_date(york, 1_743_480_000) == D(2025, 4, 1)
    assert local_date(phoenix, 1_743_490_799) == D(2025, 3, 31)
    assert local_date(phoenix, 1_743_490_800) == D(2025, 4, 1)
    start, end = local_bounds("America/New_York", D(2025, 1, 1), D(2025, 3, 31))
    assert start == dt.datetime(2025, 1, 1, 5, tzinfo=dt.UTC)
    assert end == dt.datetime(2025, 4, 1, 4, tzinfo=dt.UTC)  # midnight EDT
