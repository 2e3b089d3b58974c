"""Account-local dates for lake timestamps: the zone table and its rules, in plain Python.

Lake timestamps are UTC. A guarantee period is dated in the account's time zone (a call at
23:59:59 local on the last day of the quarter belongs to that quarter). The marts join each
record to a one-row-per-account *zone table* — its standard offset, its daylight-saving
offset and the UTC instants each year's daylight saving starts and ends — and compute the
local day from the record's epoch seconds; that is exact for every zone with at most one
daylight-saving window a year (all US zones), and much cheaper than converting each timestamp
with the engine's time-zone library. The Ibis side of the rule (a record's local day in a
query) is `clientdesk.lake.local_time`; guarantees, issue series and survey reports all use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
DAY_SECONDS = 86_400


def epoch_hour(moment: dt.datetime) -> int:
    return int((moment - EPOCH).total_seconds() // 3600)


def _offset_hours(zone: ZoneInfo, hour: int) -> int:
    offset = (EPOCH + dt.timedelta(hours=hour)).astimezone(zone).utcoffset()
    if offset is None:  # an IANA zone always has one; a naive zone would not
        raise ValueError(f"{zone.key} has no UTC offset")
    seconds = int(offset.total_seconds())
    if seconds % 3600:
        raise ValueError(f"{zone.key} has a UTC offset that is not whole hours")
    return seconds // 3600


def zone_offsets(zone_name: str, first_hour: int, last_hour: int) -> list[tuple[int, int, int]]:
    """(from_hour, to_hour, offset_hours) runs covering first_hour..last_hour (to exclusive)."""
    zone = ZoneInfo(zone_name)
    runs: list[tuple[int, int, int]] = []
    start, current = first_hour, _offset_hours(zone, first_hour)
    hour = first_hour
    while hour < last_hour:
        step = min(24, last_hour - hour)
        nxt = _offset_hours(zone, hour + step)
        if nxt != current:
            # The change happened inside this day: find the first hour with the new offset.
            for probe in range(hour + 1, hour + step + 1):
                if _offset_hours(zone, probe) != current:
                    runs.append((start, probe, current))
                    start, current = probe, _offset_hours(zone, probe)
                    break
        hour += step
    runs.append((start, last_hour + 1, current))
    return runs


@dataclass(frozen=True)
class ZoneRule:
    """A zone over some years: standard and daylight offsets (seconds) and, per year, the
    UTC epoch seconds daylight saving starts and ends ((0, 0) when it has none)."""

    standard: int
    daylight: int
    windows: tuple[tuple[int, int], ...]


def zone_rule(zone_name: str, years: range) -> ZoneRule:
    standard: int | None = None
    daylight: int | None = None
    windows = []
    for year in years:
        first = epoch_hour(dt.datetime(year, 1, 1, tzinfo=UTC))
        last = epoch_hour(dt.datetime(year + 1, 1, 1, tzinfo=UTC))
        runs = zone_offsets(zone_name, first, last)
        offsets: tuple[int, int | None]
        if len(runs) == 1:
            offsets, window = (runs[0][2], None), (0, 0)
        elif len(runs) == 3 and runs[0][2] == runs[2][2]:
            offsets, window = (runs[0][2], runs[1][2]), (runs[1][0] * 3600, runs[1][1] * 3600)
        else:
            raise ValueError(
                f"{zone_name} changes its UTC offset other than by one "
                f"daylight-saving window in {year}"
            )
        if standard is not None and offsets[0] != standard:
            raise ValueError(f"{zone_name} changed its standard UTC offset in {year}")
        standard = offsets[0]
        if offsets[1] is not None:
            daylight = offsets[1]
        windows.append(window)
    if standard is None:
        raise ValueError("a zone rule needs at least one year")
    return ZoneRule(
        standard * 3600, (daylight if daylight is not None else standard) * 3600, tuple(windows)
    )


def zone_table(account_zones: Mapping[int, str], first: dt.date, last: dt.date) -> pd.DataFrame:
    """One row per account: account_id, std_offset, dst_offset, and w<i>_from / w<i>_to for
    each calendar year from the year before `first` to the year after `last` (int64)."""
    years = range(first.year - 1, last.year + 2)
    rules = {zone: zone_rule(zone, years) for zone in set(account_zones.values())}
    rows = []
    for account_id, zone in sorted(account_zones.items()):
        rule = rules[zone]
        row = {"account_id": account_id, "std_offset": rule.standard, "dst_offset": rule.daylight}
        for i, (start, end) in enumerate(rule.windows):
            row[f"w{i}_from"], row[f"w{i}_to"] = start, end
        rows.append(row)
    columns = ["account_id", "std_offset", "dst_offset"]
    for i in range(len(years)):
        columns += [f"w{i}_from", f"w{i}_to"]
    return pd.DataFrame(rows, columns=columns).astype("int64")


def windows_within(zones: pd.DataFrame, low: int, high: int) -> pd.DataFrame:
    """The zone table with only the daylight windows that overlap epoch seconds low..high
    (renumbered w0, w1, ...): a query that reads only instants in that range compares each
    record with fewer windows, and dates it the same."""
    count = sum(1 for name in zones.columns if name.endswith("_from"))
    kept = [
        i for i in range(count) if ((zones[f"w{i}_from"] < high) & (zones[f"w{i}_to"] > low)).any()
    ]
    out = zones[["account_id", "std_offset", "dst_offset"]].copy()
    for new, old in enumerate(kept):
        out[f"w{new}_from"], out[f"w{new}_to"] = zones[f"w{old}_from"], zones[f"w{old}_to"]
    return out


def local_date(zone_table_row: Mapping[str, int], epoch_seconds: int) -> dt.date:
    """The local date of an instant by a zone-table row (the marts' rule, in Python)."""
    daylight = any(
        zone_table_row[f"w{i}_from"] <= epoch_seconds < zone_table_row[f"w{i}_to"]
        for i in range(sum(1 for k in zone_table_row if k.endswith("_from")))
    )
    offset = zone_table_row["dst_offset" if daylight else "std_offset"]
    return dt.date(1970, 1, 1) + dt.timedelta(days=(epoch_seconds + offset) // DAY_SECONDS)


def local_bounds(zone_name: str, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants where local day `first` starts and local day `last` ends (exclusive)."""
    zone = ZoneInfo(zone_name)
    start = dt.datetime.combine(first, dt.time(), zone).astimezone(UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone).astimezone(UTC)
    return start, end
