"""The forum in the browser: joining a community after its code of conduct, a topic with a
reply, a reaction and a professional's badged reply, the notification that follows (and its
content-free email), a reply draft that survives logging out, search scoped to members, and
axe-core on every forum page a member sees.

Post text is deliberately everyday and harmless: risk screening may hold posts that are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.conftest import TOTP_SECRET
from tandem.forum import services
from tandem.forum.models import Category, Community, Post, ReactionKind, Topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import CommunitySettings, PreModeration

from .conftest import PHONE, ContextFactory, axe_violations, log_in

COMMUNITY = "Young people's peer support"
PROFESSION = "Mental health nurse"
DRAFT_SAVED = "Draft saved. Only you can see it."

# --- Helpers ---------------------------------------------------------------------------------


def make_community(organisation: Organisation, name: str = COMMUNITY) -> Community:
    community = CommunityFactory.create(
        organisation=organisation,
        name=name,
        description="Peer support for young people, with professionals as peers.",
    )
    CategoryFactory.create(community=community, name="Introductions", position=0)
    CategoryFactory.create(community=community, name="Coping day to day", position=1)
    # By default a new member's first posts wait for a moderator; these tests are about what
    # members see of each other's posts, so this community publishes them at once.
    CommunitySettings.objects.create(community=community, premoderation=PreModeration.NONE)
    return community


def join(user: User, community: Community) -> User:
    services.join_community(
        user=user, community=community, accepted_version=community.code_of_conduct_version
    )
    return user


def first_category(community: Community) -> Category:
    return community.categories.order_by("position", "pk")[0]


def make_topic(author: User, community: Community, title: str, body: str) -> Topic:
    return services.create_topic(
        author=author,
        community=community,
        category=first_category(community),
        title=title,
        body=body,
    )


def reply(author: User, topic: Topic, body: str, *, as_professional: bool = False) -> Post:
    topic = Topic.objects.select_related("community").get(pk=topic.pk)
    return services.reply_to_topic(
        author=author, topic=topic, body=body, as_professional=as_professional
    )


def notifications_link(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(r"^Notifications")
    )


def post_with(page: Page, text: str) -> Locator:
    return page.locator("article.post").filter(has_text=text)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def search_from_search_page(page: Page, words: str) -> None:
    page.goto("/communities/")
    page.locator("main").get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search your communities").fill(words)
    page.locator("main").get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/communities/search/\?q="))


@pytest.fixture
def community(organisation: Organisation) -> Community:
    return make_community(organisation)


@pytest.fixture
def skylark(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Skylark", email="skylark@example.org")


@pytest.fixture
def otter(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org")


@pytest.fixture
def pat(make_member: Callable[..., User]) -> User:
    """A verified provider (the factory verifies providers) with an authenticator app."""
    return make_member(
        Role.PROVIDER, totp=True, pseudonym="Pat", email="pat@example.org", profession=PROFESSION
    )


# --- 1. Join, topic, reply, reaction, notification, professional badge -----------------------


@pytest.mark.browser
def test_a_topic_gets_a_reply_a_reaction_a_notification_and_a_professional_reply(
    new_context: ContextFactory, community: Community, skylark: User, otter: User, pat: User
) -> None:
    join(otter, community)
    join(pat, community)
    title = "Small wins this week"
    opening = "I went for a walk by the river today and it helped me feel calmer."
    otter_reply = "Thank you for sharing. A walk in the park helps me too."
    pat_reply = "Lovely to read this. Short walks outside are a good habit to keep."

    # Skylark reads the code of conduct, must tick the box, then joins.
    sky = new_context().new_page()
    log_in(sky, skylark.email)
    expect(notifications_link(sky)).to_have_accessible_name("Notifications")
    sky.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    card = sky.locator(".card").filter(has_text=COMMUNITY)
    card.get_by_role("link", name="Read the code of conduct and join").click()
    expect(sky.get_by_role("heading", name="Code of conduct (version 1)")).to_be_visible()
    expect(sky.locator(".conduct")).to_contain_text(community.code_of_conduct)
    sky.get_by_role("button", name="Accept and continue").click()
    expect(sky.locator("[data-error-summary]")).to_contain_text(
        "Tick the box to accept the code of conduct."
    )
    sky.get_by_label("I have read the code of conduct and I will follow it").check()
    sky.get_by_role("button", name="Accept and continue").click()
    expect(sky.locator(".messages")).to_contain_text(f"Welcome to {COMMUNITY}.")
    expect(sky.get_by_role("heading", level=1, name=COMMUNITY)).to_be_visible()

    # She starts a topic.
    sky.locator("main").get_by_role("link", name="Start a topic").click()
    sky.get_by_label("Category").select_option(label="Coping day to day")
    sky.get_by_label("Title").fill(title)
    sky.get_by_label("Message").fill(opening)
    sky.get_by_role("button", name="Publish").click()
    expect(sky.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(post_with(sky, opening)).to_have_count(1)
    topic_url = urlsplit(sky.url).path

    # Otter, in another browser, finds the topic, replies and says "I hear you".
    ott = new_context().new_page()
    log_in(ott, otter.email)
    ott.goto("/communities/")
    ott.locator("main").get_by_role("link", name=COMMUNITY).click()
    ott.get_by_role("link", name=title).click()
    expect(ott).to_have_url(re.compile(rf"{topic_url}$"))
    ott.get_by_label("Your reply").fill(otter_reply)
    ott.get_by_role("button", name="Post reply").click()
    expect(post_with(ott, otter_reply)).to_have_count(1)
    post_with(ott, opening).get_by_role("button", name="I hear you").click()
    heard = post_with(ott, opening).get_by_role("button", name="I hear you 1")
    expect(heard).to_have_attribute("aria-pressed", "true")

    # Skylark's unread count changes, and her list says who replied where.
    sky.reload()
    expect(notifications_link(sky)).to_have_accessible_name("Notifications 1 unread")
    expect(post_with(sky, opening).locator(".reactions")).to_contain_text("I hear you 1")
    expect(post_with(sky, otter_reply)).to_have_count(1)
    notifications_link(sky).click()
    expect(sky.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    item = sky.locator(".notification-list li").filter(has_text=f"Otter replied to “{title}”")
    expect(item).to_have_count(1)
    expect(item.locator(".badge-new")).to_have_text("New")

    # The email only says there is something new: no text, no names, no community.
    to_skylark = [message for message in mail.outbox if message.to == [skylark.email]]
    assert len(to_skylark) == 1, [message.to for message in mail.outbox]

    # Pat, a verified provider, logs in with the authenticator and replies as a professional.
    pat_page = new_context().new_page()
    log_in(pat_page, pat.email, totp_secret=TOTP_SECRET)
    pat_page.goto(topic_url)
    pat_page.get_by_label("Your reply").fill(pat_reply)
    pat_page.get_by_label("Write as a professional (shows your professional badge)").check()
    pat_page.get_by_role("button", name="Post reply").click()
    expect(post_with(pat_page, pat_reply).locator(".badge-professional")).to_have_text(
        f"Professional · {PROFESSION}"
    )

    # Skylark sees the badge with the profession, and one more unread notification.
    sky.goto(topic_url)
    pat_post = post_with(sky, pat_reply)
    expect(pat_post.locator(".author")).to_have_text("Pat")
    expect(pat_post.locator(".badge-professional")).to_have_text(f"Professional · {PROFESSION}")
    expect(post_with(sky, otter_reply).locator(".badge-professional")).to_have_count(0)
    expect(notifications_link(sky)).to_have_accessible_name("Notifications 2 unread")
    notifications_link(sky).click()
    sky.get_by_role("button", name=f"Pat replied to “{title}”").click()
    expect(sky).to_have_url(re.compile(rf"{topic_url}#post-\d+$"))
    expect(notifications_link(sky)).to_have_accessible_name("Notifications 1 unread")

    forbidden = [
        title,
        "walk",
        "Small wins",
        "Skylark",
        "Otter",
        "Pat",
        PROFESSION,
        COMMUNITY,
        "Young people",
        "Coping",
        "Northside",
    ]
    assert mail.outbox
    for message in mail.outbox:
        parts = [str(message.subject), str(message.body)]
        parts += [str(content) for content, _mime in getattr(message, "alternatives", [])]
        text = "\n".join(parts)
        leaked = [word for word in forbidden if word.lower() in text.lower()]
        assert not leaked, f"Email to {message.to} contains {leaked}:\n{text}"


# --- 2. A draft survives logging out ---------------------------------------------------------


@pytest.mark.browser
def test_a_reply_draft_autosaved_while_typing_is_there_after_logging_out_and_back_in(
    new_context: ContextFactory, community: Community, skylark: User, otter: User
) -> None:
    join(skylark, community)
    join(otter, community)
    topic = make_topic(otter, community, "Evening routines", "What helps you wind down at night?")
    draft_text = "A warm drink and a chapter of a book help me.\nStill thinking about what else."

    page = new_context().new_page()
    log_in(page, skylark.email)
    page.goto(f"/topics/{topic.pk}/")
    page.get_by_label("Your reply").fill(draft_text)
    expect(page.locator("#reply [data-autosave-status]")).to_have_text(DRAFT_SAVED)
    saved = Post.objects.get(topic=topic, author=skylark, is_draft=True)
    assert saved.body.replace("\r\n", "\n") == draft_text  # a form sends CRLF line breaks

    log_out(page)
    log_in(page, skylark.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Communities").click()
    page.locator("main").get_by_role("link", name="My drafts").click()
    card = page.locator(".card").filter(has_text="Reply to “Evening routines”")
    expect(card).to_contain_text("A warm drink and a chapter of a book help me.")
    card.get_by_role("link", name="Reply to “Evening routines”").click()
    expect(page).to_have_url(re.compile(rf"/topics/{topic.pk}/#reply$"))
    expect(page.get_by_label("Your reply")).to_have_value(draft_text)
    # Still a draft: nobody else sees it as a post.
    expect(post_with(page, "A warm drink")).to_have_count(0)


# --- 3. Search is for members ----------------------------------------------------------------


@pytest.mark.browser
def test_search_finds_the_topic_for_members_and_nothing_for_anyone_else(
    new_context: ContextFactory,
    community: Community,
    skylark: User,
    otter: User,
    make_member: Callable[..., User],
) -> None:
    join(skylark, community)
    join(otter, community)
    title = "Gardening on the balcony"
    topic = make_topic(otter, community, title, "Tomatoes and basil grow well in pots outside.")
    # Same organisation, did not join the community.
    robin = make_member(Role.SERVICE_USER, pseudonym="Robin", email="robin@example.org")
    # Another organisation, a member of its own community that also talks about basil.
    elsewhere = OrganisationFactory.create(name="Eastside Test", slug="eastside-test")
    kestrel = UserFactory.create(pseudonym="Kestrel", email="kestrel@example.org")
    MembershipFactory.create(user=kestrel, organisation=elsewhere, role=Role.SERVICE_USER)
    eastside = make_community(elsewhere, name="Eastside peers")
    make_topic(join(kestrel, eastside), eastside, "Herbs", "Basil on the sill.")

    member = new_context().new_page()
    log_in(member, skylark.email)
    search_from_search_page(member, "basil tomatoes")
    results = member.locator(".search-results li")
    expect(results).to_have_count(1)
    expect(results.get_by_role("link", name=title)).to_be_visible()
    expect(results.locator("mark")).to_have_text(["Tomatoes", "basil"])
    expect(member.locator("main")).to_contain_text("1 post found")
    # Also from the community page's own search box, by a word of the title.
    member.goto(f"/communities/{community.pk}/")
    member.get_by_role("searchbox", name="Search your communities").fill("balcony")
    member.locator("main").get_by_role("button", name="Search").click()
    member.locator(".search-results").get_by_role("link", name=title).click()
    expect(member.get_by_role("heading", level=1, name=title)).to_be_visible()

    for outsider in (robin, kestrel):
        page = new_context().new_page()
        log_in(page, outsider.email)
        search_from_search_page(page, "balcony tomatoes")
        expect(page.locator(".search-results")).to_have_count(0)
        expect(page.locator("main")).to_contain_text("Nothing found.")
        expect(page.get_by_role("link", name=title)).to_have_count(0)
        response = page.goto(f"/topics/{topic.pk}/")
        assert response is not None
        assert response.status == 404, f"{outsider.pseudonym} opened the topic"


# --- 4. axe on the forum's pages -------------------------------------------------------------


@pytest.mark.browser
def test_forum_pages_have_no_serious_accessibility_problems(
    new_context: ContextFactory,
    community: Community,
    skylark: User,
    otter: User,
    pat: User,
    make_member: Callable[..., User],
    organisation: Organisation,
) -> None:
    heron = make_member(Role.SERVICE_USER, pseudonym="Heron", email="heron@example.org")
    for person in (skylark, otter, pat, heron):
        join(person, community)
    make_community(organisation, name="Parents' space")  # Skylark may join, has not
    topic = make_topic(
        skylark,
        community,
        "Small wins this week",
        "I went for a **walk** today.\n\n- fresh air\n- a chat with a neighbour",
    )
    otter_post = reply(otter, topic, "> a walk today\n\nThat sounds good. I did the same.")
    reply(pat, topic, "Thanks for sharing this, small steps count.", as_professional=True)
    opening = Post.objects.get(topic=topic, is_opening=True)
    services.toggle_reaction(user=otter, post=opening, kind=ReactionKind.HEAR_YOU)
    services.toggle_reaction(user=pat, post=opening, kind=ReactionKind.THANK_YOU)
    services.toggle_reaction(user=skylark, post=otter_post, kind=ReactionKind.ME_TOO)
    other = make_topic(otter, community, "Evening routines", "What helps you wind down?")
    services.save_reply_draft(author=skylark, topic=other, body="A warm drink helps me.")
    services.save_topic_draft(
        author=skylark,
        community=community,
        category=first_category(community),
        title="Weekend plans",
        body="Half written.",
    )
    services.mute_person(user=skylark, muted=heron)
    joinable = Community.objects.get(name="Parents' space")

    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(page, skylark.email)
    problems: list[str] = []

    def check(path: str, *, expect_text: str) -> None:
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path}: HTTP {response.status}"
        expect(page.locator("main")).to_contain_text(expect_text)
        problems.extend(axe_violations(page))

    check("/communities/", expect_text="Read the code of conduct and join")
    check(f"/communities/{joinable.pk}/join/", expect_text="Code of conduct (version 1)")
    page.get_by_role("button", name="Accept and continue").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    problems.extend(axe_violations(page))
    check(f"/communities/{community.pk}/", expect_text="Small wins this week")
    check(f"/topics/{topic.pk}/", expect_text=f"Professional · {PROFESSION}")
    expect(page.locator(".reaction-mine")).to_have_count(1)
    check(f"/communities/{community.pk}/topics/create/", expect_text="Start a topic")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter a title.")
    problems.extend(axe_violations(page))
    check("/communities/search/?q=walk", expect_text="posts found")
    check("/communities/drafts/", expect_text="Weekend plans")
    check("/communities/boundaries/", expect_text="Heron")
    check("/notifications/", expect_text="Otter replied to")

    assert not problems, "\n\n".join(problems)
