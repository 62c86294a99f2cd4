"""The moderator's rights, the reason every action needs, the append-only audit log, and how
an item is resolved and its author told. Every other services module builds on these."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.change_record import ChangeKind, Values, record_change
from tandem.forum.models import Community, Post
from tandem.forum.selectors import COMMUNITY_SCOPE
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    ItemState,
    Outcome,
    ReviewItem,
    ScreeningDecision,
)
from tandem.moderation.posting import is_moderator
from tandem.notifications.services import notify


def check_moderator(user: User, community: Community) -> None:
    """Raise PermissionDenied unless ``user`` is an active moderator of ``community``."""
    if not user.is_active or not is_moderator(user, community):
        raise PermissionDenied


def require_reason(reason: str) -> str:
    """Return the reason stripped; raise ValidationError when there is none."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason. It is recorded in the audit log.")})
    return reason


# How the audit log names actions taken by Tandem itself (the escalation sweep).
AUTOMATIC_ACTOR = "Tandem"
# Actions that change a community's rules rather than act on a post or a person.
COMMUNITY_SETTING_ACTIONS = frozenset(
    {
        AuditAction.SETTINGS,
        AuditAction.SLOW_MODE,
        AuditAction.WATCHED_WORD,
        AuditAction.COMMUNITY,
        AuditAction.CATEGORY,
        AuditAction.CONDUCT,
    }
)


def record(
    *,
    actor: User | None,
    organisation_id: int,
    action: str,
    reason: str = "",
    community: Community | None = None,
    subject: User | None = None,
    post: Post | None = None,
    detail: str = "",
    before: Values | None = None,
    after: Values | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (``actor`` None: Tandem acted by itself), and one
    line to the change record pointing at it (the request id, and ``before``/``after``:
    setting names and values, never the reason or the detail's words)."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        community=community,
        actor=actor,
        actor_pseudonym=actor.pseudonym if actor is not None else AUTOMATIC_ACTOR,
        subject=subject,
        subject_pseudonym=subject.pseudonym if subject else "",
        post=post,
        action=AuditAction(action),
        reason=reason,
        detail=detail[:300],
    )
    entry.full_clean()
    entry.save()
    record_change(
        actor=actor,
        kind=ChangeKind.COMMUNITY_SETTINGS_CHANGED
        if entry.action in COMMUNITY_SETTING_ACTIONS
        else ChangeKind.MODERATOR_ACTION,
        subject_id=subject.pk if subject else None,
        target=entry,
        before=before,
        after={"action": entry.action, "community": entry.community_id, **(after or {})},
    )
    return entry


def _outcome_url(post: Post) -> str:
    return reverse("moderation:post-outcome", kwargs={"post_id": post.pk})


def _tell_author(post: Post, community: Community, title: str) -> None:
    notify(
        recipient=post.author,
        kind="moderation.outcome",
        title=title,
        url=_outcome_url(post),
        scope_type=COMMUNITY_SCOPE,
        scope_id=community.pk,
    )


def mark_reviewed(item: ReviewItem) -> None:
    """Note the first time someone acted on ``item`` (time to first review)."""
    if item.first_reviewed_at is None:
        item.first_reviewed_at = timezone.now()
        item.save(update_fields=["first_reviewed_at"])


def _resolve(item: ReviewItem, moderator: User, resolution: str, outcome: str) -> None:
    now = timezone.now()
    item.state = ItemState.RESOLVED
    item.resolved_at = now
    item.resolved_by = moderator
    item.resolution = resolution
    item.first_reviewed_at = item.first_reviewed_at or now
    item.save(
        update_fields=["state", "resolved_at", "resolved_by", "resolution", "first_reviewed_at"]
    )
    ScreeningDecision.objects.filter(post=item.post_id, outcome=Outcome.PENDING).update(
        outcome=outcome
    )


def _community_of(item: ReviewItem) -> Community:
    return item.community
