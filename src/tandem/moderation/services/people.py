"""Acting on a person: warnings, mutes, suspensions and lifting them; writing to an author;
notes for the other moderators."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.forum.models import Community
from tandem.messaging import services as messaging_services
from tandem.moderation.models import (
    AuditAction,
    ModeratorNote,
    ReviewItem,
    Sanction,
    SanctionKind,
)
from tandem.moderation.outreach import threads as outreach_threads
from tandem.moderation.services.audit import (
    _community_of,
    check_moderator,
    mark_reviewed,
    record,
    require_reason,
)
from tandem.notifications.services import notify

MAX_MUTE_HOURS = 24 * 90
MAX_SUSPEND_DAYS = 365


def _sanction(
    *,
    moderator: User,
    community: Community,
    subject: User,
    kind: str,
    reason: str,
    until: datetime | None,
    item: ReviewItem | None,
) -> Sanction:
    check_moderator(moderator, community)
    reason = require_reason(reason)
    if subject.pk == moderator.pk:
        raise ValidationError(_("You cannot act on yourself."))
    sanction = Sanction(
        community=community,
        user=subject,
        kind=SanctionKind(kind),
        reason=reason,
        created_by=moderator,
        until=until,
    )
    sanction.full_clean()
    sanction.save()
    if item is not None:
        mark_reviewed(item)
    detail = ""
    if until is not None:
        detail = _("until %(until)s") % {
            "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        }
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction(kind),
        reason=reason,
        subject=subject,
        post=item.post if item else None,
        detail=detail,
    )
    titles = {
        SanctionKind.WARN: _("A moderator of %(community)s sent you a warning."),
        SanctionKind.MUTE: _("A moderator has paused your posting in %(community)s."),
        SanctionKind.SUSPEND: _("A moderator has suspended you from %(community)s."),
    }
    notify(
        recipient=subject,
        kind=f"moderation.{kind}",
        title=titles[SanctionKind(kind)] % {"community": community.name},
        url=reverse("moderation:about-me"),
    )
    return sanction


@transaction.atomic
def warn_person(
    *,
    moderator: User,
    community: Community,
    subject: User,
    reason: str,
    item: ReviewItem | None = None,
) -> Sanction:
    """Warn ``subject``; they read the warning (the reason) on their "Moderation and me" page."""
    return _sanction(
        moderator=moderator,
        community=community,
        subject=subject,
        kind=SanctionKind.WARN,
        reason=reason,
        until=None,
        item=item,
    )


@transaction.atomic
def mute_person(
    *,
    moderator: User,
    community: Community,
    subject: User,
    reason: str,
    hours: int,
    item: ReviewItem | None = None,
) -> Sanction:
    """Stop ``subject`` posting in ``community`` for ``hours``; they can still read."""
    if not 1 <= hours <= MAX_MUTE_HOURS:
        raise ValidationError({"hours": _("Choose between 1 hour and 90 days.")})
    return _sanction(
        moderator=moderator,
        community=community,
        subject=subject,
        kind=SanctionKind.MUTE,
        reason=reason,
        until=timezone.now() + timedelta(hours=hours),
        item=item,
    )


@transaction.atomic
def suspend_person(
    *,
    moderator: User,
    community: Community,
    subject: User,
    reason: str,
    days: int | None,
    item: ReviewItem | None = None,
) -> Sanction:
    """Shut ``community`` for ``subject`` for ``days`` (until lifted when None)."""
    if days is not None and not 1 <= days <= MAX_SUSPEND_DAYS:
        raise ValidationError({"days": _("Choose between 1 and 365 days, or leave it empty.")})
    until = timezone.now() + timedelta(days=days) if days else None
    return _sanction(
        moderator=moderator,
        community=community,
        subject=subject,
        kind=SanctionKind.SUSPEND,
        reason=reason,
        until=until,
        item=item,
    )


@transaction.atomic
def lift_sanction(*, moderator: User, sanction: Sanction, reason: str) -> Sanction:
    community = sanction.community
    check_moderator(moderator, community)
    reason = require_reason(reason)
    sanction.lifted_at = timezone.now()
    sanction.save(update_fields=["lifted_at"])
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.LIFT,
        reason=reason,
        subject=sanction.user,
        detail=sanction.kind,
    )
    return sanction


@transaction.atomic
def reach_out(
    *, moderator: User, item: ReviewItem, body: str, client_key: uuid.UUID
) -> messaging_services.SendResult:
    """Write privately to the author of ``item``'s post, in the item's conversation (opened by
    the first message; one per review item) and the author can answer until the item is
    resolved.

    The message goes through messaging: encrypted, stored once per ``client_key`` (a double
    submit returns the stored message), live to open pages; the author's notification says
    only that a moderator of the community wrote. Every new message a moderator writes there
    is audited (``outreach.kind``). Raise PermissionDenied for a resolved item (its
    conversation is closed, or was never started) and ValidationError for an empty message.
    """
    community = _community_of(item)
    check_moderator(moderator, community)
    if item.post.author_id == moderator.pk:
        raise ValidationError(_("You cannot write to yourself."))
    thread = outreach_threads.thread_for_item(item)
    if thread is None:
        refused = outreach_threads.cannot_start_reason(item)
        if refused:
            raise PermissionDenied(refused)
        thread = outreach_threads.open_thread_for_item(item, moderator=moderator)
    return messaging_services.send_message(
        sender=moderator, thread=thread, body=body, client_key=client_key
    )


@transaction.atomic
def add_note(*, moderator: User, community: Community, subject: User, body: str) -> ModeratorNote:
    """A note about a pseudonym for the community's other moderators (shift handover)."""
    check_moderator(moderator, community)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the note.")})
    note = ModeratorNote(community=community, subject=subject, author=moderator, body=body)
    note.full_clean()
    note.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.NOTE,
        subject=subject,
    )
    return note


# Identity reveals need two people (issue 13): ``moderation.identity.services``.
