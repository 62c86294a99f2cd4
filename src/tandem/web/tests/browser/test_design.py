"""The design system in the browser, on the demo data (``manage.py seed_demo``).

For review, screenshots at 1280 px and 360 px of each role's home, a topic, messages, a toolbox
module, the crisis plan and the style page go to ``test-results/design/`` (not committed; the
folder is in .gitignore; ``TANDEM_SCREENSHOT_DIR`` moves it). Each page must also fit a 320 px
screen without sideways scrolling and have no serious or critical axe finding in the light and
the dark theme (every rule in both, colour contrast included). Screenshots come from a context
under the site's real CSP; axe runs in a second context with the same session, whose CSP is
bypassed so axe can be injected.
"""

from __future__ import annotations

import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from tandem.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
from tandem.accounts.models import User
from tandem.forum import services as forum_services
from tandem.forum.models import Category
from tandem.messaging import services as messaging_services
from tandem.messaging.models import Thread
from tandem.toolbox.models import DEFAULT_DOMAINS, LifeDomain

from .conftest import DESKTOP, PHONE, ContextFactory, axe_violations, horizontal_overflow, log_in

WIDE = DESKTOP
NARROW = ViewportSize(width=360, height=780)
NARROWEST = ViewportSize(width=320, height=640)
ROOT = Path(__file__).resolve().parents[5]
SHOTS = Path(os.environ.get("TANDEM_SCREENSHOT_DIR", ROOT / "test-results" / "design"))


@dataclass(frozen=True)
class Demo:
    topic: int
    thread: int


@pytest.fixture
def demo(transactional_db: None) -> Demo:
    """The demo organisation and people, a topic with replies, and a conversation between
    Skylark and Pat with an answer. Ada (organisation admin) is also Django staff.

    Seeded in a thread of its own: Playwright's event loop runs in this one, and the services
    publish live events with ``async_to_sync``, which refuses to run under a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_seed).result()


def _seed() -> Demo:
    for position, key in enumerate(DEFAULT_DOMAINS, start=1):
        LifeDomain.objects.get_or_create(
            key=key, organisation=None, owner=None, defaults={"position": position * 10}
        )
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit
    User.objects.filter(email="ada@demo.tandem").update(is_staff=True)
    sam = User.objects.get(email="sam@demo.tandem")
    pat = User.objects.get(email="pat@demo.tandem")
    sent = messaging_services.start_thread(
        author=sam,
        subject="How this week went",
        body="I had a better week, mostly. **Sleep** is still hard some nights.",
        client_key=uuid.uuid4(),
        providers=[pat],
    )
    thread = Thread.objects.get(pk=sent.message.thread_id)
    messaging_services.send_message(
        sender=pat,
        thread=thread,
        body="Thank you for telling me. Shall we look at your sleep plan on Tuesday?",
        client_key=uuid.uuid4(),
    )
    # The demo's welcome topic waits for a moderator (seed_moderation_demo lifts
    # pre-moderation after it): start a topic of our own.
    category = Category.objects.select_related("community").order_by("pk").first()
    assert category is not None, "seed_forum_demo made no category"
    otter = User.objects.get(email="alex@demo.tandem")
    topic = forum_services.create_topic(
        author=otter,
        community=category.community,
        category=category,
        title="Small wins this week",
        body="I went for a walk by the river today and it helped me feel calmer. Yours?",
    )
    first = forum_services.reply_to_topic(
        author=sam, topic=topic, body="Hello everyone. I am new here and a bit nervous."
    )
    forum_services.reply_to_topic(
        author=otter,
        topic=topic,
        body="Welcome, Skylark! Nervous is normal; it gets easier.",
        quoted_post=first,
    )
    forum_services.reply_to_topic(
        author=pat,
        topic=topic,
        body="Welcome. Small steps count: posting here is one.",
        as_professional=True,
    )
    connections.close_all()
    return Demo(topic=topic.pk, thread=thread.pk)


class Review:
    """Screenshots, reflow and axe, page by page, for one report."""

    def __init__(self, new_context: ContextFactory) -> None:
        self.new_context = new_context
        self.problems: list[str] = []

    def log_in(self, email: str, *, totp: bool) -> tuple[Page, Page]:
        """A page under the real CSP, and one with the same session for axe."""
        shown = self.new_context(viewport=WIDE)
        page = shown.new_page()
        log_in(
            page,
            email,
            password=settings.TANDEM_DEMO_PASSWORD,
            totp_secret=DEMO_TOTP_SECRET if totp else None,
        )
        axe_context: BrowserContext = self.new_context(
            viewport=PHONE, bypass_csp=True, storage_state=shown.storage_state()
        )
        return page, axe_context.new_page()

    def check(self, pages: tuple[Page, Page], path: str, name: str) -> None:
        page, axe_page = pages
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size(WIDE)
        page.screenshot(path=SHOTS / f"{name}-1280.png", full_page=True)
        page.set_viewport_size(NARROW)
        page.screenshot(path=SHOTS / f"{name}-360.png", full_page=True)
        page.set_viewport_size(NARROWEST)
        overflow = horizontal_overflow(page)
        if overflow:
            self.problems.append(overflow)
        page.set_viewport_size(WIDE)

        axe_page.goto(path)
        self.problems.extend(axe_violations(axe_page))
        axe_page.emulate_media(color_scheme="dark")
        self.problems.extend(f"(dark) {problem}" for problem in axe_violations(axe_page))
        axe_page.emulate_media(color_scheme="light")

    def assert_clean(self) -> None:
        assert not self.problems, "\n\n".join(self.problems)


def nav_rows(page: Page) -> int:
    """How many lines the main navigation's links take."""
    tops = page.evaluate(
        "[...document.querySelectorAll('.nav-list a')].map(a => Math.round(a.getBoundingClientRect().top))"
    )
    return len(set(tops))


