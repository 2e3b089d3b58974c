"""Helper processes that live and die with the server: the report worker and the clock."""

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
    except OSError:  # not glibc Linux: the child then outlives the server; stop it by hand
        pass


def start_child(*arguments: str) -> subprocess.Popen[bytes]:
    """`clientdesk <arguments>` as a child process that ends with this process (also after
    this process replaces itself with gunicorn by exec)."""
    return subprocess.Popen(  # noqa: S603  (our own command, arguments from our code)
        [sys.executable, "-m", "clientdesk.cli", *arguments], preexec_fn=_end_with_parent
    )
