"""Starting the report worker (`clientdesk db_worker`, django-tasks' database queue) beside a
server: `clientdesk serve` calls this; so can any command that serves pages."""

from __future__ import annotations

import subprocess

from clientdesk.lib.processes import start_child


def start_report_worker() -> subprocess.Popen[bytes]:
    """A `db_worker` child process that runs queued report runs and ends with this process
    (also after this process replaces itself with gunicorn by exec)."""
    return start_child("db_worker", "--no-reload", "--interval", "1")
