"""Template context shared by every page: the navigation the user's roles allow.

The top bar follows the reader's work (DESIGN.md, "one account, one place"): Home · Accounts ·
Service · Performance · Reports, each group a menu of the pages the reader's roles open, and a
group only when it has something for them; admin items sit under the user menu.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe

from clientdesk.financials.access import can_see_margin
from clientdesk.growth.access import can_see_pipeline, works_accounts
from clientdesk.inquiries.access import can_manage_queues, can_see_dashboard
from clientdesk.insights.access import can_browse_issues
from clientdesk.lake.rejects import can_review_loads
from clientdesk.people.roles import Role, can_read_audit, primary_role, roles_of
from clientdesk.reports.access import can_run_portfolio
from clientdesk.surveys.access import reads_surveys
from clientdesk.team.access import has_own_records, manages_team, reads_team_aggregates
from clientdesk.utilization.access import can_see_book


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool = False


@dataclass(frozen=True)
class NavGroup:
    """A top-bar entry: one link alone, or a menu of several under a label."""

    label: str
    links: list[NavLink]
    menu: bool = True

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)

    @property
    def url(self) -> str:
        return self.links[0].url


def _link(label: str, url_name: str, here: tuple[str, str], *current_on: str) -> NavLink:
    """A link, current when the page's "app:url_name" starts with one of ``current_on``."""
    app, name = here
    page = f"{app}:{name}"
    return NavLink(label, reverse(url_name), any(page.startswith(c) for c in current_on))


def navigation_groups(user: Any, here: tuple[str, str]) -> list[NavGroup]:
    """The top bar for this reader on the page ``here`` ((app_name, url_name))."""
    roles = roles_of(user)
    sees_accounts = bool(roles - {Role.SERVICE_OPS, Role.SALES})
    groups = [NavGroup("Home", [_link("Home", "home", here, ":home")], menu=False)]
    if sees_accounts:
        accounts = _link("Accounts", "accounts:list", here, "accounts:")
        groups.append(NavGroup("Accounts", [accounts], menu=False))
    service: list[NavLink] = []
    if sees_accounts:
        service.append(
            _link(
                "Inquiries",
                "inquiries:mine",
                here,
                "inquiries:list",
                "inquiries:mine",
                "inquiries:detail",
                "inquiries:edit",
                "inquiries:create",
                "inquiries:export",
            )
        )
    if can_browse_issues(user):
        service.append(_link("Issues", "insights:issues", here, "insights:issue"))
    service.append(
        _link("Problems", "insights:problems", here, "insights:problem", "insights:action")
    )
    if sees_accounts:
        service.append(_link("Escalations", "inquiries:escalations", here, "inquiries:escalation"))
    if reads_surveys(user):
        service.append(_link("Surveys", "surveys:list", here, "surveys:"))
    if sees_accounts:
        service.append(_link("Installation", "implementations:board", here, "implementations:"))
    else:
        service.append(
            _link("Installation tasks", "implementations:tasks", here, "implementations:")
        )
    if can_see_dashboard(user):
        service.append(_link("Inquiry dashboard", "inquiries:dashboard", here, "inquiries:dash"))
    if can_manage_queues(user):
        service.append(_link("SLA policies", "inquiries:policies", here, "inquiries:polic"))
        service.append(
            _link("Routing", "inquiries:routing", here, "inquiries:routing", "inquiries:comp")
        )
    if sees_accounts:
        service.insert(0, _link("Calls to action", "strategy:calls", here, "strategy:call"))
    service.append(
        _link("Directives", "strategy:directives", here, "strategy:directive", "strategy:account_d")
    )
    groups.append(NavGroup("Service", service))
    performance: list[NavLink] = []
    if sees_accounts:
        performance.append(_link("Health", "strategy:portfolio", here, "strategy:portfolio"))
    if sees_accounts:
        performance.append(_link("Guarantees", "guarantees:portfolio", here, "guarantees:"))
    if can_see_book(user):
        performance.append(_link("Utilization", "utilization:book", here, "utilization:"))
    if can_see_margin(user):
        performance.append(_link("Financials", "financials:portfolio", here, "financials:"))
    if performance:
        groups.append(NavGroup("Performance", performance))
    growth = growth_links(user, here)
    if growth:
        groups.append(NavGroup("Growth", growth))
    team = team_links(user, here)
    if team:
        groups.append(NavGroup("Team", team))
    if can_run_portfolio(user):
        reports = _link("Reports", "reports:portfolio", here, "reports:")
        groups.append(NavGroup("Reports", [reports], menu=False))
    return groups


