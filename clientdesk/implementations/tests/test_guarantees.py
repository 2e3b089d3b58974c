"""Implementation guarantees: the guarantees app's library defines them and evaluates them
like every other guarantee; this app counts their events through lib/guarantee_events.py.
Every expected value is counted by hand in the comments (business days on the US federal
calendar: Veterans Day Nov 11, Thanksgiving Nov 26 and Labor Day Sep 7, 2026 are off)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clientdesk.accounts.models import Account
from clientdesk.guarantees.actions import do_create_guarantee
from clientdesk.guarantees.evaluation import ResultValues, evaluate
from clientdesk.guarantees.library import template
from clientdesk.guarantees.models import Guarantee
from clientdesk.implementations.actions import (
    do_approve,
    do_create_implementation,
    do_go_live,
    do_import_plan,
    do_update_task,
)
from clientdesk.implementations.guarantee_events import id_card_events, milestone_events
from clientdesk.implementations.models import Implementation, Task
from clientdesk.implementations.plan_files import read_csv
from clientdesk.lib.guarantee_events import GUARANTEE_EVENTS
from clientdesk.testing import Cast

TODAY = dt.date(2026, 12, 7)
# Forward pass: 1 [0,1); 2 [1,3); 3 [3,6); go-live 10 days after 3 ends: offset 16, the
# effective date. 16 business days back from Tue Dec 1, 2026: 15 Nov 30, 14 Nov 27, 13 Nov 25
# (26 is Thanksgiving), 12 Nov 24, 11 Nov 23, 10 Nov 20, 9 Nov 19, 8 Nov 18, 7 Nov 17, 6 Nov
# 16, 5 Nov 13, 4 Nov 12, 3 Nov 10 (11 is Veterans Day), 2 Nov 9, 1 Nov 6, 0 Nov 5. So the
# load (2) is due Nov 9, the ID cards (3) Nov 13 and the go-live Dec 1.
# Effective Thu Oct 1: 15 Sep 30, 14 Sep 29, 13 Sep 28, 12 Sep 25, 11 Sep 24, 10 Sep 23,
# 9 Sep 22, 8 Sep 21, 7 Sep 18, 6 Sep 17, 5 Sep 16, 4 Sep 15, 3 Sep 14, 2 Sep 11, 1 Sep 10:
# the load is due Sep 11, the ID cards Sep 16, the go-live Oct 1.
PLAN = b"""ID,Name,Duration,Predecessors,Owner team,Kind
1,Kickoff,1,,Client management,task
2,Production eligibility load,2,1,Eligibility,eligibility_load
3,ID cards mailed,3,2,Fulfillment,id_cards
4,Go-live,0,3FS+10,Client management,go_live
"""


def _plan(account: Account, effective: dt.date, cast: Cast, *, approve: bool = True) -> Any:
    plan = do_create_implementation(
        account,
        name=f"{account.name} {effective}",
        kind="new_product",
        effective_date=effective,
        template=None,
        acting_user=cast.mia,
    )
    plan = do_import_plan(plan, read_csv(PLAN), filename="plan.csv", acting_user=cast.mia)
    if approve:
        plan = do_approve(
            plan, now=dt.datetime(2026, 9, 1, 15, tzinfo=dt.UTC), acting_user=cast.mia
        )
    return plan


def _done(plan: Implementation, ref: str, on: dt.date, cast: Cast) -> None:
    task = Task.objects.get(implementation=plan, ref=ref)
    do_update_task(task, {"status": "done", "actual_finish": on}, today=on, acting_user=cast.mia)


@pytest.fixture
def plans(cast: Cast) -> dict[str, Implementation]:
    december = _plan(cast.acme, dt.date(2026, 12, 1), cast)
    _done(december, "2", dt.date(2026, 11, 9), cast)  # on its day
    _done(december, "3", dt.date(2026, 11, 17), cast)  # 2 business days late (12, 13)
    do_go_live(december, on=dt.date(2026, 12, 1), acting_user=cast.mia)
    october = _plan(cast.acme, dt.date(2026, 10, 1), cast)
    _done(october, "3", dt.date(2026, 9, 14), cast)  # early; the load (2) never marked done
    draft = _plan(cast.acme, dt.date(2026, 11, 2), cast, approve=False)  # not counted
    later = _plan(cast.acme, dt.date(2027, 1, 4), cast)  # effective after today
    other = _plan(cast.bayside, dt.date(2026, 12, 1), cast)  # another account
    return {
        "december": december,
        "october": october,
        "draft": draft,
        "later": later,
        "other": other,
    }


def _guarantee(cast: Cast, code: str, **extra: Any) -> Guarantee:
    data = template(code).guarantee_data(cast.acme_contract) | {
        "measure_from": dt.date(2026, 7, 1),
        "measure_to": dt.date(2026, 12, 31),
        **extra,
    }
    return do_create_guarantee(cast.acme_contract, data, acting_user=cast.mia)


def _settlement(values: list[ResultValues], g: Guarantee) -> ResultValues:
    return next(v for v in values if v.guarantee.pk == g.pk and v.kind == "settlement")


def test_the_baseline_is_the_hand_counted_schedule(plans: dict[str, Implementation]) -> None:
    assert plans["december"].baseline["2"][1] == "2026-11-09"
    assert plans["december"].baseline["3"][1] == "2026-11-13"
    assert plans["december"].baseline["4"][1] == "2026-12-01"
    assert plans["october"].baseline["2"][1] == "2026-09-11"
    assert plans["october"].baseline["3"][1] == "2026-09-16"


def test_id_card_events_count_business_days_before_the_effective_date(
    cast: Cast, plans: dict[str, Implementation]
) -> None:
    # December: mailed Tue Nov 17; business days Nov 17 .. Nov 30 = 17, 18, 19, 20, 23, 24,
    # 25, 27, 30 = 9 (< 10, missed). October: mailed Mon Sep 14; Sep 14-18, 21-25, 28-30 = 13.
    events = id_card_events([cast.acme.pk], dt.date(2026, 7, 1), dt.date(2026, 12, 31), 10, TODAY)
    assert sorted((e.day, e.met, e.events) for e in events) == [
        (dt.date(2026, 10, 1), 1.0, 1.0),
        (dt.date(2026, 12, 1), 0.0, 1.0),
    ]
    assert "mailed 2026-11-17, 9 business days before 2026-12-01" in " ".join(
        e.detail for e in events
    )
    # Nine days asked: both met. Every account (None): Bayside's plan (cards not mailed) too.
    loose = id_card_events([cast.acme.pk], dt.date(2026, 7, 1), dt.date(2026, 12, 31), 9, TODAY)
    assert [e.met for e in loose] == [1.0, 1.0]
    book = id_card_events(None, dt.date(2026, 7, 1), dt.date(2026, 12, 31), 10, TODAY)
    assert sorted(e.met for e in book) == [0.0, 0.0, 1.0]


def test_implementation_guarantees_are_evaluated_like_every_other(
    cast: Cast, plans: dict[str, Implementation]
) -> None:
    cards = _guarantee(cast, "implementation_id_cards_10")
    cards_9 = _guarantee(cast, "implementation_id_cards_10", threshold=9, label="ID cards, 9 days")
    milestones = _guarantee(cast, "implementation_milestones")
    values = evaluate([cast.acme], today=TODAY)
    # ID cards: 1 of 2 implementations (October met, December 9 days) = 50 %; target 100:
    # missed, the fixed $7,500 owed.
    row = _settlement(values, cards)
    assert (row.numerator, row.denominator, row.actual) == (Decimal(1), Decimal(2), Decimal(50))
    assert row.met is False
    assert row.penalty == Decimal("7500.00")
    assert row.evidence["feed"] == "events"
    assert len(row.evidence["events"]) == 2
    # Nine business days asked: both met, nothing owed.
    row = _settlement(values, cards_9)
    assert (row.actual, row.met, row.penalty) == (Decimal(100), True, Decimal("0.00"))
    # Milestones due Jul 1 - Dec 31 and come by Dec 7. December: load Nov 9 done Nov 9 (met),
    # ID cards Nov 13 done Nov 17 (missed), go-live Dec 1 done Dec 1 (met). October: load
    # Sep 11 never done (missed), ID cards Sep 16 done Sep 14 (met), go-live Oct 1 not done
    # (missed). 3 of 6 = 50 %. The Jan 4, 2027 plan's first milestone, the load, is due Fri
    # Dec 11 (offset 2; Jan 1 and Dec 25 off), after today: none of it counted.
    row = _settlement(values, milestones)
    assert (row.numerator, row.denominator, row.actual) == (Decimal(3), Decimal(6), Decimal(50))
    assert row.met is False


def test_no_counter_registered_means_no_data(cast: Cast, plans: dict[str, Implementation]) -> None:
    cards = _guarantee(cast, "implementation_id_cards_10")
    counter = GUARANTEE_EVENTS.get("implementation_id_cards")
    assert counter is not None
    GUARANTEE_EVENTS.unregister("implementation_id_cards")
    try:
        row = _settlement(evaluate([cast.acme], today=TODAY), cards)
    finally:
        GUARANTEE_EVENTS.register("implementation_id_cards", counter)
    assert (row.actual, row.met, row.status) == (None, None, "no_data")


def test_milestone_events_for_every_account_hold_bayside_too(
    cast: Cast, plans: dict[str, Implementation]
) -> None:
    # Bayside's December plan (Pacific, same federal calendar): load due Nov 9 and ID cards
    # due Nov 13 not done (missed); go-live Dec 1 not done (missed): 3 events, none met.
    events = milestone_events(
        [cast.bayside.pk], dt.date(2026, 7, 1), dt.date(2026, 12, 31), None, TODAY
    )
    assert [(e.day, e.met) for e in events] == [
        (dt.date(2026, 11, 9), 0.0),
        (dt.date(2026, 11, 13), 0.0),
        (dt.date(2026, 12, 1), 0.0),
    ]


def test_the_stewardship_deck_states_the_implementations(
    cast: Cast, plans: dict[str, Implementation]
) -> None:
    from types import SimpleNamespace

    from clientdesk.reports.stewardship import implementation_section

    # Acme is not in its first year (effective 2019): its plans still being installed or in
    # hypercare. December went live Dec 1 (2, 3 and the go-live done: 3 of 4); hypercare is
    # the 90 days after, to Mar 1, 2027 (30 days of December + 31 + 28 + 1). The Jan 4 plan
    # starts Wed Dec 9 (offset 0): nothing due by Mon Dec 7, on plan.
    context: Any = SimpleNamespace(account=cast.acme, today=TODAY)
    section = implementation_section(context)
    assert section is not None
    names = [row[0] for row in section.tables[0].rows]
    assert names == [p.name for p in (plans["october"], plans["draft"], plans["december"])] + [
        plans["later"].name
    ]
    december = next(b for b in section.bullets if b.startswith(plans["december"].name))
    assert december.endswith(
        "live since Dec 1, 2026 (3 of 4 tasks done); hypercare watch until Mar 1, 2027."
    )
    later = next(b for b in section.bullets if b.startswith(plans["later"].name))
    assert "effective Jan 4, 2027, approved (baseline saved); 0 of 4 tasks done" in later
    assert later.endswith("on plan for the effective date.")
    row = section.tables[0].rows[names.index(plans["december"].name)]
    assert row[3:] == [3, 4, None, 0, dt.date(2027, 3, 1)]
    # After hypercare and with every plan closed or live long ago, nothing to state.
    late: Any = SimpleNamespace(account=cast.acme, today=dt.date(2027, 6, 1))
    Implementation.objects.filter(account=cast.acme).exclude(pk=plans["december"].pk).update(
        status="closed"
    )
    assert implementation_section(late) is None
