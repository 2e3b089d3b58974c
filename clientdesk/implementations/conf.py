"""The implementations settings read from the environment (documented in
docs/configuration.md). Module attributes, read when a rule runs, so tests can change them."""

from __future__ import annotations

from clientdesk.conf import env_int

SURVEY_AFTER_DAYS = env_int(
    "CLIENTDESK_IMPLEMENTATION_SURVEY_DAYS",
    30,
    "Days after an implementation's go-live that the daily clock sends the sponsor's contacts "
    "the implementation survey (a plan may set its own).",
)
