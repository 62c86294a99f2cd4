"""Every change of state in moderation. Keyword-only, atomic, validated; each moderator action
writes one append-only ``AuditEntry`` with its reason, and people are told through
``notifications.services.notify`` (the email, content-free, goes after commit).

The acting moderator's rights are checked here too (``check_moderator``), so a service called
from anywhere refuses a person who does not moderate the community.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum import services as forum_services
from tandem.forum.models import Community, ModerationState, Post, Topic
from tandem.forum.selectors import COMMUNITY_SCOPE
from tandem.messaging import services as messaging_services
from tandem.moderation import limits
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import (
    REPORT_RISK,
    AuditAction,
    AuditEntry,
    CommunitySettings,
    ItemState,
    ModeratorDuty,
    ModeratorNote,
    Outcome,
    Report,
    ReportReason,
    ReviewItem,
    Sanction,
    SanctionKind,
    ScreeningDecision,
    SlowMode,
    WatchedWord,
)
from tandem.moderation.outreach import threads as outreach_threads
from tandem.moderation.posting import is_moderator, open_item
from tandem.notifications.services import notify

MAX_MUTE_HOURS = 24 * 90
MAX_SUSPEND_DAYS = 365


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
) -> AuditEntry:
    """Append one entry to the audit log (``actor`` None: Tandem acted by itself)."""
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


# ---------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class ReportResult:
    report: Report
    updated: bool


@transaction.atomic
def report_post(*, reporter: User, post: Post, reason: str, text: str = "") -> ReportResult:
    """Report ``post`` (which the reporter can see: pass it through the forum's gate).

    Reports of one post merge into its open review item; the same person reporting again
    updates their report. Reporting one's own post is refused; 10 reports an hour at most.
    """
    if post.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own post. You can edit or delete it."))
    reason = ReportReason(reason)
    if reason == ReportReason.OTHER and not text.strip():
        raise ValidationError({"text": _("Tell the moderators what is wrong.")})
    recent = Report.objects.filter(
        reporter=reporter, created_at__gte=timezone.now() - limits.HOUR
    ).count()
    if recent >= limits.REPORTS_PER_HOUR:
        raise PostingLimitError(
            _("You have sent %(n)s reports in the last hour. Please wait a little.")
            % {"n": limits.REPORTS_PER_HOUR}
        )
    community = post.topic.community
    item = open_item(post=post, community=community, risk=REPORT_RISK[reason], held=False)
    existing = Report.objects.filter(item=item, reporter=reporter).first()
    if existing is not None:
        existing.reason = reason
        existing.text = text.strip()
        existing.full_clean()
        existing.save(update_fields=["reason", "text"])
        return ReportResult(report=existing, updated=True)
    report = Report(item=item, post=post, reporter=reporter, reason=reason, text=text.strip())
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # a double click raced us: the report is there
        report = Report.objects.get(item=item, reporter=reporter)
        return ReportResult(report=report, updated=True)
    if reason == ReportReason.SAFETY:
        from tandem.moderation.posting import MODERATION_SCOPE, moderators_to_alert

        for moderator in moderators_to_alert(community):
            notify(
                recipient=moderator,
                kind="moderation.safety_report",
                title=_("Urgent: a member is worried about someone's safety in %(community)s")
                % {"community": community.name},
                url=reverse("moderation:item-detail", kwargs={"item_id": item.pk}),
                scope_type=MODERATION_SCOPE,
                scope_id=community.pk,
            )
    return ReportResult(report=report, updated=False)


# ---------------------------------------------------------------------------------------------
# Acting on a post


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


@transaction.atomic
def hide_item(*, moderator: User, item: ReviewItem, reason: str) -> ReviewItem:
    """Hide the post from everyone but its author (who sees why) and close the item."""
    community = _community_of(item)
    check_moderator(moderator, community)
    reason = require_reason(reason)
    post = item.post
    forum_services.hide_post(post=post, note=reason)
    _resolve(item, moderator, "hidden", Outcome.UPHELD)
    outreach_threads.close_outreach_for_item(item)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.HIDE,
        reason=reason,
        subject=post.author,
        post=post,
    )
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
    _resolve(item, moderator, "edited", Outcome.UPHELD)
    outreach_threads.close_outreach_for_item(item)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.EDIT,
        reason=reason,
        subject=post.author,
        post=post,
    )
    _tell_author(post, community, _("A moderator edited one of your posts. See what changed."))
    return item


# ---------------------------------------------------------------------------------------------
# Acting on a person


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


# ---------------------------------------------------------------------------------------------
# Duty, slow mode, watched words, settings


@transaction.atomic
def set_duty(*, moderator: User, organisation: Organisation, on_duty: bool) -> ModeratorDuty:
    if not Membership.objects.filter(
        user=moderator, organisation=organisation, role=Role.MODERATOR
    ).exists():
        raise PermissionDenied
    duty, _created = ModeratorDuty.objects.update_or_create(
        user=moderator,
        organisation=organisation,
        defaults={"on_duty": on_duty, "changed_at": timezone.now()},
    )
    return duty


@transaction.atomic
def set_slow_mode(
    *, moderator: User, topic: Topic, minutes: int | None, reason: str
) -> SlowMode | None:
    """Switch slow mode on (one reply per person every ``minutes``) or off (None)."""
    community = topic.community
    check_moderator(moderator, community)
    reason = require_reason(reason)
    if minutes is None:
        SlowMode.objects.filter(topic=topic).delete()
        slow = None
    else:
        if not 1 <= minutes <= 24 * 60:
            raise ValidationError({"minutes": _("Choose between 1 minute and 24 hours.")})
        slow, _created = SlowMode.objects.update_or_create(
            topic=topic, defaults={"interval_minutes": minutes, "set_by": moderator}
        )
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.SLOW_MODE,
        reason=reason,
        detail=(_("on, %(n)s minutes") % {"n": minutes}) if minutes else _("off"),
    )
    return slow


@transaction.atomic
def add_watched_word(
    *, moderator: User, community: Community, word: str, action: str, replacement: str = ""
) -> WatchedWord:
    check_moderator(moderator, community)
    word = " ".join(word.split())
    if not word:
        raise ValidationError({"word": _("Enter a word or phrase.")})
    if WatchedWord.objects.filter(community=community, word__iexact=word).exists():
        raise ValidationError({"word": _("This word is already on the list.")})
    watched = WatchedWord(
        community=community,
        word=word,
        action=action,
        replacement=replacement.strip(),
        created_by=moderator,
    )
    watched.full_clean()
    watched.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.WATCHED_WORD,
        detail=_("added “%(word)s” (%(action)s)") % {"word": word, "action": action},
    )
    return watched


@transaction.atomic
def remove_watched_word(*, moderator: User, watched: WatchedWord) -> None:
    community = watched.community
    check_moderator(moderator, community)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.WATCHED_WORD,
        detail=_("removed “%(word)s”") % {"word": watched.word},
    )
    watched.delete()


@transaction.atomic
def update_settings(
    *,
    moderator: User,
    community: Community,
    premoderation: str,
    new_member_held_posts: int,
    new_member_topics_per_day: int,
    new_member_replies_per_day: int,
    reason: str,
) -> CommunitySettings:
    check_moderator(moderator, community)
    reason = require_reason(reason)
    options, _created = CommunitySettings.objects.get_or_create(community=community)
    options.premoderation = premoderation
    options.new_member_held_posts = new_member_held_posts
    options.new_member_topics_per_day = new_member_topics_per_day
    options.new_member_replies_per_day = new_member_replies_per_day
    options.full_clean()
    options.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.SETTINGS,
        reason=reason,
        detail=f"{premoderation}, {new_member_held_posts}, {new_member_topics_per_day}, "
        f"{new_member_replies_per_day}",
    )
    return options
