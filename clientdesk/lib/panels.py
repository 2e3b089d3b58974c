"""The account page's tabs: each app says what it shows of one account, in these plain shapes,
and the account page lays out whatever is registered (the apps never import the page, and the
page imports none of them).

An app registers in its ``AppConfig.ready()``::

    ACCOUNT_TABS.register("guarantees.summary", GUARANTEES, guarantees_panel)

where ``guarantees_panel(user, account, now) -> Panel | None`` answers with a template of the
app's own and its context, or ``None`` when it has nothing for this reader. The page has
already checked that the reader may see the account (``access_account_by_id``) before any
builder runs, and runs only the builders of the tab being shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tab:
    """One tab of the account page: its key in the URL, its label, its place in the row."""

    key: str
    label: str
    order: int


# The tabs of DESIGN.md ("one account, one place"), in its order. A tab shows only when an
# installed app registers something in it for the reader.
OVERVIEW = Tab("overview", "Overview", 10)
PLAN = Tab("plan", "Plan", 20)
SERVICE = Tab("service", "Service", 30)
GUARANTEES = Tab("guarantees", "Guarantees", 40)
UTILIZATION = Tab("utilization", "Utilization", 50)
FINANCIALS = Tab("financials", "Financials", 60)
GROWTH = Tab("growth", "Growth", 70)
INSTALLATION = Tab("installation", "Installation", 80)
SURVEYS = Tab("surveys", "Surveys", 90)
DOCUMENTS = Tab("documents", "Documents", 100)
TIMELINE = Tab("timeline", "Timeline", 110)


@dataclass(frozen=True)
class Panel:
    """What one app shows in a tab: a template of its own and the context it needs. The page
    adds ``account``, ``can_write`` and ``can_manage`` to that context."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


# (user, account, now) -> Panel | None: the one signature of every account panel.
PanelBuilder = Callable[[Any, Any, dt.datetime], Panel | None]
Audience = Callable[[Any], bool]


def everyone(user: Any) -> bool:
    """The default audience: whoever may see the account sees the panel."""
    return True


@dataclass(frozen=True)
class Section:
    """One registered panel: which tab, where in it, who may see it, how it is built."""

    key: str
    tab: Tab
    order: int
    build: PanelBuilder
    shown_to: Audience


class AccountTabs:
    """The registry. Registering the same key again replaces the entry (``ready()`` may run
    twice in a test process); a tab key must always mean the same tab."""

    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(
        self,
        key: str,
        tab: Tab,
        build: PanelBuilder,
        *,
        order: int = 0,
        shown_to: Audience = everyone,
    ) -> None:
        for other in self._sections.values():
            if other.tab.key == tab.key and other.tab != tab:
                raise ValueError(f"tab {tab.key!r} is already registered as {other.tab}")
        self._sections[key] = Section(key, tab, order, build, shown_to)

    def unregister(self, key: str) -> None:
        self._sections.pop(key, None)

    def _sections_for(self, user: Any) -> list[Section]:
        shown = [s for s in self._sections.values() if s.shown_to(user)]
        return sorted(shown, key=lambda s: (s.tab.order, s.tab.key, s.order, s.key))

    def tabs_for(self, user: Any) -> list[Tab]:
        """The tabs with at least one panel for this reader, in order."""
        tabs: list[Tab] = []
        for section in self._sections_for(user):
            if not tabs or tabs[-1] != section.tab:
                tabs.append(section.tab)
        return tabs

    def tab_for(self, user: Any, key: str) -> Tab | None:
        """The tab of this key if the reader has it, else None (the page answers 404)."""
        return next((t for t in self.tabs_for(user) if t.key == key), None)

    def panels(self, user: Any, account: Any, now: dt.datetime, tab: Tab) -> list[Panel]:
        """The panels of one tab for this reader and account, built now, in order."""
        built = (s.build(user, account, now) for s in self._sections_for(user) if s.tab == tab)
        return [panel for panel in built if panel is not None]


ACCOUNT_TABS = AccountTabs()
