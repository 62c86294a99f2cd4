"""An @mention leads to the person's page in the community (issue 19): followed in the
browser, and the page passes axe in both themes."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from tandem.accounts.models import User
from tandem.forum import services as forum_services
from tandem.forum.models import Category
from tandem.toolbox.models import DEFAULT_DOMAINS, LifeDomain

from .conftest import PHONE, ContextFactory, axe_violations, log_in


def _seed() -> int:
    for position, key in enumerate(DEFAULT_DOMAINS, start=1):
        LifeDomain.objects.get_or_create(
            key=key, organisation=None, owner=None, defaults={"position": position * 10}
        )
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    category = Category.objects.select_related("community").order_by("pk").first()
    assert category is not None, "seed_forum_demo made no category"
    otter = User.objects.get(email="alex@demo.tandem")
    topic = forum_services.create_topic(
        author=otter,
        community=category.community,
        category=category,
        title="Walking together",
        body="I walked by the river today with @Skylark.",
    )
    connections.close_all()
    return topic.pk


@pytest.fixture
def topic_id(transactional_db: None) -> int:
    # Seeded in a thread of its own: Playwright's loop runs in this one (see test_design.py).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_seed).result()


@pytest.mark.browser
def test_a_mention_leads_to_the_members_page_which_passes_axe(
    new_context: ContextFactory, topic_id: int
) -> None:
    context = new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    log_in(page, "alex@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD)
    page.goto(f"/topics/{topic_id}/")
    page.get_by_role("link", name="@Skylark").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skylark")
    expect(page.get_by_role("main")).to_contain_text("Member since")
    expect(page.get_by_role("main")).not_to_contain_text("sam@demo.tandem")
    problems = axe_violations(page)
    page.emulate_media(color_scheme="dark")
    problems += [f"(dark) {problem}" for problem in axe_violations(page)]
    assert not problems, "\n\n".join(problems)
