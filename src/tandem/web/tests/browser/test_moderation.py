"""Moderation in the browser: a moderator on duty, a post held by the risk screen with the
supportive page its author sees, the moderator's queue, a private message and a decision the
author is told about; reports (and a repeated report) counted in the queue; axe-core on the
moderation pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.conftest import TOTP_SECRET
from tandem.forum.models import Category, Community, Post, Topic
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import CommunitySettings, PreModeration, ReviewItem

from .conftest import PHONE, ContextFactory, axe_violations, log_in

COMMUNITY = "Young people"
RISKY = "I want to kill myself tonight."
HIDE_REASON = "It could upset others; a moderator has messaged you privately."

# --- Helpers and fixtures --------------------------------------------------------------------


@pytest.fixture
def community(organisation: Organisation) -> Community:
    community = CommunityFactory.create(organisation=organisation, name=COMMUNITY)
    CommunitySettings.objects.create(community=community, premoderation=PreModeration.NONE)
    return community


@pytest.fixture
def category(community: Community) -> Category:
    return CategoryFactory.create(community=community, name="Coping")


@pytest.fixture
def member(make_member: Callable[..., User], community: Community) -> Callable[..., User]:
    def make(role: str = Role.SERVICE_USER, **fields: object) -> User:
        return join(make_member(role, **fields), community)

    return make


@pytest.fixture
def otter(member: Callable[..., User]) -> User:
    return member(pseudonym="Otter", email="otter@example.org")


@pytest.fixture
def skylark(member: Callable[..., User]) -> User:
    return member(pseudonym="Skylark", email="skylark@example.org")


@pytest.fixture
def heron(member: Callable[..., User]) -> User:
    return member(pseudonym="Heron", email="heron@example.org")


@pytest.fixture
def mo(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")


@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    return make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")


def go_on_duty(page: Page) -> None:
    page.goto("/moderation/")
    page.get_by_role("button", name="Go on duty").click()
    expect(page.locator("[data-duty-status]")).to_have_text("You are on duty.")


def report(page: Page, post: Post, topic: Topic, reason: str = "Harassment") -> None:
    page.goto(f"/topics/{topic.pk}/")
    page.locator(f"#post-{post.pk}").locator("[data-report-link]").click()
    expect(page).to_have_url(re.compile(rf"/moderation/posts/{post.pk}/report/$"))
    form = page.locator("[data-report-form]")
    form.get_by_label(reason, exact=True).check()
    form.get_by_role("button", name="Send report").click()
    expect(page).to_have_url(re.compile(rf"/topics/{topic.pk}/#post-{post.pk}$"))


# --- 1. A held post, the moderator's review and the outcome ----------------------------------


@pytest.mark.browser
def test_a_risky_reply_is_held_the_author_is_supported_and_the_moderator_decides(
    new_context: ContextFactory,
    organisation: Organisation,
    community: Community,
    topic: Topic,
    otter: User,
    skylark: User,
    mo: User,
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Northside crisis line")
    CrisisContactFactory.create(organisation=organisation, name="Text line")

    mo_page = new_context().new_page()
    log_in(mo_page, mo.email, totp_secret=TOTP_SECRET)
    go_on_duty(mo_page)

    # Otter replies; the screen holds the reply and Otter gets the supportive page.
    ott = new_context().new_page()
    log_in(ott, otter.email)
    ott.goto(f"/topics/{topic.pk}/")
    # The reply field's label is "Your reply" (forum/forms.py overrides "Message").
    ott.get_by_label("Your reply").fill(RISKY)
    ott.get_by_role("button", name="Post reply").click()
    expect(ott).to_have_url(re.compile(r"/moderation/posts/\d+/outcome/$"))
    post = Post.objects.get(author=otter, is_draft=False)
    expect(ott).to_have_url(re.compile(rf"/moderation/posts/{post.pk}/outcome/$"))
    expect(ott.locator('h1[data-outcome="held-supportive"]')).to_have_text(
        "Thank you for telling us how you feel"
    )
    resources = ott.locator("[data-crisis-resources]")
    expect(resources.get_by_role("link", name="Open my crisis plan")).to_be_visible()
    contacts = resources.locator("[data-crisis-contact]")
    expect(contacts).to_have_count(2)
    expect(contacts.filter(has_text="Northside crisis line")).to_have_count(1)

    # Skylark does not see the held reply.
    sky = new_context().new_page()
    log_in(sky, skylark.email)
    sky.goto(f"/topics/{topic.pk}/")
    expect(sky.locator("main")).to_contain_text("Nights are the worst.")
    expect(sky.locator("main")).not_to_contain_text("kill myself")

    # Mo is told, opens the queue and the item.
    mo_page.goto("/notifications/")
    expect(mo_page.locator(".notification-list li")).to_contain_text(
        [f"Urgent: a post in {COMMUNITY} is held for review"]
    )
    mo_page.goto(f"/moderation/communities/{community.pk}/queue/")
    item = ReviewItem.objects.get(post=post)
    queued = mo_page.locator(f'li[data-queue-item="{item.pk}"]')
    expect(queued).to_contain_text("Otter")
    queued.get_by_role("link", name="Reply in “Hard nights”").click()
    expect(mo_page).to_have_url(re.compile(rf"/moderation/items/{item.pk}/$"))
    expect(mo_page.locator("#post-under-review")).to_contain_text(RISKY)

    # Mo reaches out privately.
    reach = mo_page.locator("[data-reach-out-form]")
    reach.get_by_label("Private message to the author").fill("Hi Otter, I'm Mo. How are you?")
    reach.get_by_role("button", name="Send message").click()
    expect(mo_page.locator(".messages")).to_contain_text(
        "Your message has been sent privately to the author."
    )

    # Mo hides the post with a reason.
    act = mo_page.locator("[data-action-form]")
    act.get_by_label("Hide the post (the author sees why)").check()
    act.get_by_label("Reason (recorded; shown to the author for hide, edit and warnings)").fill(
        HIDE_REASON
    )
    act.get_by_role("button", name="Record decision").click()
    expect(mo_page).not_to_have_url(re.compile(rf"/moderation/items/{item.pk}/$"))
    item.refresh_from_db()
    assert item.state != "open"

    # Otter is told, and sees why.
    ott.goto("/notifications/")
    ott.get_by_role("button", name="A moderator hid one of your posts. See why.").click()
    expect(ott).to_have_url(re.compile(rf"/moderation/posts/{post.pk}/outcome/$"))
    expect(ott.locator('h1[data-outcome="hidden"]')).to_have_text("A moderator hid your post")
    expect(ott.locator("[data-outcome-reason]")).to_contain_text(HIDE_REASON)

    # Skylark still does not see it.
    sky.goto(f"/topics/{topic.pk}/")
    expect(sky.locator("main")).not_to_contain_text("kill myself")


# --- 2. Reports ------------------------------------------------------------------------------


@pytest.mark.browser
def test_reports_are_counted_once_per_person_in_the_queue(
    new_context: ContextFactory,
    community: Community,
    topic: Topic,
    otter: User,
    skylark: User,
    heron: User,
    mo: User,
) -> None:
    post = reply(heron, topic, "Nobody here cares about you, stop posting.")

    sky = new_context().new_page()
    log_in(sky, skylark.email)
    report(sky, post, topic)
    expect(sky.locator(".messages")).to_contain_text("Thank you for telling us.")
    report(sky, post, topic)
    expect(sky.locator(".messages")).to_contain_text(
        "You had already reported this post; we have updated your report."
    )

    ott = new_context().new_page()
    log_in(ott, otter.email)
    report(ott, post, topic)
    expect(ott.locator(".messages")).to_contain_text("Thank you for telling us.")

    mo_page = new_context().new_page()
    log_in(mo_page, mo.email, totp_secret=TOTP_SECRET)
    mo_page.goto(f"/moderation/communities/{community.pk}/queue/")
    item = ReviewItem.objects.get(post=post)
    queued = mo_page.locator(f'li[data-queue-item="{item.pk}"]')
    expect(queued.locator("[data-report-count]")).to_have_attribute("data-report-count", "2")
    expect(queued.locator('[data-report-count="2"]')).to_contain_text("Harassment (2)")


# --- 3. axe on the moderation pages ----------------------------------------------------------


@pytest.mark.browser
def test_moderation_pages_have_no_serious_accessibility_problems(
    new_context: ContextFactory,
    organisation: Organisation,
    community: Community,
    topic: Topic,
    otter: User,
    skylark: User,
    mo: User,
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Northside crisis line")
    held = reply(otter, topic, RISKY)
    item = ReviewItem.objects.get(post=held)
    problems: list[str] = []

    def check(page: Page, path: str, *, expect_text: str) -> None:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path}: HTTP {response.status}"
        expect(page.locator("main")).to_contain_text(expect_text)
        problems.extend(axe_violations(page))

    mo_page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(mo_page, mo.email, totp_secret=TOTP_SECRET)
    check(mo_page, "/moderation/", expect_text="You are off duty.")
    queue = f"/moderation/communities/{community.pk}/queue/"
    check(mo_page, queue, expect_text="Hard nights")
    check(mo_page, f"/moderation/items/{item.pk}/", expect_text="Reach out privately")
    # The decision form with errors (no action, no reason).
    mo_page.get_by_role("button", name="Record decision").click()
    expect(mo_page.locator("[data-action-form] [data-error-summary]")).to_be_visible()
    problems.extend(axe_violations(mo_page))
    rules = f"/moderation/communities/{community.pk}/rules/"
    check(mo_page, rules, expect_text="How the screen is doing")
    settings = f"/moderation/communities/{community.pk}/settings/"
    check(mo_page, settings, expect_text="Limits and watched words")

    ott = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(ott, otter.email)
    outcome = f"/moderation/posts/{held.pk}/outcome/"
    check(ott, outcome, expect_text="Thank you for telling us how you feel")

    opening = Post.objects.get(topic=topic, is_opening=True)
    check(ott, f"/moderation/posts/{opening.pk}/report/", expect_text="Report a post")
    ott.locator("[data-report-form]").get_by_role("button", name="Send report").click()
    expect(ott.locator("[data-error-summary]")).to_be_visible()
    problems.extend(axe_violations(ott))

    assert not problems, "\n\n".join(problems)
