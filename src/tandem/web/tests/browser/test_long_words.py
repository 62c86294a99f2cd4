"""Long words and long addresses wrap at 320 px (issue 19): nobody scrolls sideways.

People paste long addresses and type long words (names of medicines, a word held down in
anger); a phone 320 px wide must still show every page without sideways scrolling. The demo
data (``manage.py seed_demo``) gets a very long unbroken word and a long URL in everything
people write: a display name, a topic's title and post, a message's subject and text, a goal
and its steps, a journal entry, a report. Each main page showing them is then loaded at 320 px
and must fit (``document.documentElement.scrollWidth <= window.innerWidth``), with the word on
the page (so the check is about that text).
"""

from __future__ import annotations

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
from tandem.accounts.models import User
from tandem.forum import services as forum_services
from tandem.forum.models import Category
from tandem.forum.profiles import profile_url
from tandem.messaging import services as messaging_services
from tandem.moderation import trust
from tandem.moderation.models import ReportReason, TrustOverride
from tandem.moderation.services.reports import report_post
from tandem.toolbox.models import DEFAULT_DOMAINS, LifeDomain
from tandem.toolbox.services.goals import create_goal
from tandem.toolbox.services.journal import write_journal_entry

from .conftest import ContextFactory, log_in

NARROWEST = ViewportSize(width=320, height=640)
# 90 letters without a break: wider than any phone in any font.
LONG_WORD = "Supercalifragilisticexpialidocious" * 2 + "Antidisestablishmentarian"
LONG_URL = "https://example.org/" + "recovery-and-wellbeing-resources/" * 4 + "?page=" + "x" * 40
# A display name is at most 30 characters, all of them wide letters.
LONG_NAME = "W" * 30


@dataclass(frozen=True)
class Written:
    topic: int
    category: int
    community: int
    thread: int
    goal: int
    journal: int
    item: int
    otter: int


@pytest.fixture
def written(transactional_db: None) -> Written:
    """Seeded in a thread of its own: the services publish live events with
    ``async_to_sync``, which refuses to run under Playwright's running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_seed).result()


def _seed() -> Written:
    for position, key in enumerate(DEFAULT_DOMAINS, start=1):
        LifeDomain.objects.get_or_create(
            key=key, organisation=None, owner=None, defaults={"position": position * 10}
        )
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    sam = User.objects.get(email="sam@demo.tandem")
    pat = User.objects.get(email="pat@demo.tandem")
    otter = User.objects.get(email="alex@demo.tandem")
    User.objects.filter(pk=otter.pk).update(pseudonym=LONG_NAME)
    otter.refresh_from_db()
    category = Category.objects.select_related("community").order_by("pk").first()
    assert category is not None, "seed_forum_demo made no category"
    community = category.community
    # A new member may not post links yet: Otter has settled in.
    TrustOverride.objects.create(
        community=community, user=otter, level=trust.TrustLevel.MEMBER, reason="Test"
    )
    topic = forum_services.create_topic(
        author=otter,
        community=community,
        category=category,
        title=f"About {LONG_WORD}",
        body=f"I read {LONG_WORD} at {LONG_URL} and [{LONG_WORD}]({LONG_URL}).",
    )
    post = forum_services.reply_to_topic(
        author=otter, topic=topic, body=f"`{LONG_WORD}{LONG_WORD}` and @{LONG_NAME}"
    )
    sent = messaging_services.start_thread(
        author=sam,
        subject=f"Reading {LONG_WORD}",
        body=f"{LONG_WORD} {LONG_URL}",
        client_key=uuid.uuid4(),
        providers=[pat],
    )
    domain = LifeDomain.objects.filter(organisation=None, owner=None).order_by("position").first()
    assert domain is not None
    goal = create_goal(
        owner=sam, domain=domain, title=LONG_WORD, why=LONG_URL, steps=[LONG_WORD, LONG_URL]
    )
    entry = write_journal_entry(owner=sam, title=LONG_WORD, body=f"{LONG_WORD}\n\n{LONG_URL}")
    report = report_post(
        reporter=sam, post=post, reason=ReportReason.OTHER, text=f"{LONG_WORD} {LONG_URL}"
    ).report
    connections.close_all()
    return Written(
        topic=topic.pk,
        category=category.pk,
        community=community.pk,
        thread=sent.message.thread_id,
        goal=goal.pk,
        journal=entry.pk,
        item=report.item_id,
        otter=otter.pk,
    )


def _overflow(page: Page, path: str, shown: str | None = LONG_WORD[:30]) -> str | None:
    """Describe sideways scrolling of ``path`` (where ``shown`` is in the text), or None."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response}"
    # The check is about the long text: it must be on the page.
    if shown is not None:
        expect(page.locator("main")).to_contain_text(shown)
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= inner_width:
        return None
    wide = page.evaluate(
        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth).slice(-3).map(e => e.tagName + '.' + e.className).join(', ')"
    )
    return f"{path} scrolls sideways at {inner_width}px: {scroll_width}px wide ({wide})"


@pytest.mark.browser
def test_long_words_and_addresses_wrap_on_every_main_page_at_320px(
    new_context: ContextFactory, written: Written
) -> None:
    problems: list[str] = []
    skylark = new_context(viewport=NARROWEST).new_page()
    log_in(skylark, "sam@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD)
    for path in (
        f"/topics/{written.topic}/",
        f"/communities/{written.community}/",
        f"/categories/{written.category}/",
        "/messages/",
        f"/messages/{written.thread}/",
        "/toolbox/goals/",
        f"/toolbox/goals/{written.goal}/",
        "/toolbox/journal/",
        f"/toolbox/journal/{written.journal}/",
    ):
        problems.append(_overflow(skylark, path) or "")
    # A display name of 30 wide letters: their page in the community, and where it is set.
    otter_page = profile_url(community_id=written.community, user_id=written.otter)
    problems.append(_overflow(skylark, otter_page, LONG_NAME) or "")
    otter = new_context(viewport=NARROWEST).new_page()
    log_in(otter, "alex@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD)
    problems.append(_overflow(otter, "/account/", None) or "")
    expect(otter.get_by_label("Display name (pseudonym)")).to_have_value(LONG_NAME)

    mo = new_context(viewport=NARROWEST).new_page()
    log_in(
        mo, "mo@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD, totp_secret=DEMO_TOTP_SECRET
    )
    problems.append(_overflow(mo, f"/moderation/communities/{written.community}/queue/") or "")
    problems.append(_overflow(mo, f"/moderation/items/{written.item}/") or "")
    found = [problem for problem in problems if problem]
    assert not found, "\n".join(found)
