"""The interactive API docs load under the site's own CSP, from the site alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_the_schema_with_nothing_refused(page: Page) -> None:
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", note)
    page.goto("/api/v1/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Tandem API" in title.inner_text()
    # Each tag of operations is listed (the schema was fetched and read).
    assert page.locator(".opblock-tag-section").count() >= 5
    assert not problems, problems  # a CSP refusal is a console error
