"""The forum: communities, their categories and topics, a topic's posts, and replying.

Every read goes through the forum's gates (``forum.access``: membership now, the current code
of conduct accepted, the topic's visibility) and the forum's selectors; a reply goes through
``forum.services.reply_to_topic``, so the moderation screen, posting limits, slow mode and
locks apply as on the pages. Pseudonyms only, as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tandem.api.routers.common import (
    REFUSALS,
    WRITE_REFUSALS,
    Id,
    PageNumber,
    checked,
    paged,
    person,
)
from tandem.api.schemas import (
    CategoryOut,
    CommunityOut,
    Page,
    ReplyIn,
    ReplyOut,
    TopicDetailOut,
    TopicSummaryOut,
)
from tandem.forum import access, selectors, services
from tandem.forum.forms import ReplyForm
from tandem.forum.models import Post, Topic

router = Router(tags=["Forum"])


def _state(post: Post) -> str:
    if post.is_deleted:
        return "deleted"
    return str(post.moderation_state)


def _shown_body(post: Post, *, reader_id: int, is_moderator: bool) -> str:
    """The body as the topic page shows it (``forum/templatetags/forum_posts.py``): nothing of
    a deleted post, and nothing of a hidden one except to its author and the moderators."""
    if post.is_deleted:
        return ""
    if post.is_hidden and post.author_id != reader_id and not is_moderator:
        return ""
    return post.body_html


@router.get("/forum/communities", response={200: list[CommunityOut], **REFUSALS})
def community_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Communities the person is in, and open ones they could join (join in Tandem)."""
    return [
        {
            "id": choice.community.pk,
            "name": choice.community.name,
            "is_member": choice.is_member,
            "needs_conduct": choice.needs_conduct,
        }
        for choice in selectors.communities_for_user(person(request))
    ]


@router.get(
    "/forum/communities/{community_id}/categories", response={200: list[CategoryOut], **REFUSALS}
)
def category_list(request: HttpRequest, community_id: Id) -> list[dict[str, Any]]:
    user = person(request)
    community = access.get_community_access(user, community_id).community
    return [
        {
            "id": category.pk,
            "name": category.name,
            "topic_count": getattr(category, "topic_count", 0),
            "unread_count": getattr(category, "unread_count", 0),
        }
        for category in selectors.categories_for_community(user, community)
    ]


@router.get(
    "/forum/categories/{category_id}/topics", response={200: Page[TopicSummaryOut], **REFUSALS}
)
def topic_list(request: HttpRequest, category_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """A category's topics, newest activity first."""
    user = person(request)
    category = selectors.category_by_id(category_id)
    if category is None:
        raise Http404
    category.community = access.get_community_access(user, category.community_id).community

    def shape(topic: Topic) -> dict[str, Any]:
        return {
            "id": topic.pk,
            "title": topic.title,
            "author": topic.author.pseudonym,
            "reply_count": topic.reply_count,
            "last_posted_at": topic.last_posted_at,
        }

    return paged(selectors.topics_in_category(user, category), page, shape)


@router.get("/forum/topics/{topic_id}", response={200: TopicDetailOut, **REFUSALS})
def topic_detail(request: HttpRequest, topic_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """A topic and a page of its posts, oldest first."""
    user = person(request)
    # What the gate decided about the person there: the posts selector reads it (moderators
    # see held posts).
    found = access.get_topic_access(user, topic_id)
    topic, moderator = found.topic, found.member.is_moderator

    def shape(post: Post) -> dict[str, Any]:
        return {
            "id": post.pk,
            "author": post.author.pseudonym,
            "is_opening": post.is_opening,
            "body_html": _shown_body(post, reader_id=user.pk, is_moderator=moderator),
            "professional_title": post.professional_title,
            "published_at": post.published_at,
            "edited_at": post.edited_at,
            "state": _state(post),
        }

    return {
        "topic": {
            "id": topic.pk,
            "title": topic.title,
            "community_id": topic.community_id,
            "category_id": topic.category_id,
            "visibility": topic.visibility,
            "locked": topic.community.is_locked or topic.category.is_locked,
        },
        "posts": paged(selectors.posts_of_topic(user, found), page, shape),
    }


@router.post("/forum/topics/{topic_id}/replies", response={201: ReplyOut, **WRITE_REFUSALS})
def reply_create(request: HttpRequest, topic_id: Id, payload: ReplyIn) -> Status[dict[str, Any]]:
    """Publish a reply. The moderation screen runs as for the pages: a reply it holds answers
    ``state: held`` (only its author and the moderators see it until reviewed). The same
    ``client_key`` again publishes nothing new and answers with the reply stored."""
    user = person(request)
    found = access.get_topic_access(user, topic_id)
    topic = found.topic
    form = ReplyForm(
        {
            "body": payload.body,
            "client_key": str(payload.client_key),
            "quoted_post": payload.quoted_post or "",
            "as_professional": "on" if payload.as_professional else "",
        },
        professional=found.member.is_verified_provider,
    )
    data = checked(form)
    quote = (
        selectors.quotable_post(topic, data["quoted_post"])
        if data.get("quoted_post") is not None
        else None
    )
    try:
        post = services.reply_to_topic(
            author=user,
            topic=topic,
            body=data["body"],
            quoted_post=quote,
            as_professional=data.get("as_professional", False),
            client_key=data.get("client_key"),
        )
    except PermissionDenied as refused:
        raise PermissionDenied(
            str(refused) or _("This community is locked: nobody can post in it at the moment.")
        ) from refused
    return Status(201, {"id": post.pk, "topic_id": topic.pk, "state": _state(post)})
