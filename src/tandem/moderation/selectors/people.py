"""Reads about one person: their record in a community (for its moderators), and what
moderators did about them and said to them (for the person)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper

from tandem.accounts.models import User
from tandem.forum.models import Community
from tandem.messaging.models import Thread
from tandem.messaging.selectors import inbox_threads
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    ModeratorNote,
    ReviewItem,
    Sanction,
)
from tandem.moderation.outreach.threads import KIND as OUTREACH_KIND
from tandem.moderation.rules import sanction_in_force_q
from tandem.moderation.selectors.queue import AuthorHistory, author_history


@dataclass
class PersonRecord:
    subject: User
    history: AuthorHistory
    notes: list[ModeratorNote]
    sanctions: Sequence[Sanction]
    active: Sequence[Sanction]


def person_record(community: Community, subject: User) -> PersonRecord:
    """The person's record in ``community``: their posts, notes and latest sanctions, and which
    of those are in force now (``rules.sanction_in_force_q``, the one rule), in one query."""
    sanctions = list(
        Sanction.objects.filter(community=community, user=subject)
        .annotate(
            in_force=ExpressionWrapper(
                sanction_in_force_q(community_id=community.pk, user_id=subject.pk),
                output_field=BooleanField(),
            )
        )
        .select_related("created_by")
        .order_by("-created_at")[:50]
    )
    return PersonRecord(
        subject=subject,
        history=author_history(community, {subject.pk})[subject.pk],
        notes=list(
            ModeratorNote.objects.filter(community=community, subject=subject)
            .select_related("author")
            .order_by("-created_at")[:50]
        ),
        sanctions=sanctions,
        active=[sanction for sanction in sanctions if sanction.in_force],
    )


MY_ACTIONS = (
    AuditAction.REVEAL,
    AuditAction.ESCALATE,
    AuditAction.HIDE,
    AuditAction.EDIT,
    AuditAction.WARN,
    AuditAction.MUTE,
    AuditAction.SUSPEND,
    AuditAction.LIFT,
)


def moderation_about_me(user: User) -> list[AuditEntry]:
    """What moderators did about ``user``, identity reveals first among them: the person's
    right to know (the profile page can show the same through this selector)."""
    return list(
        AuditEntry.objects.filter(subject=user, action__in=MY_ACTIONS)
        .select_related("organisation", "community")
        .order_by("-created_at")[:100]
    )


@dataclass(frozen=True)
class ConversationWithModerators:
    thread: Thread
    community: str
    unread: int


def messages_for_user(user: User) -> list[ConversationWithModerators]:
    """``user``'s conversations with moderators about their posts, newest first, with unread
    counts (three queries: messaging's inbox, and the communities)."""
    threads = list(inbox_threads(user).filter(kind=OUTREACH_KIND).order_by("-last_message_at")[:50])
    names = dict(
        ReviewItem.objects.filter(
            pk__in=[t.context_id for t in threads if t.context_id]
        ).values_list("pk", "community__name")
    )
    return [
        ConversationWithModerators(
            thread=thread,
            community=names.get(thread.context_id or 0, ""),
            unread=getattr(thread, "unread", 0),
        )
        for thread in threads
    ]


def sanction_by_id(sanction_id: int) -> Sanction | None:
    """Sanction ``sanction_id``, None when there is none; the caller's gate checks the
    community."""
    return Sanction.objects.filter(pk=sanction_id).first()
