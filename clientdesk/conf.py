"""Settings read from the environment, through small typed helpers.

Every variable read here is documented in docs/configuration.md; a test fails when one is not.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

ENV_VARS: dict[str, str] = {}  # name -> one-line meaning, filled by the helpers below


def env_str(name: str, default: str, meaning: str) -> str:
    ENV_VARS[name] = meaning
    return os.environ.get(name, default)


def env_bool(name: str, default: bool, meaning: str) -> bool:
    ENV_VARS[name] = meaning
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, meaning: str) -> int:
    ENV_VARS[name] = meaning
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str], meaning: str) -> list[str]:
    ENV_VARS[name] = meaning
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret_key(data_dir: Path) -> str:
    """A secret key generated once and kept under the data dir, for local use only."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
