"""Who may see which part of a service user's toolbox. The one door for every such read.

Every view that shows a service user's data to someone else calls ``get_owner_for_viewer``:
it checks the grant (or an open joint session), writes the access log, and returns the owner.
"Missing" and "not allowed" look the same (404), and a refused read is never logged as a read.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import Membership, Role, User
from tandem.care.models import (
    JOINT_SESSION_MAX_DURATION,
    AccessAction,
    AccessLogEntry,
    CareRelationship,
    CareRequest,
    Grant,
    JointSession,
    Level,
    Module,
    RelationshipStatus,
)


def active_relationship(provider: User | AnonymousUser, owner_id: int) -> CareRelationship | None:
    if not provider.is_authenticated or not provider.is_active:
        return None
    return (
        CareRelationship.objects.filter(
            provider=provider, service_user_id=owner_id, status=RelationshipStatus.ACTIVE
        )
        .select_related("service_user")
        .first()
    )


def granted_level(relationship: CareRelationship, module: str) -> int:
    grant = Grant.objects.filter(relationship=relationship, module=module).first()
    return grant.level if grant else Level.NONE


def open_joint_session(relationship: CareRelationship) -> JointSession | None:
    """The relationship's joint session that is still open: not ended, and not so old that the
    service user has evidently forgotten to end it (JOINT_SESSION_MAX_DURATION)."""
    return JointSession.objects.filter(
        relationship=relationship,
        ended_at__isnull=True,
        started_at__gt=timezone.now() - JOINT_SESSION_MAX_DURATION,
    ).first()


def get_owner_for_viewer(
    viewer: User | AnonymousUser,
    owner_id: int,
    module: str,
    *,
    need: int = Level.VIEW,
    action: str = AccessAction.VIEW,
) -> User:
    """Return the service user whose ``module`` ``viewer`` may read (or comment on).

    The owner always may. Anyone else must be a verified provider with an active care
    relationship and a grant of at least ``need`` for the module, or, for viewing only, be in
    an open joint session in which the owner is showing that module. Each allowed read by
    someone else is written to the owner's access log. Raise Http404 otherwise, so nobody
    learns whether the person or the data exists.
    """
    if module not in Module.values:
        raise Http404
    if viewer.is_authenticated and viewer.pk == owner_id:
        assert isinstance(viewer, User)  # noqa: S101 - narrowed for the type checker
        return viewer
    if not is_verified_provider(viewer):
        raise Http404
    relationship = active_relationship(viewer, owner_id)
    if relationship is None:
        raise Http404
    if granted_level(relationship, module) < need:
        session = open_joint_session(relationship) if need == Level.VIEW else None
        if session is None or module not in session.shown_modules:
            raise Http404
        action = AccessAction.JOINT_SESSION
    assert isinstance(viewer, User)  # noqa: S101 - is_verified_provider implies a User
    AccessLogEntry.objects.create(
        owner=relationship.service_user, viewer=viewer, module=module, action=action
    )
    return relationship.service_user


def check_can_comment(viewer: User, owner: User, module: str) -> None:
    """Raise PermissionDenied unless ``viewer`` may comment on ``owner``'s ``module``.

    The owner may always answer comments on their own items.
    """
    if viewer.pk == owner.pk:
        return
    relationship = active_relationship(viewer, owner.pk)
    if (
        relationship is None
        or not is_verified_provider(viewer)
        or granted_level(relationship, module) < Level.COMMENT
    ):
        raise PermissionDenied


def get_relationship_for_service_user(user: User, relationship_id: int) -> CareRelationship:
    """Return one of ``user``'s own care relationships, else raise Http404."""
    relationship = (
        CareRelationship.objects.select_related("provider", "service_user")
        .filter(pk=relationship_id, service_user=user)
        .first()
    )
    if relationship is None:
        raise Http404
    return relationship


def _may_open_relationship(user: User, relationship: CareRelationship) -> bool:
    if not user.is_active:
        return False
    if relationship.service_user_id == user.pk:
        return True
    return (
        relationship.provider_id == user.pk
        and relationship.is_active
        and is_verified_provider(user)
    )


def get_relationship_for_member(user: User, relationship_id: int) -> CareRelationship:
    """Return a relationship ``user`` may open, else raise Http404.

    The service user may open every relationship of theirs, past ones included (they keep
    the agreement and the session notes). The provider may open it only while it is active
    and they are verified: when it ends, their access ends with it.
    """
    relationship = (
        CareRelationship.objects.select_related("provider", "service_user")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None or not _may_open_relationship(user, relationship):
        raise Http404
    return relationship


def get_relationship_for_provider(provider: User, owner_id: int) -> CareRelationship:
    """Return ``provider``'s active relationship with service user ``owner_id``, else Http404.

    The gate for the provider's overview of a person, which shows what is shared but no
    module content (each module page goes through ``get_owner_for_viewer``). Unverified
    providers get 404 like everyone without a relationship.
    """
    if not is_verified_provider(provider):
        raise Http404
    relationship = active_relationship(provider, owner_id)
    if relationship is None:
        raise Http404
    return relationship


def get_pending_relationship_for_service_user(user: User, relationship_id: int) -> CareRelationship:
    """Return a request waiting for ``user``'s answer, else raise Http404."""
    relationship = (
        CareRelationship.objects.select_related("provider")
        .filter(pk=relationship_id, service_user=user, status=RelationshipStatus.PENDING)
        .first()
    )
    if relationship is None:
        raise Http404
    return relationship


def get_joint_session_for_member(user: User, session_id: int) -> JointSession:
    """Return a joint session of a relationship ``user`` may open (the rule of
    ``get_relationship_for_member``), else raise Http404."""
    session = (
        JointSession.objects.select_related("relationship__provider", "relationship__service_user")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not _may_open_relationship(user, session.relationship):
        raise Http404
    return session


def get_care_request_for_provider(provider: User, request_id: int) -> CareRequest:
    """Return a request ``provider`` sent and has not withdrawn, else raise Http404."""
    care_request = CareRequest.objects.filter(
        pk=request_id, provider=provider, withdrawn_at__isnull=True
    ).first()
    if care_request is None:
        raise Http404
    return care_request


def check_is_service_user(user: User) -> None:
    """Raise PermissionDenied unless ``user`` can act as a service user with the care team."""
    if (
        not user.is_active
        or not Membership.objects.filter(user=user, role=Role.SERVICE_USER).exists()
    ):
        raise PermissionDenied


def check_is_verified_provider(user: User) -> None:
    """Raise PermissionDenied unless ``user`` is a verified provider."""
    if not is_verified_provider(user):
        raise PermissionDenied
