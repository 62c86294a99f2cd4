"""What forum pages show from moderation (``forum.hooks.PageHints``), registered in
``apps.py``: the forum asks through the hook and never imports moderation."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.forum.models import Community, Post, Topic
from tandem.moderation import posting, screening, selectors


class ForumPageHints:
    def record_visit(self, *, user: User, community: Community) -> None:
        posting.record_visit(user=user, community=community)

    def needs_guidance(self, body: str) -> bool:
        return screening.needs_guidance(body)

    def post_needs_reminder(self, post: Post) -> bool:
        return selectors.post_needs_reminder(post)

    def slow_mode_minutes(self, topic: Topic) -> int | None:
        slow = selectors.slow_mode_for_topic(topic)
        return slow.interval_minutes if slow is not None else None
