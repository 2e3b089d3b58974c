"""Coverage per account per day: gaps come from the schedules (shifts, onsite days),
attendance occurrences, leaving and starting dates and time off (approved, and asked), not
only from approved time off; an onsite team is never left empty without a warning.

The week of Mon Jan 11 - Fri Jan 15, 2027 (no holiday; Martin Luther King Day is Jan 18).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from clientdesk.team.actions import do_record_occurrence, do_request_time_off, do_set_schedule
from clientdesk.team.models import Person
from clientdesk.team.queries import account_coverage, coverage_gaps
from clientdesk.team.rules import (
    IF_APPROVED,
    NO_ONE_ONSITE,
    NO_ONE_WORKING,
    NO_ONSITE_SCHEDULE,
    Seat,
    coverage_day,
)
from clientdesk.team.tests.cast import team, vacation
from clientdesk.testing import Cast

MON, TUE, WED, THU, FRI = (dt.date(2027, 1, d) for d in range(11, 16))
EVERY_DAY_ONSITE = dict.fromkeys(range(5), True)


def test_a_day_is_covered_by_the_people_scheduled_and_present() -> None:
    dee = Seat("Dee", False, True, EVERY_DAY_ONSITE, dt.date(2020, 1, 6), left=WED)
    # Tuesday Dee, the only person placed at the sponsor, is there; she leaves on Wednesday:
    # from then on her onsite days are empty.
    assert coverage_day(TUE, True, [dee]).onsite == ["Dee"]
    wed = coverage_day(WED, True, [dee])
    assert (wed.out, wed.onsite, wed.warning) == (["Dee (left Jan 13, 2027)"], [], NO_ONE_ONSITE)
    # A newcomer placed there who starts on Thursday does not cover Wednesday.
    new = Seat("Noor", False, True, EVERY_DAY_ONSITE, THU)
    wed = coverage_day(WED, True, [dee, new])
    assert wed.out == ["Dee (left Jan 13, 2027)", "Noor (starts Jan 14, 2027)"]
    assert coverage_day(THU, True, [dee, new]).onsite == ["Noor"]
    # Someone placed at the sponsor with no shift at all: no day can be counted on.
    unscheduled = Seat("Uma", False, True, {}, dt.date(2020, 1, 6))
    assert coverage_day(MON, True, [unscheduled]).warning == NO_ONSITE_SCHEDULE
    # A lead who works Mondays to Thursdays leaves Fridays without the account team.
    lead = Seat("Lee", True, False, dict.fromkeys(range(4), False), dt.date(2020, 1, 6))
    assert coverage_day(THU, True, [lead]).in_ == ["Lee"]
    assert coverage_day(FRI, True, [lead]).warning == NO_ONE_WORKING
    # Closed days (holidays, weekends) warn of nothing.
    assert coverage_day(dt.date(2027, 1, 18), False, [lead]).warning == ""
    # Time off asked, not decided, that would empty the site is said before it is approved.
    asking = Seat("Ann", True, True, EVERY_DAY_ONSITE, dt.date(2020, 1, 6), pending=[(THU, THU)])
    thu = coverage_day(THU, True, [asking, lead])
    assert thu.warning == IF_APPROVED + "no one onsite at the sponsor"
    assert (thu.pending, thu.onsite, thu.in_) == (["Ann"], ["Ann"], ["Ann", "Lee"])
    # An absence is away like time off; two people sharing a name are two seats.
    twin = Seat("Ann", True, True, EVERY_DAY_ONSITE, dt.date(2020, 1, 6), away=[(TUE, TUE, "sick")])
    tue = coverage_day(TUE, True, [asking, twin])
    assert (tue.out, tue.onsite, tue.warning) == (["Ann (sick)"], ["Ann"], "")


def test_gaps_from_schedules_occurrences_and_time_off_asked(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    """Acme: alice (lead, placed onsite) works Mon-Fri, onsite Tuesdays and Thursdays; bob
    (backup, remote) Mon-Thu. Bayside: oscar (lead) has no schedule. No time off is approved
    (the old rule, which looked only at the accounts of people with approved time off,
    found no gap at all)."""
    people = team(cast)
    do_set_schedule(
        cast.alice,
        [{"weekday": d, "onsite": d in (1, 3)} for d in range(5)],
        acting_user=cast.mia,
    )
    do_set_schedule(cast.bob, [{"weekday": d} for d in range(4)], acting_user=cast.mia)
    # Tuesday alice is absent (unplanned): the site is empty. Wednesday bob is late: still in.
    do_record_occurrence(cast.alice, TUE, "absence", acting_user=cast.mia)
    do_record_occurrence(cast.bob, WED, "tardy", acting_user=cast.mia)
    # Thursday alice asks for a day off, not decided yet.
    do_request_time_off(cast.alice, vacation(), THU, THU, acting_user=cast.alice)

    days = {d.day: d for d in account_coverage(cast.acme, MON, 5)}
    assert (days[MON].in_, days[MON].onsite, days[MON].warning) == (
        ["Alice Owner", "Bob Teammate"],
        [],
        "",
    )
    assert days[TUE].out == ["Alice Owner (unplanned absence)"]
    assert (days[TUE].in_, days[TUE].warning) == (["Bob Teammate"], NO_ONE_ONSITE)
    assert days[WED].in_ == ["Alice Owner", "Bob Teammate"] and days[WED].warning == ""
    assert days[THU].onsite == ["Alice Owner"] and days[THU].pending == ["Alice Owner"]
    assert days[THU].warning == IF_APPROVED + "no one onsite at the sponsor"
    assert (days[FRI].in_, days[FRI].warning) == (["Alice Owner"], "")

    with django_assert_max_num_queries(8):  # the same for one account or every account
        mine = coverage_gaps(Person.objects.filter(manager=cast.mia), MON, 5)
    assert [(g.day.day, g.account.name, g.day.warning) for g in mine] == [
        (TUE, "Acme Steel Works", NO_ONE_ONSITE),
        (THU, "Acme Steel Works", IF_APPROVED + "no one onsite at the sponsor"),
    ]
    # Every team: Bayside's lead has no schedule, so every working day is a gap.
    with django_assert_max_num_queries(8):
        every = coverage_gaps(Person.objects.all(), MON, 5)
    bayside = [g.day.day for g in every if g.account == cast.bayside]
    assert bayside == [MON, TUE, WED, THU, FRI]
    assert {g.day.warning for g in every if g.account == cast.bayside} == {NO_ONE_WORKING}
    assert len(every) == 7 and people["oscar"].user == cast.oscar
