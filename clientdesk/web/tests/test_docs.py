"""Docs and code check each other: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

from django.core.management import get_commands

from clientdesk.conf import BASE_DIR, ENV_VARS

OUR_APPS_PREFIX = "clientdesk."


def test_every_environment_variable_is_documented() -> None:
    doc = (BASE_DIR / "docs" / "configuration.md").read_text()
    missing = [name for name in ENV_VARS if f"`{name}`" not in doc]
    assert not missing, f"document these in docs/configuration.md: {missing}"
    assert len(ENV_VARS) >= 10


def test_every_clientdesk_command_is_in_the_readme() -> None:
    readme = (BASE_DIR / "README.md").read_text()
    ours = sorted(name for name, app in get_commands().items() if app.startswith(OUR_APPS_PREFIX))
    missing = [name for name in ours if f"clientdesk {name}" not in readme]
    assert not missing, f"document these commands in README.md: {missing}"


def test_directory_structure_names_every_app() -> None:
    doc = (BASE_DIR / "docs" / "directory-structure.md").read_text()
    apps = [p.name for p in Path(BASE_DIR / "clientdesk").iterdir() if (p / "apps.py").exists()]
    missing = [name for name in apps if f"`{name}/`" not in doc]
    assert not missing, f"describe these apps in docs/directory-structure.md: {missing}"
