"""Reads for a member's page in a community (``forum/profiles.py``): their recent posts that
the reader may already read, and their trust level there."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from tandem.accounts.models import User
from tandem.forum import hooks
from tandem.forum.links import published_post_urls
from tandem.forum.models import Post
from tandem.forum.profiles import MemberProfile
from tandem.forum.search import highlight
from tandem.forum.selectors.posts import visible_published_posts

# A page, not an archive: the newest posts are enough to recognise someone.
RECENT_POSTS = 20


@dataclass(frozen=True)
class ProfilePost:
    """One of the person's posts as their page lists it: where it is, and its opening words."""

    post: Post
    url: str
    excerpt: SafeString


def recent_posts_on_profile(reader: User, profile: MemberProfile) -> list[ProfilePost]:
    """The person's newest posts in this community that ``reader`` may already read, newest
    first: search's rule (``visible_published_posts``, the topic pages' visibility: circle
    topics only for the circle's members, held, hidden, deleted and draft posts never), in
    this community only. Three queries whatever the number of posts."""
    posts = list(
        visible_published_posts(reader)
        .filter(author_id=profile.person.pk, topic__community_id=profile.community.pk)
        .select_related("topic")
        .only("pk", "body", "published_at", "topic_id", "topic__title")
        .order_by("-published_at", "-pk")[:RECENT_POSTS]
    )
    urls = published_post_urls(posts)
    return [
        ProfilePost(post=post, url=urls[post.pk], excerpt=highlight(post.body, ""))
        for post in posts
    ]


def trust_level_name(profile: MemberProfile) -> str | None:
    """The name of the person's trust level in the community (registered by moderation,
    ``forum.hooks``), or None where there are no trust levels."""
    return hooks.trust_rules().level_name(user=profile.person, community=profile.community)
