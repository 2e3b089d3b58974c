"""The survey settings read from the environment (documented in docs/configuration.md).

Module attributes, read when a rule runs, so tests can change them with monkeypatch.
"""

from __future__ import annotations

from clientdesk.conf import env_int, env_str

THROTTLE_DAYS = env_int(
    "CLIENTDESK_SURVEY_THROTTLE_DAYS",
    90,
    "No person is sent a survey (any survey) more than once in this many days.",
)
EXPIRY_DAYS = env_int(
    "CLIENTDESK_SURVEY_EXPIRY_DAYS", 21, "Days a survey link stays open after it is sent."
)
REMINDER_DAYS = env_int(
    "CLIENTDESK_SURVEY_REMINDER_DAYS",
    7,
    "Days after the invitation that the one reminder goes to those who have not finished.",
)
FOLLOW_UP_BUSINESS_DAYS = env_int(
    "CLIENTDESK_SURVEY_FOLLOW_UP_DAYS",
    2,
    "Business days the account owner has to call back a detractor.",
)
PUBLIC_RATE_LIMIT = env_int(
    "CLIENTDESK_SURVEY_RATE_LIMIT",
    60,
    "Requests a minute one address may make to the public survey pages.",
)
BASE_URL = env_str(
    "CLIENTDESK_BASE_URL",
    "http://127.0.0.1:8000",
    "Address of the site, used for links in notification mail.",
)
