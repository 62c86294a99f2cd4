"""Running a community without a developer, in the browser (issue 19): Ada creates a community
with a category and a code of conduct and publishes version 2 while Otter is typing a reply;
Otter is asked to accept it and returned to his reply with his text. Mo raises a member's trust
level with a reason; a new member sees what they can do now. axe-core on the new pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import TOTP_SECRET
from tandem.forum.models import Community, Post
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import AuditAction, AuditEntry, CommunitySettings, PreModeration

from .conftest import ContextFactory, axe_violations, log_in

REPLY = "Thank you for starting this. Evenings are when it gets loud in my head, and"
CONDUCT_V1 = "Be kind.\nUse your display name only."
CONDUCT_V2 = "Be kind.\nUse your display name only.\nNo selling or advertising."


@pytest.fixture
def ada(make_member: Callable[..., User]) -> User:
    return make_member(Role.ORG_ADMIN, totp=True, pseudonym="Ada", email="ada@example.org")


@pytest.fixture
def mo(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")


@pytest.fixture
def otter(make_member: Callable[..., User]) -> User:
    return make_member(pseudonym="Otter", email="otter@example.org")


@pytest.fixture
def skylark(make_member: Callable[..., User]) -> User:
    return make_member(pseudonym="Skylark", email="skylark@example.org")


def _label(text: str) -> re.Pattern[str]:
    """A field's label as written, with or without the colon Django adds."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _as(new_context: ContextFactory, user: User, *, totp: bool = False) -> Page:
    page = new_context().new_page()
    log_in(page, user.email, totp_secret=TOTP_SECRET if totp else None)
    return page


def test_ada_publishes_version_2_while_otter_types_and_otter_keeps_his_reply(
    new_context: ContextFactory,
    organisation: Organisation,
    ada: User,
    otter: User,
    skylark: User,
) -> None:
    # Ada creates the community, its first category and code of conduct.
    admin = _as(new_context, ada, totp=True)
    admin.goto(f"/moderation/organisations/{organisation.pk}/communities/")
    admin.get_by_role("link", name="Create a community").click()
    admin.get_by_label(_label("Name")).fill("Evenings")
    admin.get_by_label(_label("Short name")).fill("evenings")
    admin.get_by_label(_label("Code of conduct")).fill(CONDUCT_V1)
    admin.get_by_role("button", name="Create the community").click()
    expect(admin.locator(".messages")).to_contain_text("Created.")
    admin.locator("[data-category-form]").get_by_label(_label("Name")).fill("Sleep")
    admin.get_by_role("button", name="Add the category").click()
    expect(admin.locator("[data-admin-categories]")).to_contain_text("Sleep")
    community = Community.objects.get(slug="evenings")
    assert community.categories.get().name == "Sleep"
    # This test is about the code of conduct, not pre-moderation: Ada switches it off.
    admin.get_by_role("link", name="Pre-moderation, slow mode and limits").click()
    admin.get_by_label(_label("Pre-moderation")).select_option(label="No pre-moderation")
    admin.get_by_label("Reason (kept in the audit log)").fill("Small trusted group")
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator(".messages")).to_contain_text("Saved.")
    assert CommunitySettings.objects.get(community=community).premoderation == PreModeration.NONE

    # Skylark has started a topic; Otter joins in the browser and starts typing a reply.
    join(skylark, community)
    topic = make_topic(skylark, community.categories.get(), title="Long evenings")
    reader = _as(new_context, otter)
    reader.goto("/communities/")
    reader.locator(".card").filter(has_text="Evenings").get_by_role(
        "link", name="Read the code of conduct and join"
    ).click()
    reader.get_by_label("I have read the code of conduct and I will follow it").check()
    reader.get_by_role("button", name="Accept and continue").click()
    reader.goto(f"/topics/{topic.pk}/")
    reader.locator("#reply").get_by_label("Your reply").fill(REPLY)

    # Meanwhile Ada publishes version 2, after seeing what changes.
    admin.goto(f"/moderation/communities/{community.pk}/manage/")
    admin.locator("[data-conduct-link]").click()
    admin.get_by_label("New version of the code of conduct").fill(CONDUCT_V2)
    admin.get_by_label("Reason (optional, kept in the audit log)").fill("Adverts appeared")
    admin.get_by_role("button", name="Show what changes").click()
    expect(admin.locator(".diff-added")).to_contain_text("No selling or advertising.")
    admin.get_by_role("button", name="Publish as version 2").click()
    expect(admin.locator(".messages")).to_contain_text("Version 2 is published.")
    assert AuditEntry.objects.filter(action=AuditAction.CONDUCT, actor=ada).exists()

    # Otter posts: he is asked to accept version 2, then returned to his reply, text intact.
    reader.get_by_role("button", name="Post reply").click()
    expect(reader.locator(".messages")).to_contain_text("what you wrote is kept")
    expect(reader.get_by_role("heading", name="Code of conduct (version 2)")).to_be_visible()
    expect(reader.locator(".conduct")).to_contain_text("No selling or advertising.")
    reader.get_by_label("I have read the code of conduct and I will follow it").check()
    reader.get_by_role("button", name="Accept and continue").click()
    reader.wait_for_url(f"**/topics/{topic.pk}/#reply")
    box = reader.locator("#reply").get_by_label("Your reply")
    expect(box).to_have_value(REPLY)
    box.fill(REPLY + " writing here helps.")
    reader.get_by_role("button", name="Post reply").click()
    expect(reader.locator(".post").last).to_contain_text("writing here helps.")
    assert Post.objects.filter(topic=topic, author=otter, is_draft=False).count() == 1


