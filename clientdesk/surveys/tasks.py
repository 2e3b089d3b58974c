"""Background tasks (django-tasks): the pages and the API queue a send's delivery, `clientdesk
db_worker` mails it (tests use the immediate backend)."""

from __future__ import annotations

from django_tasks import task

from clientdesk.surveys.actions import deliver_send


@task()
def deliver_survey_send(send_id: int) -> int:
    send = deliver_send(send_id)
    return send.invited


def enqueue_send(send_id: int) -> str:
    """Queue the delivery; returns the task id (kept on the send)."""
    result = deliver_survey_send.enqueue(send_id)
    return str(result.id)
