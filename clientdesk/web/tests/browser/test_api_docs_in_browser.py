"""The API's docs page in a real browser: Swagger UI reads the whole OpenAPI document and draws
every operation, or refuses the document and draws none (it did: a status stated twice)."""

from __future__ import annotations

import pytest

from .conftest import skip_or_fail_without

with skip_or_fail_without("the playwright package (uv sync installs the dev group)"):
    from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_docs_page_draws_every_operation(page: Page) -> None:
    page.goto("/api/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=15_000)
    expect(page.locator(".errors-wrapper")).to_have_count(0)
    document = page.request.get("/api/openapi.json").json()
    stated = sum(len(methods) for methods in document["paths"].values())
    assert operations.count() == stated > 100
