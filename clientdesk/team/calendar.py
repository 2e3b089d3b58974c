"""A person's calendar as an iCalendar feed: weekly shifts, approved time off, training due."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from icalendar import Calendar, Event, vRecur

from clientdesk.team.models import RequestStatus, Shift, TimeOffRequest, TrainingAssignment

ZONE = "America/New_York"
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def person_calendar(user: User, today: dt.date) -> bytes:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(ZONE)
    cal = Calendar()
    cal.add("prodid", "-//clientdesk//team//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{user.get_full_name() or user.get_username()} · clientdesk")
    monday = today - dt.timedelta(days=today.weekday())
    for shift in Shift.objects.filter(user=user):
        day = monday + dt.timedelta(days=shift.weekday)
        event = Event()
        event.add("uid", f"shift-{shift.pk}@clientdesk")
        event.add("summary", "Onsite shift" if shift.onsite else "Shift")
        event.add("dtstart", dt.datetime.combine(day, shift.starts, tzinfo=zone))
        event.add("dtend", dt.datetime.combine(day, shift.ends, tzinfo=zone))
        event.add("rrule", vRecur(freq="weekly", byday=DAYS[shift.weekday]))
        cal.add_component(event)
    for request in TimeOffRequest.objects.filter(
        user=user, status=RequestStatus.APPROVED
    ).select_related("kind"):
        event = Event()
        event.add("uid", f"time-off-{request.pk}@clientdesk")
        event.add("summary", f"Out: {request.kind.name}")
        event.add("dtstart", request.first_day)
        event.add("dtend", request.last_day + dt.timedelta(days=1))
        cal.add_component(event)
    for assignment in TrainingAssignment.objects.filter(
        user=user, completed_on=None
    ).select_related("course"):
        event = Event()
        event.add("uid", f"training-{assignment.pk}@clientdesk")
        event.add("summary", f"Training due: {assignment.course.title}")
        event.add("dtstart", assignment.due_on)
        event.add("dtend", assignment.due_on + dt.timedelta(days=1))
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
