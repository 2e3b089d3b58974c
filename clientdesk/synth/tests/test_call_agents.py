"""Every answered call names its agent: the sponsor line the account team (lead three calls in
four, backup the fourth, the demo's round-robin), the member line the service centre."""

from __future__ import annotations

import duckdb


def test_answered_calls_name_the_agent_by_the_documented_rule(
    small_db: duckdb.DuckDBPyConnection,
) -> None:
    rows = small_db.execute(
        "select cast(substr(call_id, 3, 4) as int) as account,"
        " cast(substr(call_id, 7) as int) as seq, queue, answered, agent_id"
        " from call_record"
    ).fetchall()
    assert rows
    team = [(a, s, agent) for a, s, q, answered, agent in rows if q == "sponsor_line" and answered]
    assert team
    for account, seq, agent in team:
        lead, backup = account % 8 + 1, (account + 3) % 8 + 1
        assert agent == f"CM{backup if seq % 4 == 3 else lead:02d}"
    centre = {agent for _, _, q, answered, agent in rows if q != "sponsor_line" and answered}
    assert centre and all(a.startswith("SC") and 1 <= int(a[2:]) <= 240 for a in centre)
    assert {agent for *_, answered, agent in rows if not answered} == {None}
