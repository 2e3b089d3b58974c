"""A record's account-local day in a query, and the satisfied rule, on DuckDB."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from clientdesk.lake.local_time import local_days, zone_rows
from clientdesk.lake.marts.operations import SATISFIED_CSAT, satisfied
from clientdesk.lib.periods import epoch_day

ZONES = {1: "America/New_York", 2: "America/Phoenix"}
MARCH_31, APRIL_1 = dt.date(2025, 3, 31), dt.date(2025, 4, 1)


def test_zone_rows_keep_only_the_daylight_windows_near_the_days() -> None:
    rows = zone_rows(ZONES, MARCH_31, APRIL_1).execute().to_dict("records")
    # 2024-2026 are tabled; only 2025's window (New York: 2025-03-09 07:00 UTC to
    # 2025-11-02 06:00 UTC; Phoenix keeps none) overlaps Mar 30 .. Apr 3 UTC.
    new_york = {"std_offset": -18_000, "dst_offset": -14_400}
    phoenix = {"std_offset": -25_200, "dst_offset": -25_200}
    assert rows == [
        {"account_id": 1, **new_york, "w0_from": 1_741_503_600, "w0_to": 1_762_063_200},
        {"account_id": 2, **phoenix, "w0_from": 0, "w0_to": 0},
    ]


def test_local_days_date_each_record_on_its_accounts_day() -> None:
    instants = [
        (1, 1_743_336_000),  # 2025-03-30 12:00 UTC: Mar 30 in New York, before the days
        (1, 1_743_479_999),  # 2025-04-01 03:59:59 UTC: still Mar 31 in New York (EDT)
        (1, 1_743_480_000),  # 04:00 UTC: Apr 1 in New York
        (2, 1_743_490_799),  # 06:59:59 UTC: still Mar 31 in Phoenix (MST all year)
        (2, 1_743_490_800),  # 07:00 UTC: Apr 1 in Phoenix
        (1, 1_743_566_399),  # 2025-04-02 03:59:59 UTC: Apr 1 23:59:59 in New York
        (1, 1_743_566_400),  # 04:00 UTC: Apr 2 in New York, after the days
        (3, 1_743_480_000),  # an account without a zone row is left out
    ]
    records = ibis.memtable(
        pd.DataFrame(
            {
                "account_id": [account for account, _ in instants],
                "at": pd.to_datetime([seconds for _, seconds in instants], unit="s", utc=True),
            }
        )
    )
    zones = zone_rows(ZONES, MARCH_31, APRIL_1)

    dated = local_days(records, records.at, zones, epoch_day(MARCH_31), epoch_day(APRIL_1))
    frame = dated.select("account_id", "day").order_by(["account_id", "day"]).execute()

    march_31, april_1 = 20_178, 20_179  # days since 1970-01-01
    assert list(frame.itertuples(index=False, name=None)) == [
        (1, march_31),
        (1, april_1),
        (1, april_1),
        (2, march_31),
        (2, april_1),
    ]


def test_an_answer_is_satisfied_from_a_csat_of_four() -> None:
    answers = ibis.memtable(pd.DataFrame({"csat": pd.array([5, 4, 3, 1, None], dtype="Int64")}))
    flags = answers.select(flag=satisfied(answers.csat)).execute()["flag"].tolist()
    assert SATISFIED_CSAT == 4
    assert flags[:4] == [True, True, False, False]
    assert pd.isna(flags[4])  # no answer, no verdict: counts neither way
