"""Every change of state of an identity reveal. Keyword-only, atomic, validated.

Each step writes one append-only ``AuditEntry`` (asked, revealed, declined) *without* the
reason: the reason is kept encrypted in the request, because audit entries can never be
rewritten and key rotation could not re-encrypt it there. People are told through
``notifications.services.notify``; no title ever carries a real name.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Role, User
from tandem.forum.models import Community
from tandem.moderation.identity import access
from tandem.moderation.models import (
    REVEAL_REQUEST_LIFETIME,
    AuditAction,
    AuditEntry,
    RevealRequest,
    RevealState,
)
from tandem.moderation.services import check_moderator, record, require_reason
from tandem.notifications.services import notify


@dataclass(frozen=True)
class RevealedIdentity:
    pseudonym: str
    full_name: str
    email: str


def _detail_url(reveal: RevealRequest) -> str:
    return reverse("moderation:reveal-detail", kwargs={"reveal_id": reveal.pk})


def _asked_by(reveal: RevealRequest) -> str:
    asker = reveal.requested_by
    return _("asked by %(name)s") % {"name": asker.pseudonym if asker else "?"}


@transaction.atomic
def request_reveal(
    *, moderator: User, community: Community, subject: User, reason: str
) -> RevealRequest:
    """Ask to learn who is behind ``subject``'s pseudonym, to arrange urgent help.

    Nothing is revealed yet: the people who may approve (``identity.access.approvers``) are
    told that a request waits, and it lapses after ``REVEAL_REQUEST_LIFETIME``. Raise
    PermissionDenied unless ``moderator`` moderates ``community``; ValidationError without a
    reason, about oneself, or while the same moderator's earlier request about the same
    person is still open.
    """
    check_moderator(moderator, community)
    reason = require_reason(reason)
    if subject.pk == moderator.pk:
        raise ValidationError(_("You cannot ask about yourself."))
    now = timezone.now()
    if RevealRequest.objects.filter(
        community=community,
        subject=subject,
        requested_by=moderator,
        state=RevealState.PENDING,
        expires_at__gt=now,
    ).exists():
        raise ValidationError(
            _("You have asked already. A second person must approve or decline it first.")
        )
    reveal = RevealRequest(
        community=community,
        subject=subject,
        requested_by=moderator,
        reason=reason,
        created_at=now,
        expires_at=now + REVEAL_REQUEST_LIFETIME,
    )
    reveal.full_clean()
    reveal.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.REVEAL_REQUEST,
        subject=subject,
    )
    for person in access.approvers(community.organisation_id).exclude(
        pk__in=[moderator.pk, subject.pk]
    ):
        notify(
            recipient=person,
            kind="moderation.reveal_request",
            title=_(
                "A moderator of %(community)s asks for a second person to approve an identity "
                "reveal."
            )
            % {"community": community.name},
            url=_detail_url(reveal),
        )
    return reveal


def _lock_for_decision(decider: User, reveal: RevealRequest) -> RevealRequest:
    """The request locked for this decision, after checking that ``decider`` may decide and
    that it is still open (two approvers at once: the second waits, then finds it decided)."""
    access.check_can_decide(decider, reveal)
    locked = RevealRequest.objects.select_for_update().get(pk=reveal.pk)
    if locked.state != RevealState.PENDING:
        raise ValidationError(_("Someone has already decided on this request."))
    if locked.is_expired:
        raise ValidationError(
            _("This request has lapsed. If it is still needed, the moderator can ask again.")
        )
    # Keep the related rows the caller loaded (community, people) on the locked copy.
    locked.community = reveal.community
    locked.subject = reveal.subject
    locked.requested_by = reveal.requested_by
    return locked


def _decide(
    reveal: RevealRequest, decider: User, state: str, entry: AuditEntry | None = None
) -> None:
    reveal.state = RevealState(state)
    reveal.decided_by = decider
    reveal.decided_at = timezone.now()
    reveal.audit_entry = entry
    reveal.full_clean()
    reveal.save(update_fields=["state", "decided_by", "decided_at", "audit_entry"])


@transaction.atomic
def approve_reveal(*, approver: User, reveal: RevealRequest) -> RevealedIdentity:
    """Approve ``reveal`` as its second key and return the identity (for the approver's
    response; the asker may look at it for ``REVEAL_SHOWN_FOR``).

    The reveal is logged (no reason in the log), the person is told that moderators looked up
    who they are (their "Moderation and me" page shows why), and so are the asker and the
    organisation's admins. Raise PermissionDenied unless ``approver`` may decide (never the
    asker), ValidationError when it was decided already or has lapsed.
    """
    locked = _lock_for_decision(approver, reveal)
    community, subject = locked.community, locked.subject
    entry = record(
        actor=approver,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.REVEAL,
        subject=subject,
        detail=_asked_by(locked),
    )
    _decide(locked, approver, RevealState.APPROVED, entry)
    notify(
        recipient=subject,
        kind="moderation.identity_revealed",
        title=_("Moderators of %(community)s looked up who you are, to arrange help. See why.")
        % {"community": community.name},
        url=reverse("moderation:about-me"),
    )
    if locked.requested_by is not None and locked.requested_by.is_active:
        notify(
            recipient=locked.requested_by,
            kind="moderation.reveal_approved",
            title=_("Your identity request in %(community)s was approved.")
            % {"community": community.name},
            url=_detail_url(locked),
        )
    admins = User.objects.filter(
        is_active=True,
        memberships__organisation=community.organisation_id,
        memberships__role=Role.ORG_ADMIN,
    ).distinct()
    audit_url = (
        reverse("moderation:audit-log", kwargs={"organisation_id": community.organisation_id})
        + "?action=reveal"
    )
    for admin in admins:
        notify(
            recipient=admin,
            kind="moderation.reveal",
            title=_("Moderators revealed a member's identity in %(community)s.")
            % {"community": community.name},
            url=audit_url,
        )
    reveal.refresh_from_db()
    return RevealedIdentity(
        pseudonym=subject.pseudonym, full_name=subject.full_name, email=subject.email
    )


@transaction.atomic
def decline_reveal(*, decider: User, reveal: RevealRequest) -> RevealRequest:
    """Decline ``reveal``: nobody sees the identity, and the asker is told. Logged without the
    reason. Raise as :func:`approve_reveal` does."""
    locked = _lock_for_decision(decider, reveal)
    community = locked.community
    _decide(locked, decider, RevealState.DECLINED)
    record(
        actor=decider,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.REVEAL_DECLINE,
        subject=locked.subject,
        detail=_asked_by(locked),
    )
    if locked.requested_by is not None and locked.requested_by.is_active:
        notify(
            recipient=locked.requested_by,
            kind="moderation.reveal_declined",
            title=_("Your identity request in %(community)s was declined.")
            % {"community": community.name},
            url=_detail_url(locked),
        )
    reveal.refresh_from_db()
    return reveal
