"""Collect the static files only when they changed: a server's start should not take minutes.

`collectstatic` with WhiteNoise's compressed manifest storage hashes every file and writes a
Brotli and a gzip copy of each, every time: about two minutes on this machine over the API
docs' 8 MB of Swagger and ReDoc, at every `clientdesk serve` or `clientdesk demo`. The collect
writes a fingerprint of its inputs into STATIC_ROOT; the next start compares and skips it when
nothing changed and every file the manifest names is still there.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command

# Written into STATIC_ROOT after a collect: the fingerprint of what was collected.
STATIC_STAMP = ".clientdesk-collected"


def static_fingerprint() -> str:
    """A digest of every static file the finders offer (name and content), of where and how they
    are stored, and of the compressor's version: what a collect's output depends on."""
    from whitenoise import compress

    digest = hashlib.sha256()
    for part in (
        f"brotli={compress.brotli_installed}",
        str(settings.STATIC_URL),
        str(settings.STORAGES["staticfiles"]["BACKEND"]),
        version("whitenoise"),
        version("Django"),
    ):
        digest.update(part.encode() + b"\0")
    found: dict[str, str] = {}
    for finder in get_finders():
        for name, storage in finder.list([]):
            prefixed = os.path.join(getattr(storage, "prefix", None) or "", name)
            found.setdefault(prefixed, storage.path(name))  # the first finder wins, as collected
    for prefixed, path in sorted(found.items()):
        digest.update(prefixed.encode() + b"\0")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


def collect_static_when_changed() -> bool:
    """Run collectstatic (hashing and Brotli/gzip compression: minutes over the API docs' 8 MB)
    only when the static files, or how they are stored, changed since the last collect into
    STATIC_ROOT. Answers whether it collected."""
    root = Path(settings.STATIC_ROOT)
    stamp = root / STATIC_STAMP
    fingerprint = static_fingerprint()
    manifest = root / "staticfiles.json"
    needs_manifest = "Manifest" in str(settings.STORAGES["staticfiles"]["BACKEND"])
    if stamp.is_file() and stamp.read_text().strip() == fingerprint:
        if not needs_manifest:
            return False
        if manifest.is_file():  # and every file it names is still there
            named = json.loads(manifest.read_text()).get("paths", {}).values()
            if all((root / name).is_file() for name in named):
                return False
    stamp.unlink(missing_ok=True)  # a collect that fails half way leaves no stamp
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n")
    return True
