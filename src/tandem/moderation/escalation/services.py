"""Every change of state in the second tier. Keyword-only, atomic; each change writes one
append-only ``AuditEntry``, and people are told through ``notifications.services.notify``
(content-free: titles name the community at most, never the words or the writer).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care import selectors as care_selectors
from tandem.moderation import services as moderation_services
from tandem.moderation.escalation import selectors
from tandem.moderation.escalation.selectors import ESCALATION_SCOPE
from tandem.moderation.models import (
    AuditAction,
    Escalation,
    EscalationContact,
    EscalationTarget,
    ReviewItem,
    SafetySettings,
)
from tandem.notifications.services import notify


def _record(
    *,
    item: ReviewItem,
    actor: User | None,
    action: str,
    reason: str = "",
    detail: str = "",
) -> None:
    """Append the audit entry for an escalation step (``actor`` None: the automatic sweep)."""
    community = item.community
    moderation_services.record(
        actor=actor,
        organisation_id=community.organisation_id,
        community=community,
        action=action,
        reason=reason,
        subject=item.post.author,
        post=item.post,
        detail=detail,
    )


def recipients_for(item: ReviewItem, target: str) -> list[User]:
    """Who an escalation to ``target`` reaches, never the post's own author."""
    organisation_id = item.community.organisation_id
    people: list[User]
    if target == EscalationTarget.CARE_TEAM:
        people = care_selectors.active_care_providers(item.post.author_id)
    elif target == EscalationTarget.NEXT_ON_ROTA:
        people = [contact.user for contact in selectors.rota(organisation_id)[:1]]
    else:
        people = [contact.user for contact in selectors.rota(organisation_id)]
    return [person for person in people if person.pk != item.post.author_id]


def create_escalation(
    *,
    item: ReviewItem,
    target: str,
    recipients: list[User],
    actor: User | None,
    reason: str,
) -> Escalation:
    """Store one escalation, tell each recipient, and audit it. The caller has checked who may
    escalate and that ``recipients`` is not empty."""
    escalation = Escalation(
        item=item,
        target=EscalationTarget(target),
        escalated_by=actor,
        automatic=actor is None,
        reason=reason,
    )
    escalation.full_clean(exclude=["item", "escalated_by"])
    escalation.save()
    escalation.recipients.set(recipients)
    community = item.community
    url = reverse("moderation:escalation-detail", kwargs={"item_id": item.pk})
    for person in recipients:
        notify(
            recipient=person,
            kind="moderation.escalation",
            title=_("Urgent: the moderators of %(community)s ask for your help with a member")
            % {"community": community.name},
            url=url,
            scope_type=ESCALATION_SCOPE,
            scope_id=item.pk,
        )
    _record(
        item=item,
        actor=actor,
        action=AuditAction.ESCALATE,
        reason=reason,
        detail=_("to %(target)s (%(n)s people)")
        % {"target": escalation.get_target_display(), "n": len(recipients)},
    )
    return escalation


def _tell_author(item: ReviewItem) -> None:
    notify(
        recipient=item.post.author,
        kind="moderation.escalated",
        title=_("The moderators have asked for more help for you. See what happens next."),
        url=reverse("moderation:post-outcome", kwargs={"post_id": item.post_id}),
    )


@transaction.atomic
def escalate_item(
    *, moderator: User, item: ReviewItem, targets: Iterable[str], reason: str
) -> list[Escalation]:
    """Ask the organisation's clinical escalation contacts and/or the author's own care team to
    help with ``item`` (held or published), with a reason.

    Raise PermissionDenied unless ``moderator`` moderates the community, and ValidationError
    without a reason, without a target, or when a target reaches nobody (no rota set up, no
    active care team) — saying what to do instead. The author is told what happens next; the
    item counts as reviewed (a moderator has acted) and is not escalated again automatically.
    """
    community = item.community
    moderation_services.check_moderator(moderator, community)
    reason = moderation_services.require_reason(reason)
    chosen = [EscalationTarget(t) for t in dict.fromkeys(targets)]
    if not chosen:
        raise ValidationError({"targets": _("Choose who to ask for help.")})
    planned: list[tuple[str, list[User]]] = []
    for target in chosen:
        people = recipients_for(item, target)
        if not people and target == EscalationTarget.CARE_TEAM:
            raise ValidationError(
                {
                    "targets": _(
                        "This person has no active care team in Tandem. Ask the clinical contacts instead."
                    )
                }
            )
        if not people:
            raise ValidationError(
                {
                    "targets": _(
                        "Nobody is on the clinical escalation rota of %(organisation)s. If someone "
                        "is in danger now, call the emergency services, and ask an organisation "
                        "admin to set up the rota."
                    )
                    % {"organisation": community.organisation.name}
                }
            )
        planned.append((target, people))
    escalations = [
        create_escalation(
            item=item, target=target, recipients=people, actor=moderator, reason=reason
        )
        for target, people in planned
    ]
    moderation_services.mark_reviewed(item)
    if EscalationTarget.CLINICAL in chosen and item.escalation_step < 2:
        item.escalation_step = 2
        item.save(update_fields=["escalation_step"])
    _tell_author(item)
    return escalations


