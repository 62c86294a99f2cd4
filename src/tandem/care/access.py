"""Who may see which part of a service user's data. The one door for every such read.

Every view that shows a service user's data to someone else goes through a gate here (the
toolbox modules through ``get_module_access_for_viewer``, the overview, the relationship page
and the joint-session notes through their own gates; messaging's thread gate calls
``record_access`` too). Each gate decides, writes what it decided with ``record_access``, and
returns what it decided (the object, or a small record of the decision) or raises Http404:
"missing" and "not allowed" look the same to the person asking.
docs/security-access-record.md describes the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils import timezone

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import Membership, Role, User
from tandem.care.access_log import JOINT_SESSION

# Writing the record lives in its own module; its functions are part of this door.
from tandem.care.access_record import ItemRef as ItemRef
from tandem.care.access_record import record_access as record_access
from tandem.care.access_record import refuse as refuse
from tandem.care.models import (
    JOINT_SESSION_MAX_DURATION,
    AccessAction,
    AccessedData,
    CareRelationship,
    CareRequest,
    Grant,
    JointSession,
    Level,
    Module,
    Outcome,
    RelationshipStatus,
)

ItemT = TypeVar("ItemT", bound=models.Model)


def active_relationship(provider: User | AnonymousUser, owner_id: int) -> CareRelationship | None:
    if not provider.is_authenticated or not provider.is_active:
        return None
    relationship = (
        CareRelationship.objects.filter(
            provider=provider, service_user_id=owner_id, status=RelationshipStatus.ACTIVE
        )
        .select_related("service_user")
        .first()
    )
    if relationship is not None:
        # The provider is the one who asked: keep them on the row, so reading
        # ``relationship.provider`` later costs no query.
        assert isinstance(provider, User)  # noqa: S101 - authenticated, so a User
        relationship.provider = provider
    return relationship


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


@dataclass(frozen=True)
class ModuleAccess:
    """What ``get_module_access_for_viewer`` decided: whose module it is, through which
    relationship (None for the owner's own), at which level, and whether only an open joint
    session lets the viewer see it. Pages use it rather than asking again."""

    owner: User
    relationship: CareRelationship | None
    level: int
    via_joint_session: bool = False

    @property
    def is_owner(self) -> bool:
        return self.relationship is None

    @property
    def may_comment(self) -> bool:
        """The owner may always answer; anyone else needs a comment grant (the rule of
        ``check_can_comment``)."""
        return self.is_owner or self.level >= Level.COMMENT


def _decide_module_access(
    viewer: User | AnonymousUser, owner_id: int, module: str, need: int, action: str
) -> tuple[ModuleAccess, str]:
    """The rule of ``get_module_access_for_viewer``, without the record: the decision and the
    action to record it under. Refusals are recorded here (a security event) and raised."""
    if module not in Module.values:
        raise Http404
    if viewer.is_authenticated and viewer.pk == owner_id:
        assert isinstance(viewer, User)  # noqa: S101 - narrowed for the type checker
        return ModuleAccess(owner=viewer, relationship=None, level=Level.COMMENT), action
    if not is_verified_provider(viewer):
        raise refuse(viewer, owner_id, module)
    relationship = active_relationship(viewer, owner_id)
    if relationship is None:
        raise refuse(viewer, owner_id, module)
    level = granted_level(relationship, module)
    via_joint_session = False
    if level < need:
        session = open_joint_session(relationship) if need == Level.VIEW else None
        if session is None or module not in session.shown_modules:
            raise refuse(viewer, owner_id, module)
        action = AccessAction.JOINT_SESSION
        via_joint_session = True
    seen = ModuleAccess(
        owner=relationship.service_user,
        relationship=relationship,
        level=level,
        via_joint_session=via_joint_session,
    )
    return seen, action


def get_module_access_for_viewer(
    viewer: User | AnonymousUser,
    owner_id: int,
    module: str,
    *,
    need: int = Level.VIEW,
    action: str = AccessAction.VIEW,
) -> ModuleAccess:
    """Return how ``viewer`` may read (or comment on) service user ``owner_id``'s ``module``.

    The owner always may. Anyone else must be a verified provider with an active care
    relationship and a grant of at least ``need`` for the module, or, for viewing only, be in
    an open joint session in which the owner is showing that module. Each allowed read by
    someone else is written to the owner's access log (once per visit). Raise Http404
    otherwise (recorded as a security event), so nobody learns whether the person or the data
    exists. A page of one item uses ``get_item_access_for_viewer``, which names the item.
    """
    seen, action = _decide_module_access(viewer, owner_id, module, need, action)
    record_access(viewer, owner_id, module, Outcome.ALLOWED, action=action)
    return seen


@dataclass(frozen=True)
class ItemAccess(Generic[ItemT]):
    """What ``get_item_access_for_viewer`` decided, and the item it fetched."""

    seen: ModuleAccess
    item: ItemT


def get_item_access_for_viewer(
    viewer: User | AnonymousUser,
    owner_id: int,
    module: str,
    *,
    kind: str,
    fetch: Callable[[User], ItemT],
    need: int = Level.VIEW,
) -> ItemAccess[ItemT]:
    """Return how ``viewer`` may read one item of ``owner_id``'s ``module``, with the item.

    The rule of ``get_module_access_for_viewer``. The item comes from ``fetch(owner)``, the
    owner-scoped gate of the app that holds it (Http404 when it is not the owner's, or not
    shown to this viewer); only then is the read recorded, as a read of that item (``kind``
    and id): the log never names an item that was not shown.
    """
    seen, action = _decide_module_access(viewer, owner_id, module, need, AccessAction.VIEW)
    item = fetch(seen.owner)
    record_access(
        viewer, owner_id, module, Outcome.ALLOWED, action=action, item=ItemRef(kind, item.pk)
    )
    return ItemAccess(seen=seen, item=item)


def get_owner_for_viewer(
    viewer: User | AnonymousUser,
    owner_id: int,
    module: str,
    *,
    need: int = Level.VIEW,
    action: str = AccessAction.VIEW,
) -> User:
    """The owner from ``get_module_access_for_viewer`` (same rule, same record), for pages
    that need nothing else."""
    return get_module_access_for_viewer(viewer, owner_id, module, need=need, action=action).owner


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
    and they are verified: when it ends, their access ends with it. The provider's opening is
    recorded in the service user's access log; a refusal is a security event.
    """
    relationship = (
        CareRelationship.objects.select_related("provider", "service_user")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None:
        raise refuse(user, None, AccessedData.RELATIONSHIP)
    if not _may_open_relationship(user, relationship):
        raise refuse(user, relationship.service_user_id, AccessedData.RELATIONSHIP)
    record_access(user, relationship.service_user_id, AccessedData.RELATIONSHIP, Outcome.ALLOWED)
    return relationship


def get_relationship_for_provider(provider: User, owner_id: int) -> CareRelationship:
    """Return ``provider``'s active relationship with service user ``owner_id``, else Http404.

    The gate for the provider's overview of a person, which shows what is shared but no
    module content (each module page goes through ``get_owner_for_viewer``). Unverified
    providers get 404 like everyone without a relationship. Recorded like every such read.
    """
    if not is_verified_provider(provider):
        raise refuse(provider, owner_id, AccessedData.OVERVIEW)
    relationship = active_relationship(provider, owner_id)
    if relationship is None:
        raise refuse(provider, owner_id, AccessedData.OVERVIEW)
    record_access(provider, owner_id, AccessedData.OVERVIEW, Outcome.ALLOWED)
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
    ``get_relationship_for_member``), else raise Http404. The page shows the session's notes,
    so the provider's opening is recorded as a read of them."""
    session = (
        JointSession.objects.select_related("relationship__provider", "relationship__service_user")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise refuse(user, None, AccessedData.SESSION_NOTES)
    owner_id = session.relationship.service_user_id
    if not _may_open_relationship(user, session.relationship):
        raise refuse(user, owner_id, AccessedData.SESSION_NOTES)
    record_access(
        user,
        owner_id,
        AccessedData.SESSION_NOTES,
        Outcome.ALLOWED,
        item=ItemRef(JOINT_SESSION, session.pk),
    )
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
