"""Where a post lives in the pages: the one answer to "send them back to this post".

A published post sits on a page of its topic; a draft has no place in a topic yet, so it
lives where its author goes on writing it (the reply box, or the new-topic form of a draft
topic). Views redirect here after an edit, a reaction or a mute, whatever state the post is
in: counting a page from a draft's empty ``published_at`` used to answer 500 (issue 13).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from tandem.forum.models import Post

# Posts on one page of a topic (the topic page paginates with it).
POSTS_PER_PAGE = 50


def post_page_url(post: Post) -> str:
    """Return the URL that shows ``post`` to its readers, or to its author while a draft.

    The page number counts every published post before it, as the topic page orders them (by
    publication time, then id). A published post without a publication time (written by code:
    seeds, benchmark data) links to its topic's first page.
    """
    topic_url = reverse("forum:topic-detail", kwargs={"topic_id": post.topic_id})
    if post.is_draft:
        if post.is_opening:
            create_url = reverse(
                "forum:topic-create", kwargs={"community_id": post.topic.community_id}
            )
            return f"{create_url}?draft={post.topic_id}"
        return f"{topic_url}#reply"
    if post.published_at is None:
        return _on_page(post, 0)
    return _on_page(post, _published_before(post.topic_id, post.published_at).count())


def _published_before(topic: Any, moment: Any) -> QuerySet[Post]:
    """The published posts of ``topic`` before ``moment`` (both may be outer references):
    what comes before a post on its topic's pages."""
    return Post.objects.filter(topic=topic, is_draft=False, published_at__lt=moment)


def _on_page(post: Post, before: int) -> str:
    topic_url = reverse("forum:topic-detail", kwargs={"topic_id": post.topic_id})
    anchor = f"#post-{post.pk}"
    page = before // POSTS_PER_PAGE + 1
    return f"{topic_url}?page={page}{anchor}" if page > 1 else f"{topic_url}{anchor}"


def published_post_urls(posts: list[Post]) -> dict[int, str]:
    """:func:`post_page_url` for many published posts at once (search results), in one
    query: each post's page counts the posts before it in its topic."""
    if not posts:
        return {}
    before = (
        _published_before(OuterRef("topic_id"), OuterRef("published_at"))
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = dict(
        Post.objects.filter(pk__in=[post.pk for post in posts])
        .annotate(before=Coalesce(Subquery(before), 0))
        .values_list("pk", "before")
    )
    return {post.pk: _on_page(post, counts.get(post.pk, 0)) for post in posts}
