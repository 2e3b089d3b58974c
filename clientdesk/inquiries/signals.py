"""Keeping the per-day SLA outcome counts right when a user is deleted.

SLA events keep the owner accountable at the time; deleting that user sets the events' owner
to nobody (SET_NULL), which moves their outcomes from the user's row to "nobody" in "% met".
The days those outcomes fall on are recounted in the deleting transaction, as for any other
change of the events (users are normally deactivated, not deleted; this keeps it right when
an admin deletes one).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, pre_delete

from clientdesk.inquiries.models import OUTCOME_KINDS, SlaEvent
from clientdesk.inquiries.sla import outcome_days, rebuild_outcome_days

_DAYS = "_sla_outcome_days"


def remember_outcome_days(sender: Any, instance: Any, **kwargs: Any) -> None:
    moments = SlaEvent.objects.filter(
        owner_id=instance.pk, kind__in=OUTCOME_KINDS, superseded_at__isnull=True
    ).values_list("occurred_at", flat=True)
    setattr(instance, _DAYS, outcome_days(moments))


def recount_outcome_days(sender: Any, instance: Any, **kwargs: Any) -> None:
    days = getattr(instance, _DAYS, None)
    if days:
        rebuild_outcome_days(days)


def connect() -> None:
    user_model = get_user_model()
    pre_delete.connect(remember_outcome_days, sender=user_model, dispatch_uid="inq-outcome-days")
    post_delete.connect(recount_outcome_days, sender=user_model, dispatch_uid="inq-outcome-days")