def team_links(user: Any, here: tuple[str, str]) -> list[NavLink]:
    """The team pages the reader opens: managers their team's, associates their own records,
    executives the figures; service operations none."""
    links: list[NavLink] = []
    if manages_team(user):
        links.append(_link("Roster", "team:roster", here, "team:roster", "team:person"))
        links.append(_link("Training", "team:matrix", here, "team:matrix", "team:course"))
        links.append(_link("Licenses", "team:licenses", here, "team:licenses"))
        links.append(_link("Time off", "team:time_off", here, "team:time_off"))
        links.append(_link("Recruiting", "team:recruiting", here, "team:recruit", "team:cand"))
    elif has_own_records(user):
        links.append(_link("My records", "team:me", here, "team:me", "team:assignment"))
        links.append(_link("Time off", "team:time_off", here, "team:time_off"))
    if reads_team_aggregates(user):
        links.append(_link("Team figures", "team:overview", here, "team:overview"))
    return links


def growth_links(user: Any, here: tuple[str, str]) -> list[NavLink]:
    """The growth pages the reader opens: sales sees the pipeline and its leads only."""
    links: list[NavLink] = []
    if can_see_pipeline(user):
        links.append(_link("Pipeline", "growth:pipeline", here, "growth:pipeline", "growth:opp"))
        links.append(_link("Leads", "growth:leads", here, "growth:lead"))
    if works_accounts(user):
        links.append(_link("RFPs", "growth:rfps", here, "growth:rfp"))
        links.append(_link("Answer library", "growth:library", here, "growth:library"))
        links.append(_link("Vendors", "growth:vendors", here, "growth:vendor"))
    return links


def user_menu(user: Any, here: tuple[str, str]) -> list[NavLink]:
    """What sits under the user's name: the audit trail, the lake's data loads and Django's
    admin, for their roles."""
    links: list[NavLink] = []
    if can_read_audit(user):
        links.append(_link("Audit trail", "audit:list", here, "audit:"))
    if can_review_loads(user):
        links.append(_link("Data loads", "loads:list", here, "loads:"))
    if Role.ADMIN in roles_of(user):
        links.append(_link("Two-factor sign-in", "mfa:users", here, "mfa:users"))
    if Role.ADMIN in roles_of(user) and user.is_staff:
        links.append(NavLink("Admin", reverse("admin:index")))
    return links


@dataclass(frozen=True)
class TopBar:
    """The top bar for one set of roles, staff flag and page, with its links' HTML."""

    groups: list[NavGroup]
    user_menu: list[NavLink]
    links_html: SafeString  # the <nav>'s groups and links (web/_top_bar_links.html)
    user_menu_html: SafeString  # the user menu's links, before Sign out


def _built_top_bar(user: Any, here: tuple[str, str]) -> TopBar:
    groups, menu = navigation_groups(user, here), user_menu(user, here)
    return TopBar(
        groups,
        menu,
        mark_safe(render_to_string("web/_top_bar_links.html", {"nav_groups": groups})),  # noqa: S308  (a template's autoescaped output)
        mark_safe(render_to_string("web/_user_menu_links.html", {"nav_user_menu": menu})),  # noqa: S308  (a template's autoescaped output)
    )


# The top bar, kept per process for each set of roles, staff flag and page, as data and as the
# HTML of its links: every access rule above reads the reader's roles alone (and user_menu the
# staff flag), and the links are reverse()d from the URL configuration, which a process does
# not change (its name and the script prefix are in the key for tests that swap them). Building
# it took 21 reverse() calls, about 1 CPU ms a page, and rendering its links in base.html some
# 70 template variables and 30 tags on every page, about 2 CPU ms (bench/page_cpu.py --floor).
_TOP_BARS: dict[tuple[Hashable, ...], TopBar] = {}
_TOP_BARS_LIMIT = 4096


def _top_bar(user: Any, here: tuple[str, str]) -> TopBar:
    key = (
        roles_of(user),
        bool(getattr(user, "is_staff", False)),
        here,
        get_script_prefix(),
        str(get_urlconf() or settings.ROOT_URLCONF),
    )
    bar = _TOP_BARS.get(key)
    if bar is None:
        bar = _built_top_bar(user, here)
        if len(_TOP_BARS) >= _TOP_BARS_LIMIT:
            _TOP_BARS.clear()
        _TOP_BARS[key] = bar
    return bar


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page rendered before authentication ran (a foreign Host header is refused by the
    # first middleware) has no request.user: it is an anonymous page then.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    role = primary_role(user)
    match = request.resolver_match
    here = (match.app_name, match.url_name or "") if match else ("", "")
    bar = _top_bar(user, here)
    return {
        "nav_groups": bar.groups,
        "nav_user_menu": bar.user_menu,
        "nav_links_html": bar.links_html,
        "nav_user_menu_html": bar.user_menu_html,
        "nav_role": role.value if role else "No role",
        "nav_sees_accounts": bool(roles - {Role.SERVICE_OPS, Role.SALES}),
    }
