"""What forum pages show from moderation (``forum.hooks.PageHints``) and what trust levels
allow in the forum (``forum.hooks.TrustRules``), registered in ``apps.py``: the forum asks
through the hooks and never imports moderation."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.forum.models import Community, Post, Topic
from tandem.moderation import posting, screening, selectors, trust


class ForumPageHints:
    def record_visit(self, *, user: User, community: Community) -> None:
        posting.record_visit(user=user, community=community)

    def needs_guidance(self, body: str) -> bool:
        return screening.needs_guidance(body)

    def post_needs_reminder(self, post: Post) -> bool:
        return selectors.post_needs_reminder(post)

    def slow_mode_minutes(self, topic: Topic) -> int | None:
        return selectors.slow_mode_minutes_for_topic(topic)


class ForumTrustRules:
    """Mentions and circles by trust level (``moderation.trust``); moderators always may. The
    level's name for a person's page in a community."""

    def _may(self, user: User, community: Community, capability: trust.Capability) -> bool:
        snapshot = posting.take_snapshot(author=user, community=community)
        return snapshot.is_moderator or trust.may(snapshot.trust.level, capability)

    def may_mention_anyone(self, *, user: User, community: Community) -> bool:
        return self._may(user, community, trust.Capability.MENTION_ANYONE)

    def may_create_circles(self, *, user: User, community: Community) -> bool:
        return self._may(user, community, trust.Capability.CREATE_CIRCLES)

    def level_name(self, *, user: User, community: Community) -> str | None:
        level = posting.take_snapshot(author=user, community=community).trust.level
        return str(trust.TrustLevel(level).label)
