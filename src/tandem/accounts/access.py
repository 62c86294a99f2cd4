"""Access gates for accounts: who may manage an organisation, who counts as what."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tandem.accounts.models import Invitation, Membership, Organisation, Role, User

# Authenticators that count as a second step (recovery codes alone do not).
MFA_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def must_set_up_two_step(user: User, *, needs_mfa: bool) -> bool:
    """True when ``user``'s roles demand two-step verification and they have not set it up.

    ``needs_mfa`` comes from the person's role summary, which callers usually hold already.
    """
    return needs_mfa and not Authenticator.objects.filter(user=user, type__in=MFA_TYPES).exists()


def is_org_admin(user: User | AnonymousUser, organisation: Organisation) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(
            user=user, organisation=organisation, role=Role.ORG_ADMIN
        ).exists()
    )


def check_can_manage_organisation(user: User | AnonymousUser, organisation: Organisation) -> None:
    """Raise PermissionDenied unless ``user`` is an admin of ``organisation``."""
    if not is_org_admin(user, organisation):
        raise PermissionDenied


def get_managed_organisation_for_admin(user: User, organisation_id: int) -> Organisation:
    """Return the organisation if ``user`` administers it, else raise Http404 (never 403, so
    an outsider cannot learn which organisations exist)."""
    organisation = Organisation.objects.filter(
        pk=organisation_id, memberships__user=user, memberships__role=Role.ORG_ADMIN
    ).first()
    if organisation is None or not user.is_active:
        raise Http404
    return organisation


def get_membership_for_admin(user: User, membership_id: int) -> Membership:
    """Return a membership in an organisation ``user`` administers, else raise Http404."""
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(
            pk=membership_id,
            organisation__memberships__user=user,
            organisation__memberships__role=Role.ORG_ADMIN,
        )
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def get_invitation_for_admin(user: User, invitation_id: int) -> Invitation:
    """Return an invitation of an organisation ``user`` administers, else raise Http404."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(
            pk=invitation_id,
            organisation__memberships__user=user,
            organisation__memberships__role=Role.ORG_ADMIN,
        )
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def is_verified_provider(user: User | AnonymousUser) -> bool:
    """True when ``user`` holds a provider role that an organisation admin has verified.

    Later modules call this before showing any service user's data to a provider.
    """
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(
            user=user, role=Role.PROVIDER, verified_at__isnull=False
        ).exists()
    )


def is_provider(user: User | AnonymousUser) -> bool:
    """True when ``user`` holds a provider role in any organisation, verified or not.

    For settings about the provider's own working life (such as quiet hours), which need no
    verification because they show nobody else's data; use ``is_verified_provider`` before
    showing a service user's data.
    """
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, role=Role.PROVIDER).exists()
    )