def test_mo_raises_a_members_trust_and_a_new_member_sees_what_they_can_do(
    new_context: ContextFactory, organisation: Organisation, mo: User, otter: User
) -> None:
    community = CommunityFactory.create(organisation=organisation, name="Young people")
    CategoryFactory.create(community=community, name="Coping")
    join(otter, community)

    # Otter, new here, finds what he can do from his account page.
    reader = _as(new_context, otter)
    reader.goto("/account/")
    reader.get_by_role("link", name="What you can do in your communities").click()
    card = reader.locator(f"[data-trust-community='{community.pk}']")
    expect(card).to_contain_text("New member")
    expect(card.locator("[data-trust-can]")).to_contain_text("You can read, reply and start")
    expect(card.locator("[data-trust-next]")).to_contain_text("Post links")
    expect(card.locator("[data-trust-steps]")).to_contain_text("Days you visited")

    # Mo raises his level by hand, with a reason.
    moderator = _as(new_context, mo, totp=True)
    moderator.goto(f"/moderation/communities/{community.pk}/people/{otter.pk}/")
    form = moderator.locator("[data-trust-form]")
    form.get_by_role("button", name="Set the trust level").click()
    expect(moderator.locator("[data-error-summary]")).to_contain_text("Give a reason")
    # The summary's link for the radio buttons leads to the first of them.
    expect(moderator.locator("[data-error-summary] a").first).to_have_attribute(
        "href", "#trust_level_0"
    )
    form = moderator.locator("[data-trust-form]")
    form.get_by_role("radio", name="Member", exact=True).check()
    form.get_by_label("Reason (kept in the audit log)").fill("Known to the team, posts helpfully")
    form.get_by_role("button", name="Set the trust level").click()
    expect(moderator.locator(".messages")).to_contain_text("Trust level saved.")
    expect(moderator.locator("[data-trust-section]")).to_contain_text("set by a moderator")
    entry = AuditEntry.objects.get(action=AuditAction.TRUST)
    assert (entry.subject_id, entry.reason) == (otter.pk, "Known to the team, posts helpfully")

    reader.reload()
    card = reader.locator(f"[data-trust-community='{community.pk}']")
    expect(card.locator("[data-trust-level]")).to_contain_text("Member")
    expect(card.locator("[data-trust-can]")).to_contain_text("Post links")


def test_the_new_pages_pass_axe(
    new_context: ContextFactory, organisation: Organisation, ada: User, mo: User, otter: User
) -> None:
    community = CommunityFactory.create(organisation=organisation, name="Young people")
    category = CategoryFactory.create(community=community, name="Coping")
    join(otter, community)
    make_topic(otter, category)  # a person with a record
    paths = [
        f"/moderation/organisations/{organisation.pk}/communities/",
        f"/moderation/organisations/{organisation.pk}/communities/create/",
        f"/moderation/communities/{community.pk}/manage/",
        f"/moderation/communities/{community.pk}/manage/limits/",
        f"/moderation/communities/{community.pk}/manage/conduct/",
        f"/moderation/categories/{category.pk}/edit/",
    ]
    problems: list[str] = []
    admin = new_context(bypass_csp=True).new_page()
    log_in(admin, ada.email, totp_secret=TOTP_SECRET)
    for path in paths:
        admin.goto(path)
        problems += axe_violations(admin)
    # The conduct page with its differences shown.
    admin.goto(f"/moderation/communities/{community.pk}/manage/conduct/")
    admin.get_by_label("New version of the code of conduct").fill("Be gentle.")
    admin.get_by_role("button", name="Show what changes").click()
    expect(admin.locator("[data-conduct-diff]")).to_be_visible()
    problems += axe_violations(admin)
    moderator = new_context(bypass_csp=True).new_page()
    log_in(moderator, mo.email, totp_secret=TOTP_SECRET)
    moderator.goto(f"/moderation/communities/{community.pk}/people/{otter.pk}/")
    problems += axe_violations(moderator)
    reader = new_context(bypass_csp=True).new_page()
    log_in(reader, otter.email)
    reader.goto("/moderation/about-me/trust/")
    problems += axe_violations(reader)
    assert not problems, "\n".join(problems)
