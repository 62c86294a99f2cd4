"""The rules of moderation threads, registered with messaging in ``ModerationConfig.ready``.

- The author of the post (the thread's service user) reads it, always, and writes while the
  review item is open.
- The community's moderators (the moderator role in its organisation, as
  ``moderated_items``) read it, and write while the item is open; a moderator
  who writes becomes a participant, so unread counts, notifications and live events reach them.
- Nobody else reads it: organisation admins, providers, other members and other
  organisations' moderators get a 404.
- Pseudonyms only: moderators see the author's display name, never the real name; the author
  sees "Moderator <display name>".
- Every message a moderator writes, from the review page or from /messages/, is in the audit
  log; the first one counts as a first review of the item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Role, User
from tandem.messaging.kinds import Panel
from tandem.messaging.models import Message, Side, Thread
from tandem.moderation import services
from tandem.moderation.models import AuditAction, ItemState, ReviewItem
from tandem.moderation.outreach.threads import KIND

PANEL_TEMPLATE = "moderation/includes/outreach_panel.html"


def moderated_items(user: User) -> QuerySet[ReviewItem]:
    """Review items of the communities whose organisation ``user`` moderates."""
    organisations = Membership.objects.filter(user=user, role=Role.MODERATOR).values(
        "organisation_id"
    )
    return ReviewItem.objects.filter(community__organisation_id__in=organisations)


def _item(thread: Thread) -> ReviewItem | None:
    if thread.context_id is None:
        return None
    return (
        ReviewItem.objects.select_related("community", "post", "post__author")
        .filter(pk=thread.context_id)
        .first()
    )


def panel_context(
    viewer: User,
    *,
    is_author: bool,
    community: str,
    item_id: int | None = None,
    post_id: int | None = None,
) -> dict[str, Any]:
    """What the note next to the conversation says to ``viewer``; with ``item_id`` and
    ``post_id`` (on the thread's own page) it also links to the outcome or review page."""
    context: dict[str, Any] = {
        "is_author": is_author,
        "community": community,
        "pseudonym": viewer.pseudonym,
        "link": "",
    }
    if is_author and post_id is not None:
        context["link"] = reverse("moderation:post-outcome", kwargs={"post_id": post_id})
        context["link_text"] = _("About your post")
    elif not is_author and item_id is not None:
        context["link"] = reverse("moderation:item-detail", kwargs={"item_id": item_id})
        context["link_text"] = _("Open the review of this post")
    return context


class ModerationThreads:
    """``messaging.kinds.ThreadKind`` for conversations about a post under review."""

    name = KIND

    def readable_ids(self, user: User) -> QuerySet[Any]:
        return (
            Thread.objects.filter(kind=KIND)
            .filter(Q(service_user=user) | Q(context_id__in=moderated_items(user).values("pk")))
            .values("pk")
        )

    def may_read(self, user: User, thread: Thread) -> bool:
        if thread.service_user_id == user.pk:
            return True
        return (
            thread.context_id is not None
            and moderated_items(user).filter(pk=thread.context_id).exists()
        )

    def check_can_post(self, user: User, thread: Thread) -> None:
        item = _item(thread)
        # The conversation lasts as long as the review: nobody writes once it is resolved,
        # whichever way it was resolved.
        if item is None or item.state != ItemState.OPEN:
            raise PermissionDenied(self.closed_reason(user, thread))
        if (
            thread.service_user_id != user.pk
            and not moderated_items(user).filter(pk=item.pk).exists()
        ):
            raise PermissionDenied(_("Only the moderators of this community can write here."))

    def closed_reason(self, user: User, thread: Thread) -> str:
        if thread.service_user_id == user.pk:
            return _(
                "This conversation is closed: the moderators have finished looking at your post. "
                "You can still read it, but you cannot reply here any more."
            )
        return _(
            "This conversation is closed: the review of this post is resolved. "
            "You can still read it."
        )

    def display_name(self, person: User, thread: Thread, viewer: User) -> str:
        if person.pk == thread.service_user_id:
            return person.pseudonym
        return _("Moderator %(name)s") % {"name": person.pseudonym}

    def waiting_for_name(self, thread: Thread, viewer: User) -> str:
        # The author is not told that anyone waits for them: no pressure to answer.
        if thread.service_user_id == viewer.pk:
            return ""
        if thread.waiting_for == Side.CARE_TEAM:
            return _("the moderators")
        if thread.waiting_for == Side.SERVICE_USER:
            return thread.service_user.pseudonym
        return ""

    def notification_title(self, thread: Thread, sender: User, recipient: User) -> str:
        item = _item(thread)
        community = item.community.name if item is not None else ""
        if recipient.pk == thread.service_user_id:
            return _("A moderator of %(community)s sent you a message.") % {"community": community}
        if sender.pk == thread.service_user_id:
            return _("%(name)s replied to the moderators of %(community)s.") % {
                "name": sender.pseudonym,
                "community": community,
            }
        return _("A moderator wrote to %(name)s in %(community)s.") % {
            "name": thread.service_user.pseudonym,
            "community": community,
        }

    def panel(self, thread: Thread, viewer: User) -> Panel:
        item = _item(thread)
        context = panel_context(
            viewer,
            is_author=thread.service_user_id == viewer.pk,
            community=item.community.name if item is not None else "",
            item_id=item.pk if item is not None else None,
            post_id=item.post_id if item is not None else None,
        )
        return Panel(PANEL_TEMPLATE, context)

    def message_sent(self, message: Message) -> None:
        thread = message.thread
        sender = message.sender
        if sender is None or sender.pk == thread.service_user_id:
            return
        item = _item(thread)
        if item is None:
            return
        services.mark_reviewed(item)
        services.record(
            actor=sender,
            organisation_id=item.community.organisation_id,
            community=item.community,
            action=AuditAction.REACH_OUT,
            subject=item.post.author,
            post=item.post,
            detail=_("private message %(id)s") % {"id": message.pk},
        )
