"""The public pages' rate limit, counted once for the whole site rather than per process.

`clientdesk serve` runs several gunicorn workers: a count kept in each process's memory let
an address make the limit's worth of requests in every worker. The count of an address in a
minute is shared:

- with a cache named ``surveys`` in ``CACHES`` (Redis or Memcached, whose increment is
  atomic), there, for a site on several hosts;
- otherwise in files under ``DATA_DIR/cache/survey-rate/<minute>/``: each request appends
  one byte to its address's file (an append is atomic between processes) and the file's size
  is the count. The file is named by a keyed hash of the address, so no address is written
  down; minutes before the last are removed as a new minute starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

CACHE_ALIAS = "surveys"
_FOLDER = ("cache", "survey-rate")


def _folder() -> Path:
    return Path(settings.DATA_DIR).joinpath(*_FOLDER)


def _name(client: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"surveys.rate:" + client.encode(), hashlib.sha256).hexdigest()[:40]


def count_request(client: str, now: dt.datetime) -> int:
    """Count one request of `client` (an address) in the minute of `now`; answers how many
    it has made this minute, in every process of the site."""
    minute = int(now.timestamp() // 60)
    if CACHE_ALIAS in settings.CACHES:
        cache = caches[CACHE_ALIAS]
        key = f"surveys:rate:{_name(client)}:{minute}"
        cache.add(key, 0, timeout=120)
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=120)
            return 1
    root = _folder()
    folder = root / str(minute)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _sweep(root, minute)
    fd = os.open(folder / _name(client), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, b".")
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _sweep(root: Path, minute: int) -> None:
    """Remove the minutes before the last (another process may be sweeping too)."""
    for old in root.iterdir():
        if old.name.isdigit() and int(old.name) < minute - 1:
            shutil.rmtree(old, ignore_errors=True)


def forget_counts() -> None:
    """Every count gone (the tests: each starts with none)."""
    if CACHE_ALIAS in settings.CACHES:
        caches[CACHE_ALIAS].clear()
    shutil.rmtree(_folder(), ignore_errors=True)
