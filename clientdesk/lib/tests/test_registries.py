"""The call-to-action rules and account measures registries: order, replacement, lookups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from clientdesk.lib.calls import CallRule, CallRules, Cause
from clientdesk.lib.measures import AccountMeasures, Direction, Measure, Unit, Value


def _causes(now: dt.datetime) -> Iterable[Cause]:
    return [Cause(account_id=1, key="x", reason=f"seen {now:%Y-%m-%d}")]


def test_rules_are_kept_in_key_order_and_a_key_is_replaced() -> None:
    rules = CallRules()
    rules.register(CallRule("renewal", "Renewal", ("Plan it",), _causes))
    rules.register(CallRule("detractor", "Detractor", ("Call back",), _causes))
    rules.register(CallRule("renewal", "Renewal soon", ("Plan it", "Approve it"), _causes))
    assert [r.key for r in rules] == ["detractor", "renewal"]
    renewal = rules.get("renewal")
    assert renewal is not None and renewal.playbook == ("Plan it", "Approve it")
    [cause] = renewal.find(dt.datetime(2026, 12, 6, tzinfo=dt.UTC))
    assert cause.reason == "seen 2026-12-06"
    rules.unregister("renewal")
    assert len(rules) == 1 and rules.get("renewal") is None


def _halves(account_ids: Sequence[int], as_of: dt.date) -> Mapping[int, Value]:
    return {i: Value(i / 2, f"as of {as_of:%d %b}") for i in account_ids if i % 2 == 0}


def test_measures_answer_only_the_accounts_they_have_a_figure_for() -> None:
    measures = AccountMeasures()
    measures.register(Measure("zz", "Last", Unit.COUNT, Direction.LOWER, "test", _halves))
    measures.register(Measure("aa", "First", Unit.PERCENT, Direction.HIGHER, "test", _halves))
    assert measures.choices() == [("aa", "First"), ("zz", "Last")]
    first = measures.get("aa")
    assert first is not None
    assert first.compute([1, 2, 4], dt.date(2026, 12, 6)) == {
        2: Value(1.0, "as of 06 Dec"),
        4: Value(2.0, "as of 06 Dec"),
    }
