"""Starting the report worker (`clientdesk db_worker`, django-tasks' database queue) beside a
server: `clientdesk serve` calls this; so can any command that serves pages."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent (the server) ends."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:  # not glibc Linux: the worker then outlives the server; stop it by hand
        pass


def start_report_worker() -> subprocess.Popen[bytes]:
    """A `db_worker` child process that runs queued report runs and ends with this process
    (also after this process replaces itself with gunicorn by exec)."""
    return subprocess.Popen(
        [sys.executable, "-m", "clientdesk.cli", "db_worker", "--no-reload", "--interval", "1"],
        preexec_fn=_end_with_parent,
    )
