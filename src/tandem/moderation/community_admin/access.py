"""Who may run a community: the organisation's admins change its structure and its code of
conduct; its moderators may also lock it and set its limits. Everyone else gets 404 from the
gates, as everywhere in moderation."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum.models import Category, Community
from tandem.moderation.access import STAFF_ROLES, get_community_for_moderator


@dataclass(frozen=True)
class Steward:
    """What the gate decided about one person and one community (or organisation): they are
    its admin or moderator (else the gate raised Http404), and which."""

    community: Community | None
    organisation: Organisation
    is_admin: bool
    is_moderator: bool

    @property
    def may_administer(self) -> bool:
        return self.is_admin

    @property
    def may_set_limits(self) -> bool:
        """Locking and limits are everyday moderation; admins may too."""
        return self.is_admin or self.is_moderator


def get_community_for_steward(user: User, community_id: int) -> Steward:
    """The community (archived ones included) if ``user`` administers or moderates its
    organisation, else Http404."""
    staff = get_community_for_moderator(user, community_id)
    return Steward(
        community=staff.community,
        organisation=staff.community.organisation,
        is_admin=staff.is_admin,
        is_moderator=staff.is_moderator,
    )


def get_organisation_for_steward(user: User, organisation_id: int) -> Steward:
    """The organisation if ``user`` administers or moderates it, else Http404."""
    roles = set(
        Membership.objects.filter(
            user=user, organisation=organisation_id, role__in=STAFF_ROLES
        ).values_list("role", flat=True)
    )
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if not roles or organisation is None or not user.is_active:
        raise Http404
    return Steward(
        community=None,
        organisation=organisation,
        is_admin=Role.ORG_ADMIN in roles,
        is_moderator=Role.MODERATOR in roles,
    )


def get_category_for_steward(user: User, category_id: int) -> tuple[Category, Steward]:
    """The category and the gate's decision about its community, else Http404."""
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404
    steward = get_community_for_steward(user, category.community_id)
    if steward.community is None:  # the community gate always sets it
        raise Http404
    category.community = steward.community
    return category, steward


def check_can_administer(steward: Steward) -> None:
    """Raise PermissionDenied unless the person is an admin of the organisation."""
    if not steward.may_administer:
        raise PermissionDenied


def check_can_set_limits(steward: Steward) -> None:
    """Raise PermissionDenied unless the person may lock the community and set its limits."""
    if not steward.may_set_limits:
        raise PermissionDenied
