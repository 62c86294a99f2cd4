"""Gates for identity reveals. Who may decide on a request ("the second key"):

- another active moderator of the community's organisation (moderators of an organisation
  moderate all its communities), or
- a person on the organisation's clinical escalation rota (``EscalationContact``), while they
  still hold a role that put them there (moderator, or verified care provider). This is what
  "the clinical escalation role" is in Tandem: the rota the organisation's admins keep for
  urgent situations beyond the peer moderators.

Never the moderator who asked, and never the person the request is about. Everyone else gets
404 for a request ("missing" and "not yours" look the same).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.moderation.models import EscalationContact, RevealRequest


def approvers(organisation_id: int) -> QuerySet[User]:
    """Active people who may decide on the organisation's reveal requests (see the module)."""
    moderators = Membership.objects.filter(organisation=organisation_id, role=Role.MODERATOR)
    on_rota = EscalationContact.objects.filter(organisation=organisation_id).values("user_id")
    clinical = Membership.objects.filter(organisation=organisation_id, user__in=on_rota).filter(
        Q(role=Role.MODERATOR) | Q(role=Role.PROVIDER, verified_at__isnull=False)
    )
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=moderators.values("user_id")) | Q(pk__in=clinical.values("user_id"))
    )


def may_decide(user: User, reveal: RevealRequest) -> bool:
    """Whether ``user`` is a second key for ``reveal``: not its asker, not its subject, and an
    approver of its organisation now."""
    if not user.is_active or user.pk in (reveal.requested_by_id, reveal.subject_id):
        return False
    return approvers(reveal.community.organisation_id).filter(pk=user.pk).exists()


def get_reveal_request_for_reviewer(user: User, reveal_id: int) -> RevealRequest:
    """Return the request if ``user`` asked it, decided it, or may still decide it (it is
    open), else raise Http404."""
    reveal = (
        RevealRequest.objects.select_related(
            "community", "community__organisation", "subject", "requested_by", "decided_by"
        )
        .filter(pk=reveal_id)
        .first()
    )
    if reveal is None or not user.is_active:
        raise Http404
    if user.pk in (reveal.requested_by_id, reveal.decided_by_id):
        return reveal
    if reveal.is_open and may_decide(user, reveal):
        return reveal
    raise Http404


def check_can_decide(user: User, reveal: RevealRequest) -> None:
    """Raise PermissionDenied unless ``user`` may approve or decline ``reveal`` (it may still
    be decided already or lapsed: the service says so)."""
    if not may_decide(user, reveal):
        raise PermissionDenied


def may_see_identity(user: User, reveal: RevealRequest) -> bool:
    """Whether ``reveal`` was approved, ``user`` is its asker or its approver and still
    moderates (or is on the rota) there, and the time to look again has not run out."""
    shown_until = reveal.shown_until
    if shown_until is None or timezone.now() >= shown_until or not user.is_active:
        return False
    if user.pk not in (reveal.requested_by_id, reveal.decided_by_id):
        return False
    return approvers(reveal.community.organisation_id).filter(pk=user.pk).exists()


def check_can_see_identity(user: User, reveal: RevealRequest) -> None:
    """Raise PermissionDenied unless :func:`may_see_identity`."""
    if not may_see_identity(user, reveal):
        raise PermissionDenied
