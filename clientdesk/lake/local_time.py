"""Account-local days in lake queries: the zone table's rule as Ibis expressions.

A lake timestamp is UTC; a record belongs to its account's local day (an evening call in
Seattle is on Seattle's day, not the next UTC day). `zone_rows` puts the accounts' zone table
(`clientdesk.lib.local_time`) in memory for a query, `with_local_day` joins records to it and
dates them. Guarantees, issue series and survey reports date records this one way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from clientdesk.lib.local_time import DAY_SECONDS, windows_within, zone_table
from clientdesk.lib.periods import epoch_day

UTC_TIMESTAMP = dtypes.Timestamp(timezone="UTC")


# Microseconds since the epoch, without any time-zone conversion: DuckDB's epoch_us and
# Spark's unix_micros (Ibis calls the engine's own function by name; the bodies never run).
@ibis.udf.scalar.builtin(name="epoch_us", signature=((UTC_TIMESTAMP,), dtypes.int64))  # type: ignore[untyped-decorator]
def _duckdb_epoch_us(moment: ir.TimestampValue) -> ir.IntegerValue: ...


@ibis.udf.scalar.builtin(name="unix_micros", signature=((UTC_TIMESTAMP,), dtypes.int64))  # type: ignore[untyped-decorator]
def _spark_unix_micros(moment: ir.TimestampValue) -> ir.IntegerValue: ...


def epoch_seconds(column: ir.TimestampValue) -> ir.IntegerValue:
    """Whole seconds since 1970-01-01 UTC.

    Ibis's portable `epoch_seconds()` first casts a zoned timestamp to a naive one, which
    DuckDB does through its time-zone library (about half the cost of a whole guarantee query
    on 15 M calls); the engines' own microsecond functions need no conversion."""
    function = (
        _spark_unix_micros if ibis.get_backend(column).name == "pyspark" else _duckdb_epoch_us
    )
    micros: ir.IntegerValue = function(column)
    return (micros // 1_000_000).cast("int64")


def zone_rows(account_zones: Mapping[int, str], first: dt.date, last: dt.date) -> ir.Table:
    """The zone table of the accounts (id -> IANA zone), in memory, with the daylight windows
    of instants a day either side of first..last: what `local_days` needs for first..last."""
    table = zone_table(account_zones, first, last)
    low, high = (epoch_day(first) - 1) * DAY_SECONDS, (epoch_day(last) + 2) * DAY_SECONDS
    return ibis.memtable(windows_within(table, low, high))


def with_local_day(table: ir.Table, seconds: str, zones: ir.Table) -> ir.Table:
    """The table joined to its accounts' zone rows, with `day`: the account-local date (epoch
    days) of the instant in column `seconds` (epoch seconds). Grain: the table's."""
    joined = table.join(zones, table.account_id == zones.account_id)
    windows = sum(1 for name in zones.columns if name.endswith("_from"))
    moment = joined[seconds]
    daylight: ir.BooleanValue = ibis.literal(False)
    for i in range(windows):
        daylight = daylight | ((moment >= joined[f"w{i}_from"]) & (moment < joined[f"w{i}_to"]))
    offset = daylight.ifelse(joined.dst_offset, joined.std_offset)
    return joined.mutate(day=((moment + offset) // DAY_SECONDS).cast("int64"))


def local_days(
    table: ir.Table, moment: ir.TimestampValue, zones: ir.Table, first_day: int, last_day: int
) -> ir.Table:
    """Records whose account-local date of `moment` (a timestamp of `table`) is in
    first_day..last_day (epoch days), with that date in `day`. Grain: the table's."""
    seconds = epoch_seconds(moment)
    # A day either side in UTC covers every zone's offset; the local day decides.
    t = table.mutate(_seconds=seconds).filter(
        [seconds >= (first_day - 1) * DAY_SECONDS, seconds < (last_day + 2) * DAY_SECONDS]
    )
    local = with_local_day(t, "_seconds", zones)
    return local.filter([local.day >= first_day, local.day <= last_day])
