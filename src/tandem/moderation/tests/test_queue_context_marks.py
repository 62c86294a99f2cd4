"""The item page's thread context shows deleted, hidden and edited posts for what they are
(issue 19, item 3): who and when, and never the text of a post its author deleted, except the
post under review when it was deleted after it came before the moderators (least privilege,
docs/moderation.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Post, Topic
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import selectors, services
from tandem.moderation.models import ReviewItem

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> time_machine.travel:
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def _report(reporter: User, post: Post) -> ReviewItem:
    services.report_post(reporter=reporter, post=post, reason="harmful", text="unkind")
    return ReviewItem.objects.get(post=post)


def _item_page(mo: User, item: ReviewItem) -> str:
    response = login_client(Client(), mo).get(f"/moderation/items/{item.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _article(page: str, marker: str) -> str:
    """The HTML of the article that carries ``marker`` (an attribute)."""
    start = page.rindex("<article", 0, page.index(marker))
    return page[start : page.index("</article>", start)]


@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    with _at(0):
        return make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")


def test_a_deleted_post_in_context_is_marked_with_when_and_its_text_is_not_shown(
    otter: User, skylark: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        regretted = reply(otter, topic, body="Something I took back")
    with _at(2):
        reported = reply(skylark, topic, body="Mean words")
    with _at(3):
        forum_services.delete_post(user=otter, post=regretted)
        item = _report(member(), reported)

    page = _item_page(mo, item)
    context = _article(page, f'data-context-post="{regretted.pk}"')
    assert "Deleted by its author on 2 Mar 2026, 09:03" in context
    assert "data-text-withheld" in context
    assert "Something I took back" not in page
    # The opening post before it is shown as it is.
    assert "Nights are the worst." in page


def test_an_edited_post_is_marked_with_who_edited_it_and_when(
    otter: User, skylark: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        own_edit = reply(otter, topic, body="First thought")
    with _at(2):
        moderated = reply(otter, topic, body="Rude words")
        moderated_item = _report(member(), moderated)
    with _at(3):
        forum_services.edit_post(editor=otter, post=own_edit, body="Second thought")
    with _at(4):
        services.edit_item(moderator=mo, item=moderated_item, body="Kinder words", reason="Tone")
    with _at(5):
        reported = reply(skylark, topic, body="Mean words")
        item = _report(member(), reported)

    page = _item_page(mo, item)
    by_author = _article(page, f'data-context-post="{own_edit.pk}"')
    assert 'data-edited="author"' in by_author
    assert "Edited by its author on 2 Mar 2026, 09:03" in by_author
    assert "Second thought" in by_author
    by_moderator = _article(page, f'data-context-post="{moderated.pk}"')
    assert 'data-edited="moderator"' in by_moderator
    assert "Edited by a moderator on 2 Mar 2026, 09:04" in by_moderator
    # Nothing happened to the post under review: no marks.
    assert "data-edited" not in _article(page, 'id="post-under-review"')


def test_an_author_edit_after_a_moderator_edit_is_the_authors(
    otter: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        post = reply(otter, topic, body="Rude words")
        item = _report(member(), post)
    with _at(2):
        services.edit_item(moderator=mo, item=item, body="Kinder words", reason="Tone")
    with _at(3):
        post.refresh_from_db()
        forum_services.edit_post(editor=otter, post=post, body="My own kinder words")
    with _at(4):
        services.report_post(reporter=member(), post=post, reason="spam")
    latest = ReviewItem.objects.filter(post=post).order_by("-pk").first()
    assert latest is not None
    shown = selectors.item_context(latest).under_review
    assert (shown.edited_at, shown.edited_by_moderator) == (START + timedelta(minutes=3), False)


def test_a_hidden_post_in_context_is_marked_hidden_by_a_moderator_with_its_text(
    otter: User, skylark: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        hidden = reply(otter, topic, body="Words a moderator hid")
        services.hide_item(moderator=mo, item=_report(member(), hidden), reason="Unkind")
    with _at(2):
        reported = reply(skylark, topic, body="Mean words")
        item = _report(member(), reported)

    context = _article(_item_page(mo, item), f'data-context-post="{hidden.pk}"')
    assert "data-hidden" in context
    assert "Hidden by a moderator on 2 Mar 2026, 09:01" in context
    assert "Words a moderator hid" in context  # moderators may read hidden posts


def test_the_post_under_review_deleted_after_it_came_here_keeps_its_text_marked_deleted(
    otter: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        post = reply(otter, topic, body="I might not be here tomorrow")
        item = _report(member(), post)
    with _at(2):
        forum_services.delete_post(user=otter, post=post)

    under_review = _article(_item_page(mo, item), 'id="post-under-review"')
    assert "Deleted by its author on 2 Mar 2026, 09:02" in under_review
    assert "you see its text for this review only" in under_review
    assert "I might not be here tomorrow" in under_review


def test_the_post_under_review_deleted_before_its_item_opened_shows_no_text(
    otter: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        post = reply(otter, topic, body="Already gone")
        item = _report(member(), post)
    # A deletion older than the item (written by code: a report needs a visible post).
    Post.objects.filter(pk=post.pk).update(deleted_at=START)
    item.refresh_from_db()

    shown = selectors.item_context(item).under_review
    assert not shown.show_text
    under_review = _article(_item_page(mo, item), 'id="post-under-review"')
    assert "data-text-withheld" in under_review
    assert "Already gone" not in under_review


def test_the_authors_recent_posts_do_not_show_a_deleted_posts_text(
    otter: User, member: Callable[..., User], mo: User, topic: Topic
) -> None:
    with _at(1):
        gone = reply(otter, topic, body="Words taken back")
        forum_services.delete_post(user=otter, post=gone)
    with _at(2):
        item = _report(member(), reply(otter, topic, body="Mean words"))

    page = _item_page(mo, item)
    assert "Words taken back" not in page
    assert "Deleted by its author" in page


def test_the_persons_page_does_not_show_a_deleted_posts_text(
    otter: User, mo: User, topic: Topic
) -> None:
    with _at(1):
        gone = reply(otter, topic, body="Words taken back")
        forum_services.delete_post(user=otter, post=gone)
    with _at(2):
        reply(otter, topic, body="Words that stay")
    community = topic.community
    response = login_client(Client(), mo).get(
        f"/moderation/communities/{community.pk}/people/{otter.pk}/"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Words taken back" not in page
    assert "Deleted by its author" in page
    assert "Words that stay" in page
