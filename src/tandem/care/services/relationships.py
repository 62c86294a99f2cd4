"""Linking a service user and a provider (by code or by request) and ending it."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import Membership, Role, User
from tandem.care import notify
from tandem.care.access import check_is_service_user, check_is_verified_provider
from tandem.care.models import (
    CareRelationship,
    CareRequest,
    JointSession,
    ProviderLinkCode,
    RelationshipStatus,
)
from tandem.care.services.agreements import start_agreement
from tandem.core.change_record import ChangeKind, record_change

logger = logging.getLogger(__name__)

# Failed link-code attempts a service user may make per hour: the codes are short enough to
# read aloud, so guessing them must be slow.
LINK_CODE_ATTEMPTS_PER_HOUR = 10
LINK_CODE_ALPHABET = frozenset("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


def ensure_link_code(*, provider: User) -> ProviderLinkCode:
    """Return the verified ``provider``'s link code, creating it on first use."""
    check_is_verified_provider(provider)
    link_code, _created = ProviderLinkCode.objects.get_or_create(provider=provider)
    return link_code


def regenerate_link_code(*, provider: User) -> ProviderLinkCode:
    """Give ``provider`` a new code; the old one stops working at once (e.g. after it was
    shared too widely). Existing relationships are not affected."""
    check_is_verified_provider(provider)
    with transaction.atomic():
        ProviderLinkCode.objects.filter(provider=provider).delete()
        link_code = ProviderLinkCode(provider=provider)
        link_code.full_clean()
        link_code.save()
    return link_code


def normalise_link_code(code: str) -> str:
    """Upper-case a typed code and drop spaces and dashes people add when copying it."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def _shared_organisation_id(*, service_user: User, provider: User) -> int | None:
    """An organisation where ``service_user`` is a service user and ``provider`` a verified
    provider, or None."""
    user_orgs = Membership.objects.filter(user=service_user, role=Role.SERVICE_USER).values(
        "organisation_id"
    )
    return (
        Membership.objects.filter(
            user=provider,
            role=Role.PROVIDER,
            verified_at__isnull=False,
            organisation_id__in=user_orgs,
        )
        .order_by("id")
        .values_list("organisation_id", flat=True)
        .first()
    )


def _code_attempts_key(user: User) -> str:
    return f"care:link-code-failures:{user.pk}"


def _activate(relationship: CareRelationship, *, actor: User) -> CareRelationship:
    """Make a relationship active, with Tandem's starting agreement in force."""
    before = relationship.status
    relationship.status = RelationshipStatus.ACTIVE
    relationship.started_at = timezone.now()
    relationship.full_clean()
    relationship.save(update_fields=["status", "started_at"])
    start_agreement(relationship=relationship)
    record_change(
        actor=actor,
        kind=ChangeKind.RELATIONSHIP_STARTED,
        subject_id=relationship.service_user_id,
        target=relationship,
        before={"status": before},
        after={"status": relationship.status, "provider": relationship.provider_id},
    )
    return relationship


def link_provider_by_code(*, service_user: User, code: str) -> CareRelationship:
    """Add the provider whose link code ``service_user`` typed to their care team, at once.

    The provider must be a verified provider in one of the service user's organisations; a
    code of anyone else is treated as a wrong code. A pending request from the same provider
    is accepted, and the person's own ask to them (``asking``) becomes active: the code is the
    provider's consent. Raise ValidationError for a wrong code, when the provider is already in the
    team, or after too many wrong codes in an hour (codes are short, so guessing must be slow).
    """
    check_is_service_user(service_user)
    attempts_key = _code_attempts_key(service_user)
    if int(cache.get(attempts_key, 0)) >= LINK_CODE_ATTEMPTS_PER_HOUR:
        raise ValidationError(
            {"code": _("Too many wrong codes. Please try again in an hour.")}, code="throttled"
        )
    normalised = normalise_link_code(code)
    link_code = None
    if len(normalised) == 8 and set(normalised) <= LINK_CODE_ALPHABET:
        link_code = (
            ProviderLinkCode.objects.select_related("provider").filter(code=normalised).first()
        )
    organisation_id = None
    if link_code is not None and link_code.provider_id != service_user.pk:
        organisation_id = _shared_organisation_id(
            service_user=service_user, provider=link_code.provider
        )
    if link_code is None or organisation_id is None or not link_code.provider.is_active:
        cache.add(attempts_key, 0, timeout=3600)
        try:
            cache.incr(attempts_key)
        except ValueError:  # expired between add and incr
            cache.set(attempts_key, 1, timeout=3600)
        raise ValidationError(
            {
                "code": _(
                    "We could not find that code. Check it with your care provider and try again."
                )
            },
            code="wrong_code",
        )
    provider = link_code.provider
    with transaction.atomic():
        existing = (
            CareRelationship.objects.select_for_update()
            .filter(
                service_user=service_user,
                provider=provider,
                status__in=[
                    RelationshipStatus.PENDING,
                    RelationshipStatus.ASKED,
                    RelationshipStatus.ACTIVE,
                ],
            )
            .first()
        )
        if existing is not None and existing.is_active:
            raise ValidationError(
                {
                    "code": _("%(name)s is already in your care team.")
                    % {"name": provider.get_full_name()}
                },
                code="already_linked",
            )
        if existing is not None:
            relationship = existing
        else:
            relationship = CareRelationship(
                service_user=service_user,
                provider=provider,
                organisation_id=organisation_id,
                requested_by=service_user,
            )
            relationship.full_clean(validate_constraints=False)
            relationship.save()
        _activate(relationship, actor=service_user)
        relationship.service_user, relationship.provider = service_user, provider
        notify.provider_added(relationship, accepted_request=False)
        return relationship


