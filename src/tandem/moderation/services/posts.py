"""Acting on a post under review: approve, hide, edit."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum import services as forum_services
from tandem.forum.models import Community, ModerationState
from tandem.moderation.models import (
    AuditAction,
    Outcome,
    ReviewItem,
)
from tandem.moderation.outreach import threads as outreach_threads
from tandem.moderation.services.audit import (
    _community_of,
    _resolve,
    _tell_author,
    check_moderator,
    record,
    require_reason,
)


@transaction.atomic
def approve_item(*, moderator: User, item: ReviewItem, reason: str) -> ReviewItem:
    """Show the post (if held) and close the item. For a held post this overrules the screen."""
    community = _community_of(item)
    check_moderator(moderator, community)
    reason = require_reason(reason)
    post = item.post
    was_held = post.moderation_state == ModerationState.HELD
    if was_held:
        forum_services.release_held_post(post=post)
    _resolve(item, moderator, "approved", Outcome.OVERRULED)
    outreach_threads.close_outreach_for_item(item)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.APPROVE,
        reason=reason,
        subject=post.author,
        post=post,
    )
    if was_held:
        _tell_author(post, community, _("A moderator has looked at your post: it is now visible."))
    return item


def _uphold(
    item: ReviewItem,
    moderator: User,
    community: Community,
    resolution: str,
    action: AuditAction,
    reason: str,
) -> None:
    """What every upheld item ends with: closed, its outreach closed, one audit entry."""
    _resolve(item, moderator, resolution, Outcome.UPHELD)
    outreach_threads.close_outreach_for_item(item)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=action,
        reason=reason,
        subject=item.post.author,
        post=item.post,
    )


@transaction.atomic
def hide_item(*, moderator: User, item: ReviewItem, reason: str) -> ReviewItem:
    """Hide the post from everyone but its author (who sees why) and close the item."""
    community = _community_of(item)
    check_moderator(moderator, community)
    reason = require_reason(reason)
    post = item.post
    forum_services.hide_post(post=post, note=reason)
    _uphold(item, moderator, community, "hidden", AuditAction.HIDE, reason)
    _tell_author(post, community, _("A moderator hid one of your posts. See why."))
    return item


@transaction.atomic
def edit_item(*, moderator: User, item: ReviewItem, body: str, reason: str) -> ReviewItem:
    """Change the post's text with a visible note, show it, and close the item."""
    community = _community_of(item)
    check_moderator(moderator, community)
    reason = require_reason(reason)
    post = item.post
    forum_services.moderator_edit_post(post=post, body=body, note=reason)
    _uphold(item, moderator, community, "edited", AuditAction.EDIT, reason)
    _tell_author(post, community, _("A moderator edited one of your posts. See what changed."))
    return item
