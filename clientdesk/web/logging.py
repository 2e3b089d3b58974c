"""Keeps member data out of logs."""

from __future__ import annotations

import logging
import re

# Shapes of member identifiers and personal data that must never reach a log line.
_PATTERNS = [
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "[ssn]"),
    (re.compile(r"\b(?:member_id|person_id|subscriber_id)=\S+"), "[member-ref]"),
    # The book's own ids: P + 9 digits (person), W + 9 (subscriber), W + 11 (member).
    (re.compile(r"\b[MPW]\d{6,}\b"), "[member-ref]"),
    (re.compile(r"\b(19|20)\d{2}-\d{2}-\d{2}\b(?=.*\bbirth)", re.IGNORECASE), "[date]"),
]


class NoMemberDataFilter(logging.Filter):
    """Masks member identifiers in every record, and drops request bodies from error logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for pattern, replacement in _PATTERNS:
            message = pattern.sub(replacement, message)
        record.msg = message
        record.args = None
        if hasattr(record, "request"):
            # Django attaches the request to error records; its POST data may hold member data.
            record.request = None
        return True
