"""A crawl of the demo portal as each kind of person: no page they can reach answers 5xx.

Starting at the home page, every same-site link on every page reached is followed with GET
(breadth first, bounded), as an anonymous visitor and as each demo person. It is the
"no 500 anywhere" check: a page that breaks in a state only the demo data reaches (a post
without a page, a person without a relationship...) fails here even if no one wrote a test
for that state.
"""

from __future__ import annotations

import io
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from tandem.accounts.models import User

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]+)"')
# Pages that end the visit or are not Tandem's own (Django admin is crawled separately by
# nobody: it is staff-only and Django's).
SKIP = ("/accounts/logout/", "/static/", "/media/", "/admin/", "/accounts/reauthenticate/")
MAX_PAGES = 250
DEMO_PEOPLE = [
    "sam@demo.tandem",
    "alex@demo.tandem",
    "pat@demo.tandem",
    "mo@demo.tandem",
    "fay@demo.tandem",
    "rita@demo.tandem",
    "ada@demo.tandem",
]


def _links(html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIP):
            continue
        found.append(url)
    return found


def crawl(client: Client, start: str = "/") -> dict[str, int]:
    """Visit up to MAX_PAGES pages reachable from ``start``; return each page's status."""
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.status_code
        content_type = response.headers.get("Content-Type", "")
        if response.status_code in {301, 302, 303, 307, 308}:
            queue.extend(_links(f'href="{response.headers["Location"]}"'))
        elif response.status_code == 200 and content_type.startswith("text/html"):
            queue.extend(link for link in _links(response.content.decode()) if link not in seen)
    return seen


@pytest.fixture
def demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def _failures(statuses: dict[str, int]) -> dict[str, int]:
    return {url: status for url, status in statuses.items() if status >= 500}


def test_anonymous_crawl_has_no_server_error(demo: None, client: Client) -> None:
    statuses = crawl(client)
    assert len(statuses) > 3
    assert _failures(statuses) == {}


@pytest.mark.parametrize("email", DEMO_PEOPLE)
def test_demo_person_crawl_has_no_server_error(demo: None, client: Client, email: str) -> None:
    client.force_login(User.objects.get(email=email))
    statuses = crawl(client)
    # The crawl really went somewhere: a person's home links to their own pages.
    assert sum(1 for status in statuses.values() if status == 200) > 5, statuses
    assert _failures(statuses) == {}