@transaction.atomic
def acknowledge(*, user: User, item: ReviewItem) -> Escalation:
    """``user``, a recipient of the item's escalation, takes it on: the moderators and the
    other recipients see who, and the automatic escalation stops. Taking it on again changes
    nothing. Raise PermissionDenied for anyone it was not escalated to."""
    escalation = (
        Escalation.objects.select_for_update()
        .filter(item=item, recipients=user)
        .order_by("-created_at", "-id")
        .first()
    )
    if escalation is None:
        raise PermissionDenied
    if escalation.acknowledged_at is None:
        escalation.acknowledged_by = user
        escalation.acknowledged_at = timezone.now()
        escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
        moderation_services.mark_reviewed(item)
        _record(item=item, actor=user, action=AuditAction.ACKNOWLEDGE)
    return escalation


# ---------------------------------------------------------------------------------------------
# The rota and settings (organisation admins)


def _check_admin(admin: User, organisation: Organisation) -> None:
    if not (
        admin.is_active
        and Membership.objects.filter(
            user=admin, organisation=organisation, role=Role.ORG_ADMIN
        ).exists()
    ):
        raise PermissionDenied


def _record_rota(admin: User, organisation: Organisation, detail: str, reason: str = "") -> None:
    moderation_services.record(
        actor=admin,
        organisation_id=organisation.pk,
        action=AuditAction.ROTA,
        reason=reason,
        detail=detail,
    )


@transaction.atomic
def add_to_rota(
    *, admin: User, organisation: Organisation, person: User, note: str = ""
) -> EscalationContact:
    """Put ``person`` (a verified provider or moderator of the organisation) at the end of the
    rota. Raise ValidationError for anyone else or someone already on it."""
    _check_admin(admin, organisation)
    if not selectors.rota_candidates(organisation).filter(pk=person.pk).exists():
        raise ValidationError(
            {
                "person": _(
                    "Choose a verified care provider or a moderator who is not on the rota yet."
                )
            }
        )
    last = EscalationContact.objects.filter(organisation=organisation).aggregate(
        last=Max("position")
    )["last"]
    contact = EscalationContact(
        organisation=organisation,
        user=person,
        position=0 if last is None else last + 1,
        note=note.strip(),
    )
    contact.full_clean()
    contact.save()
    _record_rota(admin, organisation, _("added %(name)s") % {"name": person.get_full_name()})
    return contact


@transaction.atomic
def remove_from_rota(*, admin: User, contact: EscalationContact) -> None:
    organisation = contact.organisation
    _check_admin(admin, organisation)
    _record_rota(
        admin, organisation, _("removed %(name)s") % {"name": contact.user.get_full_name()}
    )
    contact.delete()


@transaction.atomic
def move_on_rota(*, admin: User, contact: EscalationContact, up: bool) -> None:
    """Swap ``contact`` with its neighbour above (``up``) or below; at an end, nothing moves."""
    organisation = contact.organisation
    _check_admin(admin, organisation)
    ordered = list(
        EscalationContact.objects.select_for_update()
        .filter(organisation=organisation)
        .order_by("position", "id")
    )
    index = next(i for i, c in enumerate(ordered) if c.pk == contact.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    _record_rota(
        admin,
        organisation,
        _("moved %(name)s to place %(n)s") % {"name": contact.user.get_full_name(), "n": other + 1},
    )


@transaction.atomic
def set_escalate_after(
    *, admin: User, organisation: Organisation, minutes: int, reason: str
) -> SafetySettings:
    """How long an urgent held post may wait unreviewed before the sweep escalates it."""
    _check_admin(admin, organisation)
    reason = moderation_services.require_reason(reason)
    options, _created = SafetySettings.objects.get_or_create(organisation=organisation)
    options.escalate_after_minutes = minutes
    options.full_clean()
    options.save(update_fields=["escalate_after_minutes"])
    _record_rota(
        admin,
        organisation,
        _("urgent posts escalate after %(n)s minutes") % {"n": minutes},
        reason=reason,
    )
    return options
