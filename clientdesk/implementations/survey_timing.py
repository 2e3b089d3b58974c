"""When an implementation's survey is due: N days after go-live (the plan's own N, else the
setting), once. Pure functions of dates.

Thirty days by default (our choice: the domain notes give no standard): the first month's
claims have paid and ID cards are in use, so the sponsor judges the installation on what
happened, and a low score still comes inside the 90 days of hypercare. A survey that could
not go out on its day (the clock stopped, no contact with an address yet) is still sent for
``GRACE_DAYS`` after, never later: a question about the installation asked months on is
about something else.
"""

from __future__ import annotations

import datetime as dt

from clientdesk.implementations import conf

GRACE_DAYS = 30


def after_days(own: int | None) -> int:
    """Days after go-live the survey goes: the plan's own, else the setting."""
    return conf.SURVEY_AFTER_DAYS if own is None else own


def survey_due_on(went_live_on: dt.date, after_days: int) -> dt.date:
    return went_live_on + dt.timedelta(days=after_days)


def survey_is_due(
    went_live_on: dt.date | None,
    after_days: int,
    sent_at: dt.datetime | None,
    today: dt.date,
) -> bool:
    """Whether the clock sends it today: live, not sent yet, due by today and not past the
    grace days."""
    if went_live_on is None or sent_at is not None:
        return False
    due = survey_due_on(went_live_on, after_days)
    return due <= today < due + dt.timedelta(days=GRACE_DAYS)
