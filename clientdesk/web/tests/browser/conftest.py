"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser per test session (per xdist worker), a fresh context (cookies, storage) per test.
Playwright downloads no browser here: it launches /usr/bin/chromium (`make browser` installs it).
Without it the tests skip, unless CLIENTDESK_REQUIRE_BROWSER is true, where they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import get_resolver
from playwright.sync_api import ViewportSize

from clientdesk.conf import BASE_DIR
from clientdesk.testing import Cast, make_cast

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium dials out at start, and this closed network
# refuses those connections (slow starts, stray console errors).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
SCREENSHOTS = BASE_DIR / "var" / "screenshots"
"""What the browser tests saw, to look at after a run (the README's pictures come from the
demo instead: docs/screenshots/take.py)."""
SCREENSHOT_LIMIT = 400_000  # bytes: a page that large has run away

# Reports every CSP violation as a console error, with the directive, even where Chromium's own
# console message would be terse. Init scripts are injected by the browser, outside the CSP.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def _browser_required() -> bool:
    """CI sets CLIENTDESK_REQUIRE_BROWSER=true so that a missing browser fails, never skips."""
    raw = os.environ.get("CLIENTDESK_REQUIRE_BROWSER", "")
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _unavailable(reason: str, *, module: bool = False) -> NoReturn:
    if _browser_required():
        pytest.fail(f"{reason} (CLIENTDESK_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(reason, allow_module_level=module)


@contextmanager
def skip_or_fail_without(what: str) -> Iterator[None]:
    """Wraps a test module's browser imports: skip the module (or fail) when they are missing."""
    try:
        yield
    except ImportError:
        _unavailable(f"browser tests need {what}", module=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the browser tests, closed when they are done. Playwright's sync API
    runs an event loop in this thread while it is started, and Django refuses ORM calls from a
    thread with a running loop unless told that is fine (it is here: the tests are
    synchronous). The permission lasts as long as the browser, not the worker's whole session:
    the other tests of the worker keep Django's async-safety check (and `serve`'s deploy check,
    which refuses the variable, sees the environment of a real start)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
        from playwright.sync_api import sync_playwright
    before = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception as exc:  # a broken chromium install answers in many ways
        playwright.stop()
        _restore(ASYNC_UNSAFE, before)
        _unavailable(f"{CHROMIUM} would not start: {exc}".splitlines()[0])
    yield browser
    browser.close()
    playwright.stop()
    _restore(ASYNC_UNSAFE, before)


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of one test's pages, and failed sub-requests."""

    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect(self, fragment: str) -> None:
        """Allow one kind of error this test provokes on purpose (e.g. a 404 document)."""
        self.expected.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in self.expected)]

    def on_console(self, message: ConsoleMessage) -> None:
        url = message.location.get("url", "")
        # Chromium fetches /favicon.ico on its own, sometimes after the test is done; whether
        # its 404 gets logged is a race, so it is left out rather than made a flaky failure.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.errors.append(f"console: {message.text} ({url})")

    def on_request_failed(self, request: Request) -> None:
        # A request cut short by the next navigation is not an error of the page.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """The cast's seven users hash their passwords at every test; the real hasher takes ~0.3 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def browser_cast(transactional_db: None) -> Cast:
    """The named cast, committed where the live server's thread can see it."""
    return make_cast()


@pytest.fixture(scope="session")
def _url_map_loaded() -> None:
    """The live server imports the URL map (every app's views and API routers, with scipy,
    pandas and ibis behind them) at its first request: on a loaded 2-core machine that alone
    took 14 s, longer than a page may take. Import it once before the first page opens."""
    assert get_resolver().url_patterns


@pytest.fixture
def page(
    browser: Browser, live_server: Any, console: ConsoleLog, _url_map_loaded: None
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, viewport=VIEWPORT, device_scale_factor=1, locale="en-US"
    )
    context.set_default_timeout(5_000)
    context.add_init_script(_REPORT_CSP)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", lambda exc: console.errors.append(f"page error: {exc}"))
    page.on("requestfailed", console.on_request_failed)
    yield page
    context.close()
    unexpected = console.unexpected()
    if unexpected:
        pytest.fail("browser reported errors:\n" + "\n".join(unexpected), pytrace=False)


@pytest.fixture
def sign_in(page: Page, browser_cast: Cast, live_server: Any):  # type: ignore[no-untyped-def]
    """sign_in("eve") gives the page a signed-in session without going through the form.

    The login form itself is tested once (test_login_lands_on_home_with_my_accounts); elsewhere
    a session cookie made by Django's test client is enough and saves two page loads per test.
    """

    def _sign_in(name: str) -> Page:
        client = Client()
        client.force_login(browser_cast.users()[name])
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        return page

    return _sign_in


@pytest.fixture
def screenshot(page: Page):  # type: ignore[no-untyped-def]
    """screenshot("home") saves the full page, 1280 wide, to var/screenshots/home.png.

    The files are overwritten every run, so they always show the pages as they are now.
    """

    def _screenshot(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
        size = path.stat().st_size
        assert size < SCREENSHOT_LIMIT, f"{path.name} is {size:,} bytes"
        return path

    return _screenshot
