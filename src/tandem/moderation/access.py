"""Gates for moderation. A community's moderators are the people with the moderator role in
its organisation; the organisation's admins may also open its queue and read its audit log.
Everyone else (service users, providers, researchers) gets 404: "not yours" and "missing" look
the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django_stubs_ext import WithAnnotations

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum.models import Community, Post
from tandem.messaging.models import Message
from tandem.moderation.models import ReviewItem
from tandem.moderation.outreach.threads import KIND as OUTREACH_KIND
from tandem.moderation.outreach.threads import legacy_client_key

STAFF_ROLES = (Role.MODERATOR, Role.ORG_ADMIN)


def _role_in_org(user: User, role: str) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=role, organisation=OuterRef("organisation"))


class StaffFlags(TypedDict):
    """The annotations :func:`moderated_communities` adds to each community."""

    is_moderator: bool
    is_admin: bool


def moderated_communities(user: User) -> QuerySet[WithAnnotations[Community, StaffFlags]]:
    """Communities whose organisation ``user`` moderates or administers, annotated with
    ``is_moderator`` and ``is_admin`` (one query; :func:`staff_communities` reads them)."""
    staff = Membership.objects.filter(
        user=user, role__in=STAFF_ROLES, organisation=OuterRef("organisation")
    )
    communities = Community.objects.filter(Exists(staff)).annotate(
        is_moderator=Exists(_role_in_org(user, Role.MODERATOR)),
        is_admin=Exists(_role_in_org(user, Role.ORG_ADMIN)),
    )
    return communities if user.is_active else communities.none()


@dataclass(frozen=True)
class StaffAccess:
    """What the gate decided about one person in a community they moderate or administer (else
    it raised Http404): whether they moderate it (and may act), administer its organisation,
    or both."""

    community: Community
    is_moderator: bool
    is_admin: bool


@dataclass(frozen=True)
class ItemAccess:
    """A review item, and what the gate decided about the person in its community."""

    item: ReviewItem
    staff: StaffAccess


def staff_communities(
    communities: QuerySet[WithAnnotations[Community, StaffFlags]],
) -> list[StaffAccess]:
    """Each community of a :func:`moderated_communities` queryset (filtered, ordered, joined as
    the caller likes) with the person's roles there: the one place that reads the annotations."""
    return [
        StaffAccess(
            community=community,
            is_moderator=bool(community.is_moderator),
            is_admin=bool(community.is_admin),
        )
        for community in communities
    ]


def get_community_for_moderator(user: User, community_id: int) -> StaffAccess:
    """The community and the person's roles there if ``user`` moderates (or administers) its
    organisation, else 404."""
    found = staff_communities(
        moderated_communities(user).select_related("organisation").filter(pk=community_id)[:1]
    )
    if not found:
        raise Http404
    return found[0]


def get_item_for_moderator(user: User, item_id: int) -> ItemAccess:
    """A review item of a community ``user`` moderates or administers, with their roles there;
    else 404."""
    item = (
        ReviewItem.objects.select_related("post", "post__author", "post__topic")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404
    staff = get_community_for_moderator(user, item.community_id)
    item.community = staff.community
    return ItemAccess(item=item, staff=staff)


def get_subject_for_moderator(user: User, community: Community, subject_id: int) -> User:
    """Return a person who has written in or belongs to ``community``, else 404."""
    subject = (
        User.objects.filter(pk=subject_id)
        .filter(
            Exists(Post.objects.filter(author=OuterRef("pk"), topic__community=community))
            | Exists(community.members.filter(user=OuterRef("pk")))
        )
        .first()
    )
    if subject is None:
        raise Http404
    return subject


def check_can_moderate(staff: StaffAccess) -> None:
    """Raise PermissionDenied unless the gate found the person a moderator of the community.

    Organisation admins may look at the queue, but acting on posts and people is a
    moderator's job.
    """
    if not staff.is_moderator:
        raise PermissionDenied


def check_can_reveal_identity(staff: StaffAccess) -> None:
    """Raise PermissionDenied unless the person moderates the community: only a moderator may
    *ask* who is behind a pseudonym. Nobody sees it before a second person approves
    (``moderation.identity``)."""
    check_can_moderate(staff)


def get_organisation_for_admin(user: User, organisation_id: int) -> Organisation:
    """Return the organisation if ``user`` administers it, else 404 (audit log)."""
    organisation = Organisation.objects.filter(
        pk=organisation_id, memberships__user=user, memberships__role=Role.ORG_ADMIN
    ).first()
    if organisation is None or not user.is_active:
        raise Http404
    return organisation


def get_organisation_for_moderator(user: User, organisation_id: int) -> Organisation:
    """Return the organisation if ``user`` moderates or administers it, else 404 (duty,
    dashboard)."""
    organisation = (
        Organisation.objects.filter(
            pk=organisation_id, memberships__user=user, memberships__role__in=STAFF_ROLES
        )
        .distinct()
        .first()
    )
    if organisation is None or not user.is_active:
        raise Http404
    return organisation


def get_own_post(user: User, post_id: int) -> Post:
    """Return a published post ``user`` wrote (to show its moderation outcome), else 404."""
    post = (
        Post.objects.select_related("topic", "topic__community", "topic__community__organisation")
        .filter(pk=post_id, author=user, is_draft=False)
        .first()
    )
    if post is None:
        raise Http404
    return post


def get_message_for_recipient(user: User, message_id: int) -> Message:
    """The message a moderator sent ``user`` before conversations were threads (an old
    ``ModeratorMessage`` id, as old notifications link to), now in their moderation thread;
    404 for anyone else or an unknown id."""
    message = (
        Message.objects.filter(
            thread__kind=OUTREACH_KIND,
            thread__service_user=user,
            client_key=legacy_client_key(message_id),
        )
        .only("pk", "thread_id")
        .first()
    )
    if message is None or not user.is_active:
        raise Http404
    return message
