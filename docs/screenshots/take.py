"""Take the README's screenshots from a running demo (`make demo`, then in another terminal
`.venv/bin/python docs/screenshots/take.py`). Uses Debian's chromium through Playwright, both
installed by `make test`.

Usage: take.py [--base http://127.0.0.1:8000] [--user manager]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "clientdesk-demo"  # noqa: S105  (the published demo password)
VIEWPORT = {"width": 1280, "height": 900}


def _first_link(page: Page, url: str, prefix: str) -> str:
    """The first link of a page's table that starts with `prefix`."""
    page.goto(url)
    return str(page.locator(f"table a[href^='{prefix}']").first.get_attribute("href"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="manager")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        account = _first_link(page, f"{base}/accounts/", "/accounts/")
        account_id = re.sub(r"\D", "", account)
        issue = _first_link(page, f"{base}/insights/issues/", "/insights/issues/")
        shots = {
            "demo-home": "/",
            "demo-account": account,
            "demo-inquiries": "/inquiries/dashboard/",
            "demo-utilization": f"/accounts/{account_id}/utilization/",
            "demo-guarantees": "/guarantees/",
            "demo-issue": issue,
        }
        for name, path in shots.items():
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(1000)  # charts draw after the page settles
            page.screenshot(path=str(HERE / f"{name}.png"), animations="disabled")
            print(f"{name}.png  {path}")
        browser.close()


if __name__ == "__main__":
    main()
