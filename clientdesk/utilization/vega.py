"""The Vega, Vega-Lite and vega-embed bundle, from vl-convert-python, served from our origin.

Generated on first use (about 6 s) into DATA_DIR/utilization/ and kept there; nothing is
fetched from a CDN. Charts embed with `ast: true` (Vega's expression interpreter) so they
run under our `script-src 'self'` CSP without eval.
"""

from __future__ import annotations

import threading
from pathlib import Path

import vl_convert
from django.conf import settings

_lock = threading.Lock()
_bundle: dict[str, str] = {}  # generated once per process, written into each data dir


def bundle_path() -> Path:
    version = getattr(vl_convert, "__version__", "unknown")
    return Path(settings.DATA_DIR) / "utilization" / f"vega-bundle-{version}.js"


def vega_bundle() -> Path:
    """The bundle file, generated once."""
    path = bundle_path()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            if "js" not in _bundle:
                _bundle["js"] = vl_convert.javascript_bundle()  # type: ignore[call-arg]  # stub lacks the default
            tmp.write_text(_bundle["js"], encoding="utf-8")
            tmp.replace(path)
    return path
