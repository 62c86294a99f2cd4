"""The shell's browser fixtures (one Chromium, contexts that reach only the live server)."""

from tandem.web.tests.browser.conftest import (
    _default_life_domains,
    _fresh_cache,
    _no_outage_remembered,
    browser,
    new_context,
    page,
    playwright,
)

__all__ = [
    "_default_life_domains",
    "_fresh_cache",
    "_no_outage_remembered",
    "browser",
    "new_context",
    "page",
    "playwright",
]
