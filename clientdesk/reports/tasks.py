"""Background tasks (django-tasks): the web pages enqueue, `clientdesk db_worker` runs them
(the database queue; tests use the immediate backend)."""

from __future__ import annotations

from django_tasks import task

from clientdesk.reports.runs import execute_run


@task()
def run_report(run_id: int) -> str:
    run = execute_run(run_id)
    return str(run.status)


def enqueue_run(run_id: int) -> str:
    """Queue the run; returns the task id (kept on the run for the admin)."""
    result = run_report.enqueue(run_id)
    return str(result.id)
