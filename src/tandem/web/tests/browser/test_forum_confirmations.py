"""Confirm before harm in the forum, without JavaScript (issue 19, item 4): deleting a post
asks on a page of its own and only its "yes" deletes; leaving a community says its circles go
too, and "No, go back" changes nothing; the starter of a circle ends it only by its question
page's "yes"; the question pages pass axe.

Post text is deliberately everyday and harmless: risk screening may hold posts that are not.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ViewportSize, expect

from tandem.accounts.models import Organisation, User
from tandem.forum import services
from tandem.forum.models import Circle, CircleMember, Community, CommunityMember, Post
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import CommunitySettings, PreModeration

from .conftest import PHONE, ContextFactory, axe_violations, horizontal_overflow, log_in

COMMUNITY = "Evening walkers"
# One long word: the question page quotes the post, and must still fit 320 px.
LONG_WORD = "Evening" * 15
NARROWEST = ViewportSize(width=320, height=640)


def _community_with_topic(organisation: Organisation, user: User) -> tuple[Community, Post]:
    community = CommunityFactory.create(organisation=organisation, name=COMMUNITY)
    # These tests are about confirming, not about pre-moderation: publish at once.
    CommunitySettings.objects.create(community=community, premoderation=PreModeration.NONE)
    category = CategoryFactory.create(community=community, name="Walks")
    services.join_community(
        user=user, community=community, accepted_version=community.code_of_conduct_version
    )
    topic = services.create_topic(
        author=user,
        community=community,
        category=category,
        title="Walking after dinner",
        body=f"A short walk after dinner helps me sleep. {LONG_WORD}",
    )
    # A circle made directly: starting one takes a trust level these tests are not about.
    circle = Circle.objects.create(community=community, created_by=user, name="Dog walkers")
    CircleMember.objects.create(circle=circle, user=user)
    return community, topic.posts.get()


def _is_kept(post: Post) -> bool:
    return Post.objects.filter(pk=post.pk, deleted_at__isnull=True).exists()


@pytest.mark.browser
def test_deleting_a_post_asks_on_its_own_page_without_javascript(
    new_context: ContextFactory, organisation: Organisation, service_user: User
) -> None:
    community, post = _community_with_topic(organisation, service_user)
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in(page, service_user.email)

    page.goto(f"/topics/{post.topic_id}/")
    page.locator(f"#post-{post.pk}").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this post?")
    expect(page.get_by_role("main")).to_contain_text("A short walk after dinner helps me sleep.")
    assert _is_kept(post)  # the button only asked

    page.get_by_role("button", name="Yes, delete my post").click()
    expect(page.get_by_role("main")).to_contain_text("This post was deleted by its author.")
    assert not _is_kept(post)

    # Leaving the community: the question names the circle that goes too; "No" keeps it all.
    page.goto(f"/communities/{community.pk}/")
    page.get_by_role("link", name="Leave this community").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Leave {COMMUNITY}?")
    expect(page.get_by_role("main")).to_contain_text(
        "You also leave its circles you are in: Dog walkers."
    )
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMUNITY)
    assert CommunityMember.objects.filter(user=service_user, community=community).exists()
    assert CircleMember.objects.filter(user=service_user).exists()


@pytest.mark.browser
def test_the_starter_ends_a_circle_only_from_its_question_page_without_javascript(
    new_context: ContextFactory, organisation: Organisation, service_user: User
) -> None:
    community, _post = _community_with_topic(organisation, service_user)
    circle = Circle.objects.get(community=community)
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    log_in(page, service_user.email)

    page.goto(f"/circles/{circle.pk}/")
    page.get_by_role("link", name="End this circle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("End the circle “Dog walkers”?")
    expect(page.get_by_role("main")).to_contain_text("This cannot be undone.")
    page.get_by_role("link", name="No, go back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dog walkers")
    assert Circle.objects.filter(pk=circle.pk).exists()

    page.get_by_role("link", name="End this circle").click()
    page.get_by_role("button", name="Yes, end this circle").click()
    expect(page.get_by_role("main")).to_contain_text("The circle has ended.")
    assert not Circle.objects.filter(pk=circle.pk).exists()


@pytest.mark.browser
def test_the_forum_question_pages_pass_axe_and_fit_320_px(
    new_context: ContextFactory, organisation: Organisation, service_user: User
) -> None:
    community, post = _community_with_topic(organisation, service_user)
    circle = Circle.objects.get(community=community)
    page = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(page, service_user.email)
    problems: list[str] = []
    for path in (
        f"/posts/{post.pk}/delete/",
        f"/communities/{community.pk}/leave/",
        f"/circles/{circle.pk}/leave/",
        f"/circles/{circle.pk}/end/",
    ):
        page.set_viewport_size(PHONE)
        page.goto(path)
        expect(page.locator("[data-confirmation]")).to_be_visible()
        problems += axe_violations(page)
        page.set_viewport_size(NARROWEST)
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(overflow)
    assert not problems, "\n".join(problems)
