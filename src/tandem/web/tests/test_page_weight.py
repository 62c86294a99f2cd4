"""The shell ships under 60 KB of CSS and JavaScript to a page: fast on a cheap phone."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 60 * 1024


def _asset_bytes(html: str) -> int:
    urls = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', html)
    urls += re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert urls, "the page should load the shell's CSS and JS"
    total = 0
    for url in urls:
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"{url} is not a static file"
        with open(path, "rb") as handle:
            total += len(handle.read())
    return total


@pytest.mark.parametrize("path", ["/accounts/login/", "/crisis/", "/", "/account/"])
def test_css_and_js_per_page_stay_under_budget(
    client: Client, service_user: User, path: str
) -> None:
    if path in {"/", "/account/"}:
        login_client(client, service_user)
    html = client.get(path).content.decode()
    assert _asset_bytes(html) < BUDGET_BYTES
