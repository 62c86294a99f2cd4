"""The care gate's role matrix: every kind of viewer who must not read a service user's module
(``DENIED``, also used by the API's tests), how each is made from the fixtures, and the goals module's
value."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import access
from tandem.care.models import CareRelationship, Grant, Level, Module, RelationshipStatus

GOALS = Module.GOALS.value


def _unverify(user: User) -> None:
    Membership.objects.filter(user=user, role=Role.PROVIDER).update(verified_at=None)


# --- get_owner_for_viewer: the role matrix ----------------------------------------------------

# Each case: how to make the viewer (given the fixtures) and whether a read is allowed.
Setup = Callable[..., User | AnonymousUser]


def _other_service_user(make_member: Callable[..., User], **_: object) -> User:
    return make_member(Role.SERVICE_USER)


def _provider_without_relationship(make_member: Callable[..., User], **_: object) -> User:
    return make_member(Role.PROVIDER, totp=True)


def _provider_without_grant(relationship: CareRelationship, **_: object) -> User:
    return relationship.provider


def _provider_with_grant_to_another_module(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, Module.MEDICATIONS, Level.COMMENT)
    return relationship.provider


def _provider_after_revoke(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    grant(relationship, GOALS, Level.NONE)
    return relationship.provider


def _provider_after_end(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    relationship.status = RelationshipStatus.ENDED
    relationship.ended_at = timezone.now()
    relationship.save()
    return relationship.provider


def _pending_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.PENDING)
    return relationship.provider


def _unverified_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    _unverify(relationship.provider)
    return relationship.provider


def _deactivated_provider(
    relationship: CareRelationship, grant: Callable[..., Grant], **_: object
) -> User:
    grant(relationship, GOALS, Level.COMMENT)
    relationship.provider.is_active = False
    relationship.provider.save()
    return relationship.provider


def _role(role: str) -> Setup:
    def make(make_member: Callable[..., User], **_: object) -> User:
        return make_member(role, totp=True)

    return make


def _anonymous(**_: object) -> AnonymousUser:
    return AnonymousUser()


DENIED: dict[str, Setup] = {
    "other service user": _other_service_user,
    "provider without relationship": _provider_without_relationship,
    "provider with relationship but no grant": _provider_without_grant,
    "provider with a grant for another module": _provider_with_grant_to_another_module,
    "provider after revoke": _provider_after_revoke,
    "provider after relationship ended": _provider_after_end,
    "provider whose request is pending": _pending_provider,
    "unverified provider with grant": _unverified_provider,
    "deactivated provider with grant": _deactivated_provider,
    "moderator": _role(Role.MODERATOR),
    "researcher": _role(Role.RESEARCHER),
    "org admin": _role(Role.ORG_ADMIN),
    "facilitator": _role(Role.FACILITATOR),
    "anonymous": _anonymous,
}