def request_link(*, provider: User, email: str) -> CareRequest:
    """Ask the service user with ``email`` to add ``provider`` to their care team.

    Only a service user of an organisation where ``provider`` is verified gets the request.
    The provider learns nothing about whether the address matched: a CareRequest is kept
    either way, and the caller shows the same message either way.
    """
    check_is_verified_provider(provider)
    email = email.strip().lower()
    organisation_ids = list(
        Membership.objects.filter(
            user=provider, role=Role.PROVIDER, verified_at__isnull=False
        ).values_list("organisation_id", flat=True)
    )
    with transaction.atomic():
        existing = (
            CareRequest.objects.filter(provider=provider, email=email, withdrawn_at__isnull=True)
            .filter(
                Q(relationship__isnull=True) | Q(relationship__status=RelationshipStatus.PENDING)
            )
            .first()
        )
        if existing is not None and existing.relationship_id is not None:
            return existing
        membership = (
            Membership.objects.select_related("user")
            .filter(
                user__email__iexact=email,
                user__is_active=True,
                role=Role.SERVICE_USER,
                organisation_id__in=organisation_ids,
            )
            .exclude(user=provider)
            .order_by("id")
            .first()
        )
        relationship = None
        if (
            membership is not None
            and not CareRelationship.objects.filter(
                service_user=membership.user,
                provider=provider,
                status__in=[
                    RelationshipStatus.PENDING,
                    RelationshipStatus.ASKED,
                    RelationshipStatus.ACTIVE,
                ],
            ).exists()
        ):
            relationship = CareRelationship(
                service_user=membership.user,
                provider=provider,
                organisation_id=membership.organisation_id,
                requested_by=provider,
            )
            relationship.full_clean(validate_constraints=False)
            relationship.save()
        care_request = existing or CareRequest(
            provider=provider, organisation_id=organisation_ids[0], email=email
        )
        if relationship is not None:
            care_request.relationship = relationship
            care_request.organisation_id = relationship.organisation_id
        care_request.full_clean()
        care_request.save()
        if relationship is not None:
            # Only the person is told; the provider's page says the same whatever happened.
            notify.care_request_sent(relationship)
    return care_request


def withdraw_request(*, provider: User, care_request: CareRequest) -> None:
    """Withdraw a request ``provider`` sent; a request still waiting for an answer disappears
    from the service user's page."""
    if care_request.provider_id != provider.pk:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        care_request.withdrawn_at = now
        care_request.save(update_fields=["withdrawn_at"])
        if care_request.relationship_id is not None:
            CareRelationship.objects.filter(
                pk=care_request.relationship_id, status=RelationshipStatus.PENDING
            ).update(status=RelationshipStatus.ENDED, ended_at=now)


def _check_pending_for(service_user: User, relationship: CareRelationship) -> None:
    if relationship.service_user_id != service_user.pk:
        raise PermissionDenied
    if relationship.status != RelationshipStatus.PENDING:
        raise ValidationError(_("This request has already been answered or withdrawn."))


def accept_request(*, service_user: User, relationship: CareRelationship) -> CareRelationship:
    """Accept a provider's request: the provider joins the care team, seeing nothing yet."""
    with transaction.atomic():
        relationship = CareRelationship.objects.select_for_update().get(pk=relationship.pk)
        _check_pending_for(service_user, relationship)
        if not is_verified_provider(relationship.provider):
            raise ValidationError(_("This care provider can no longer be added."))
        _activate(relationship, actor=service_user)
        relationship.service_user = service_user
        notify.provider_added(relationship, accepted_request=True)
        return relationship


def decline_request(*, service_user: User, relationship: CareRelationship) -> CareRelationship:
    """Decline a provider's request. The provider is not told: their sent requests look the
    same whether an address matched nobody, is waiting or was declined (care.notify)."""
    with transaction.atomic():
        relationship = CareRelationship.objects.select_for_update().get(pk=relationship.pk)
        _check_pending_for(service_user, relationship)
        relationship.status = RelationshipStatus.DECLINED
        relationship.ended_at = timezone.now()
        relationship.save(update_fields=["status", "ended_at"])
    return relationship


def end_relationship(*, actor: User, relationship: CareRelationship) -> CareRelationship:
    """End a care relationship; either side may. The provider's access stops with the next
    request, and an open joint session ends too."""
    if actor.pk not in {relationship.service_user_id, relationship.provider_id}:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        relationship = CareRelationship.objects.select_for_update().get(pk=relationship.pk)
        if relationship.status not in {RelationshipStatus.ACTIVE, RelationshipStatus.PENDING}:
            raise ValidationError(_("This care relationship has already ended."))
        before = relationship.status
        relationship.status = RelationshipStatus.ENDED
        relationship.ended_at = now
        relationship.save(update_fields=["status", "ended_at"])
        JointSession.objects.filter(relationship=relationship, ended_at__isnull=True).update(
            ended_at=now
        )
        record_change(
            actor=actor,
            kind=ChangeKind.RELATIONSHIP_ENDED,
            subject_id=relationship.service_user_id,
            target=relationship,
            before={"status": before},
            after={"status": relationship.status, "provider": relationship.provider_id},
        )
    logger.info("Care relationship %s ended by %s", relationship.pk, actor.pk)
    return relationship


def mark_person_seen(*, provider: User, relationship: CareRelationship) -> None:
    """Remember that ``provider`` has just opened this person's overview."""
    if relationship.provider_id != provider.pk:
        raise PermissionDenied
    relationship.provider_last_seen_at = timezone.now()
    relationship.save(update_fields=["provider_last_seen_at"])
