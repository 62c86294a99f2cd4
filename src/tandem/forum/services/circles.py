"""Circles, and the boundaries a person sets (muting, who may mention them)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, User
from tandem.forum import hooks
from tandem.forum.models import (
    CIRCLE_MAX_INVITED,
    Circle,
    CircleMember,
    Community,
    ForumPreference,
    MentionPolicy,
    ModerationState,
    Mute,
    Post,
)
from tandem.forum.selectors import CIRCLE_SCOPE, COMMUNITY_SCOPE
from tandem.notifications.services import notify


@transaction.atomic
def create_circle(*, user: User, community: Community, name: str) -> Circle:
    if not hooks.trust_rules().may_create_circles(user=user, community=community):
        raise ValidationError(
            {
                "name": _(
                    "You can start circles once you have settled in here: visit on a few days "
                    "and read some topics. Your account page shows how far you are."
                )
            },
            code="trust",
        )
    circle = Circle(community=community, created_by=user, name=name.strip())
    circle.full_clean()
    circle.save()
    CircleMember.objects.create(circle=circle, user=user)
    return circle


@transaction.atomic
def add_to_circle(*, user: User, circle: Circle, pseudonym: str) -> CircleMember:
    """Add a fellow community member to a circle the acting person started."""
    if circle.created_by_id != user.pk:
        raise PermissionDenied
    invitee = (
        User.objects.filter(
            pseudonym__iexact=pseudonym.strip(),
            is_active=True,
            community_memberships__community=circle.community_id,
        )
        .filter(
            Exists(
                Membership.objects.filter(
                    user=OuterRef("pk"), organisation=circle.community.organisation_id
                )
            )
        )
        .first()
    )
    if invitee is None:
        raise ValidationError({"pseudonym": _("Nobody in this community has that display name.")})
    if CircleMember.objects.filter(circle=circle, user=invitee).exists():
        raise ValidationError({"pseudonym": _("They are already in this circle.")})
    if CircleMember.objects.filter(circle=circle).exclude(user=user).count() >= CIRCLE_MAX_INVITED:
        raise ValidationError(
            _("A circle can have up to %(n)s people besides you.") % {"n": CIRCLE_MAX_INVITED}
        )
    member = CircleMember.objects.create(circle=circle, user=invitee)
    notify(
        recipient=invitee,
        actor=user,
        kind="forum.circle_added",
        title=_("%(name)s added you to the circle “%(circle)s”")
        % {"name": user.pseudonym, "circle": circle.name},
        url=reverse("forum:circle-detail", kwargs={"circle_id": circle.pk}),
        scope_type=CIRCLE_SCOPE,
        scope_id=circle.pk,
    )
    return member


@transaction.atomic
def leave_circle(*, user: User, circle: Circle) -> None:
    """Take ``user`` out of the circle; the last one out deletes it (:func:`_delete_circle`),
    unless a post in it is held for review: then it stays, empty, for the moderators (leaving
    must always work, and a held post may be someone in danger)."""
    CircleMember.objects.filter(circle=circle, user=user).delete()
    if not CircleMember.objects.filter(circle=circle).exists() and not has_held_posts(circle):
        _delete_circle(circle)


def has_held_posts(circle: Circle) -> bool:
    """Whether a post in the circle waits for a moderator (held for review): deleting the
    circle would delete it, and its review item, before anyone has looked."""
    return Post.objects.filter(topic__circle=circle, moderation_state=ModerationState.HELD).exists()


@transaction.atomic
def end_circle(*, user: User, circle: Circle) -> None:
    """End the circle for everyone: what the last one out does (:func:`_delete_circle`),
    done by the person who started it while others are still in it. Each other member is
    told once, in the circle's community (the circle's own notifications go with it).

    Raise PermissionDenied unless ``user`` started the circle and is still in it. Ending a
    circle already ended (a second submit) does nothing.
    """
    if circle.created_by_id != user.pk:
        raise PermissionDenied
    # Waits for a concurrent end (or last leave): the second finds the circle gone.
    if not Circle.objects.select_for_update().filter(pk=circle.pk).exists():
        return
    if not CircleMember.objects.filter(circle=circle, user=user).exists():
        raise PermissionDenied  # the starter left: nobody may end it for the others
    if has_held_posts(circle):
        raise ValidationError(
            _(
                "A post in this circle is waiting for a moderator, so the circle cannot end yet. "
                "Try again once it has been reviewed."
            )
        )
    others = list(
        User.objects.filter(circle_memberships__circle=circle, is_active=True)
        .exclude(pk=user.pk)
        .order_by("pk")
    )
    name, community_id = circle.name, circle.community_id
    _delete_circle(circle)
    for other in others:
        notify(
            recipient=other,
            actor=user,
            kind="forum.circle_ended",
            title=_("%(name)s ended the circle “%(circle)s”")
            % {"name": user.pseudonym, "circle": name},
            url=reverse("forum:circle-list", kwargs={"community_id": community_id}),
            scope_type=COMMUNITY_SCOPE,
            scope_id=community_id,
        )


def _delete_circle(circle: Circle) -> None:
    """Delete the circle for good: its topics and their posts go with it (database cascades),
    and so do the moderation queue's items about those posts (held or reported: there is no
    post left to decide on). Notifications scoped to the circle stay stored but are shown to
    nobody (the scope fails closed). The audit log keeps what moderators did, by plain ids."""
    circle.delete()


# ---------------------------------------------------------------------------------------------
# Boundaries


@transaction.atomic
def mute_person(*, user: User, muted: User) -> Mute:
    """Fold away ``muted``'s posts for ``user``. The muted person is never told."""
    if muted.pk == user.pk:
        raise ValidationError(_("You cannot mute yourself."))
    mute, _created = Mute.objects.get_or_create(user=user, muted=muted)
    return mute


@transaction.atomic
def unmute_person(*, user: User, mute: Mute) -> None:
    if mute.user_id != user.pk:
        raise PermissionDenied
    mute.delete()


@transaction.atomic
def set_mention_policy(*, user: User, policy: str) -> ForumPreference:
    preference, _created = ForumPreference.objects.get_or_create(user=user)
    preference.mention_policy = MentionPolicy(policy)
    preference.full_clean()
    preference.save(update_fields=["mention_policy"])
    return preference
