"""The utilization charts in a real browser: drawn, with tooltips and an export menu, and no CSP
report. (Here, beside the other browser tests, so that one browser serves the whole run.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from clientdesk.testing import Cast
from clientdesk.utilization.tests.fixture import load_fixture
from clientdesk.web.tests.browser.conftest import skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import expect

if TYPE_CHECKING:
    from clientdesk.web.tests.browser.conftest import ConsoleLog

pytestmark = pytest.mark.browser


def test_chart_tooltips_show_without_a_csp_violation(
    sign_in: Any, browser_cast: Cast, console: ConsoleLog, tmp_path: Path
) -> None:
    load_fixture(tmp_path)
    page = sign_in("alice")
    url = f"/accounts/{browser_cast.acme.pk}/utilization/?period=2025Q2&threshold=10000"
    page.goto(url, timeout=60_000)  # the first page builds the derived tables and the book
    chart = page.locator(".chart[data-spec='chart-categories'] svg.marks")
    expect(chart).to_be_visible(timeout=20_000)
    chart.scroll_into_view_if_needed()
    marks = chart.locator("path[role='graphics-symbol']")
    boxes = [marks.nth(i).bounding_box() for i in range(marks.count())]
    box = max((b for b in boxes if b), key=lambda b: b["width"] * b["height"])
    page.mouse.move(box["x"] + 1, box["y"] + 1)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_have_class("vg-tooltip visible light-theme")
    expect(tooltip).to_contain_text("$")
    # Styled by utilization.css, not by a <style> tag vega-tooltip would have inserted.
    assert page.locator("style#vega-tooltip-style").count() == 0
    assert tooltip.evaluate("e => getComputedStyle(e).position") == "fixed"
    assert console.unexpected() == []  # no CSP report (the page fixture fails on any, too)


def test_chart_export_links_wait_in_the_menu(
    sign_in: Any, browser_cast: Cast, console: ConsoleLog, tmp_path: Path
) -> None:
    load_fixture(tmp_path)
    page = sign_in("alice")
    page.goto(f"/accounts/{browser_cast.acme.pk}/utilization/?period=2025Q2", timeout=60_000)
    chart = page.locator(".chart[data-spec='chart-categories']")
    expect(chart.locator("svg.marks")).to_be_visible(timeout=20_000)
    save_png = chart.get_by_text("Save as PNG")
    expect(save_png).to_be_hidden()  # not spread under every chart
    chart.locator("summary").click()
    expect(save_png).to_be_visible()
    assert console.unexpected() == []
