"""The browser fixtures of clientdesk/web/tests/browser, for the utilization pages."""

from clientdesk.web.tests.browser.conftest import (  # noqa: F401  (fixtures, found by name)
    _fast_passwords,
    browser,
    browser_cast,
    console,
    page,
    sign_in,
)
