"""The inquiry settings read from the environment (documented in docs/configuration.md).

Module attributes, read when a rule runs, so tests can change them with monkeypatch.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from clientdesk.conf import env_int, env_str

BUSINESS_HOURS = env_str(
    "CLIENTDESK_BUSINESS_HOURS",
    "08:00-18:00",
    "Team opening hours on weekdays (HH:MM-HH:MM), in each account's own time zone.",
)
AT_RISK_PERCENT = env_int(
    "CLIENTDESK_SLA_AT_RISK_PERCENT",
    75,
    "Share of an SLA target (in business time) after which the clock is at risk.",
)
REASSIGN_AFTER_HOURS = env_int(
    "CLIENTDESK_SLA_REASSIGN_AFTER_HOURS",
    4,
    "Business hours past a breach after which the inquiry is reassigned.",
)
ROUTING = env_str(
    "CLIENTDESK_INQUIRY_ROUTING",
    "least_loaded",
    "How a new inquiry without an owner is assigned unless its account has its own rule.",
)
ATTACHMENT_MAX_MB = env_int(
    "CLIENTDESK_ATTACHMENT_MAX_MB", 10, "Largest inquiry attachment accepted, in megabytes."
)
BASE_URL = env_str(
    "CLIENTDESK_BASE_URL",
    "http://127.0.0.1:8000",
    "Address of the site, used for links in notification mail.",
)

_HOURS = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class SlaRules:
    opens: dt.time
    closes: dt.time
    at_risk_fraction: float
    reassign_after: dt.timedelta


def parse_hours(text: str) -> tuple[dt.time, dt.time]:
    match = _HOURS.match(text.strip())
    if not match:
        raise ValueError(f"business hours {text!r}: write them as HH:MM-HH:MM, e.g. 08:00-18:00")
    opens = dt.time(int(match[1]), int(match[2]))
    closes = dt.time(int(match[3]), int(match[4]))
    if opens >= closes:
        raise ValueError(f"business hours {text!r}: the day must close after it opens")
    return opens, closes


def sla_rules() -> SlaRules:
    opens, closes = parse_hours(BUSINESS_HOURS)
    if not 1 <= AT_RISK_PERCENT <= 99:
        raise ValueError("CLIENTDESK_SLA_AT_RISK_PERCENT must be between 1 and 99")
    if REASSIGN_AFTER_HOURS < 0:
        raise ValueError("CLIENTDESK_SLA_REASSIGN_AFTER_HOURS must not be negative")
    return SlaRules(
        opens=opens,
        closes=closes,
        at_risk_fraction=AT_RISK_PERCENT / 100,
        reassign_after=dt.timedelta(hours=REASSIGN_AFTER_HOURS),
    )
