"""The moderation of the forum's writing services. The forum calls these, in its own
transaction, around every topic and reply it publishes (and every edit), through the screen
registered with ``forum.hooks`` (:class:`ForumScreen`, registered in ``apps.py``):

1. :func:`check_before_publish` (``checks.py``) refuses the post (the text is kept by the view)
   when the person is muted or suspended, over a rate limit or a new member's daily limit,
   inside a topic's slow mode, or using a watched word set to "block". It returns the text
   with "replace" words replaced.
2. :func:`screen_published_post` (``screen.py``) runs the risk screen and the community's
   pre-moderation and "hold" watched words on the saved post, records a
   ``ScreeningDecision`` per rule that fired, and holds the post (``Post.moderation_state =
   held``, a ``ReviewItem`` in the queue) when one says so. A high-risk hold tells the
   moderators on duty at once.

What both read about the person comes from one query (``snapshot.py``). Nothing here deletes
a post.
"""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.forum.hooks import PreparedPost
from tandem.forum.models import Community, Post, Topic
from tandem.moderation.posting.checks import Prepared, apply_watched_words, check_before_publish
from tandem.moderation.posting.screen import (
    LEVEL_RISK,
    MODERATION_SCOPE,
    ScreenOutcome,
    hold_post,
    moderators_on_duty,
    moderators_to_alert,
    open_item,
    screen_published_post,
)
from tandem.moderation.posting.snapshot import (
    Snapshot,
    Trust,
    is_moderator,
    record_visit,
    settings_for,
    take_snapshot,
    trust_for,
)

__all__ = [
    "LEVEL_RISK",
    "MODERATION_SCOPE",
    "ForumScreen",
    "Prepared",
    "ScreenOutcome",
    "Snapshot",
    "Trust",
    "apply_watched_words",
    "check_before_publish",
    "hold_post",
    "is_moderator",
    "moderators_on_duty",
    "moderators_to_alert",
    "open_item",
    "record_visit",
    "screen_published_post",
    "settings_for",
    "take_snapshot",
    "trust_for",
]


class ForumScreen:
    """The forum's post screen (``forum.hooks.PostScreen``). Each call looks its function up
    in this module when it runs, so tests and benchmarks that replace
    ``posting.check_before_publish`` or ``posting.screen_published_post`` are obeyed."""

    def check_before_publish(
        self, *, author: User, community: Community, body: str, topic: Topic | None = None
    ) -> Prepared:
        return check_before_publish(author=author, community=community, body=body, topic=topic)

    def apply_watched_words(self, *, community: Community, body: str) -> Prepared:
        return apply_watched_words(community=community, body=body)

    def screen_published_post(
        self, *, post: Post, community: Community, prepared: PreparedPost, is_edit: bool = False
    ) -> ScreenOutcome:
        # Only this screen's own answers come back to it.
        assert isinstance(prepared, Prepared)  # noqa: S101 - the forum passes back what check_before_publish returned
        return screen_published_post(
            post=post, community=community, prepared=prepared, is_edit=is_edit
        )