@pytest.mark.browser
def test_key_pages_of_every_role_are_photographed_fit_320px_and_pass_axe_in_both_themes(
    new_context: ContextFactory, demo: Demo
) -> None:
    review = Review(new_context)

    skylark = review.log_in("sam@demo.tandem", totp=False)
    review.check(skylark, "/", "home-service-user")
    review.check(skylark, f"/topics/{demo.topic}/", "topic")
    review.check(skylark, "/messages/", "messages-inbox")
    review.check(skylark, f"/messages/{demo.thread}/", "messages-thread")
    review.check(skylark, "/toolbox/goals/", "toolbox-goals")
    review.check(skylark, "/toolbox/crisis-plan/", "crisis-plan")

    for email, name in (
        ("pat@demo.tandem", "provider"),
        ("mo@demo.tandem", "moderator"),
        ("fay@demo.tandem", "facilitator"),
        ("rita@demo.tandem", "researcher"),
        ("ada@demo.tandem", "org-admin"),
    ):
        pages = review.log_in(email, totp=True)
        review.check(pages, "/", f"home-{name}")
        if name == "provider":
            review.check(pages, f"/messages/{demo.thread}/", "messages-thread-provider")
        if name == "org-admin":
            review.check(pages, "/style/", "style-guide")
            # The busiest navigation there is still fits one line on a desktop.
            pages[0].goto("/")
            assert nav_rows(pages[0]) == 1, "the main navigation wraps at 1280 px"
    review.assert_clean()


@pytest.mark.browser
def test_navigation_is_a_menu_on_a_phone_and_a_row_on_a_desktop(
    new_context: ContextFactory, demo: Demo
) -> None:
    context = new_context(viewport=NARROW)
    page = context.new_page()
    log_in(page, "sam@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    communities = nav.get_by_role("link", name="Communities")
    # Safety first: the crisis link and Quick exit stay visible outside the menu.
    expect(page.get_by_role("link", name="Need help now?")).to_be_visible()
    expect(page.get_by_role("link", name="Quick exit")).to_be_visible()
    expect(communities).to_be_hidden()
    nav.get_by_text("Menu").click()
    expect(communities).to_be_visible()
    communities.click()
    expect(page).to_have_url(re.compile(r"/communities/$"))

    page.set_viewport_size(WIDE)
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(nav.get_by_role("link", name="Messages")).to_be_visible()
    assert nav_rows(page) == 1


@pytest.mark.browser
def test_the_navigation_works_without_javascript(new_context: ContextFactory, demo: Demo) -> None:
    page = new_context(viewport=NARROW, java_script_enabled=False).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("sam@demo.tandem")
    page.get_by_label("Password").fill(settings.TANDEM_DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_text("Menu").click()
    nav.get_by_role("link", name="My recovery").click()
    expect(page).to_have_url(re.compile(r"/toolbox/$"))


@pytest.mark.browser
def test_a_person_picks_their_avatar_and_the_style_page_is_for_staff_only(
    new_context: ContextFactory, demo: Demo
) -> None:
    page = new_context(viewport=NARROW).new_page()
    log_in(page, "sam@demo.tandem", password=settings.TANDEM_DEMO_PASSWORD)
    assert page.goto("/style/").status == 404  # type: ignore[union-attr]
    page.goto("/account/")
    page.get_by_role("link", name="Change my avatar").click()
    page.get_by_role("group", name="Colour").get_by_label("Teal").check()
    page.get_by_role("group", name="Shape").get_by_label("Hexagon").check()
    page.get_by_role("button", name="Save my avatar").click()
    expect(page.locator(".messages")).to_contain_text("Your avatar is saved.")
    sam = User.objects.get(email="sam@demo.tandem")
    assert (sam.avatar_colour, sam.avatar_shape) == ("4", "hexagon")
    expect(page.locator("main svg.avatar.av-4").first).to_be_visible()
