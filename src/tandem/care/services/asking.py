"""A service user asks a care provider of her organisation to join her care team; the
provider accepts or declines (issue 24).

The other way round from a provider's request by email (``relationships.request_link``):
the relationship waits as ``RelationshipStatus.ASKED`` ("Waiting for the provider"). Accepting
makes it active with Tandem's starting agreement, like every other way in, and gives no
grants: what the provider sees stays the service user's choice (``/care/sharing/``). The
link code stays the quick way when the provider hands it over (docs/access.md, "Asking a
provider to join").

The reads and the gates of asking live here too, beside the rules they share: the choices
(``askable_providers``), each side's open asks, and the two gates that return an ask or
raise ``Http404`` (missing and not yours look the same).

Notifications (content-free: the email says only "something new"): the provider is told of
the ask (link: the caseload's "Asking you to join"); the service user of the answer (accepted:
the relationship page; declined: "My care team"). The ask carries the ``care.ask`` scope
(``notify.waiting_ask_ids``): the provider sees it only while the ask waits, so it is gone once
withdrawn, accepted or declined. The acceptance carries ``care.relationship`` (the relationship
was active); the decline no scope (it stays: it is about an answer, and the relationship never
was active).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import Membership, Role, User
from tandem.care.access import check_is_service_user, check_is_verified_provider
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.care.notify import ASK_SCOPE, RELATIONSHIP_SCOPE
from tandem.care.services.relationships import _activate, _shared_organisation_id
from tandem.notifications.services import notify

KIND_ASKED = "care.asked"
KIND_ASK_ACCEPTED = "care.ask_accepted"
KIND_ASK_DECLINED = "care.ask_declined"

OPEN_STATUSES = [RelationshipStatus.PENDING, RelationshipStatus.ASKED, RelationshipStatus.ACTIVE]


# --- Reads and gates ----------------------------------------------------------------------------


def askable_providers(service_user: User) -> list[User]:
    """The active, verified providers of the organisations where ``service_user`` is a service
    user, by name (one query). Those already in her team are listed too: asking one again is
    refused with a message that says why."""
    organisations = Membership.objects.filter(user=service_user, role=Role.SERVICE_USER).values(
        "organisation_id"
    )
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.PROVIDER,
            memberships__verified_at__isnull=False,
            memberships__organisation_id__in=organisations,
        )
        .exclude(pk=service_user.pk)
        .distinct()
        .order_by("full_name", "pk")
    )


def asks_waiting_for_provider(provider: User) -> QuerySet[CareRelationship]:
    """The asks waiting for ``provider``'s answer, oldest first, with the person (one query)."""
    return (
        CareRelationship.objects.filter(provider=provider, status=RelationshipStatus.ASKED)
        .select_related("service_user")
        .order_by("created_at", "pk")
    )


def asks_of_service_user(service_user: User) -> QuerySet[CareRelationship]:
    """``service_user``'s asks still waiting for a provider, newest first (one query)."""
    return (
        CareRelationship.objects.filter(service_user=service_user, status=RelationshipStatus.ASKED)
        .select_related("provider")
        .order_by("-created_at", "-pk")
    )


def get_ask_for_provider(provider: User, relationship_id: int) -> CareRelationship:
    """An ask made to ``provider`` (whatever became of it, so a second answer is told what
    happened); ``Http404`` for anyone else's, or while ``provider`` is not verified."""
    if not is_verified_provider(provider):
        raise Http404
    relationship = (
        CareRelationship.objects.filter(pk=relationship_id, provider=provider)
        .select_related("service_user", "provider")
        .first()
    )
    if relationship is None or relationship.requested_by_id != relationship.service_user_id:
        raise Http404
    return relationship


def get_ask_for_service_user(service_user: User, relationship_id: int) -> CareRelationship:
    """One of ``service_user``'s own asks; ``Http404`` for anyone else's."""
    relationship = (
        CareRelationship.objects.filter(
            pk=relationship_id, service_user=service_user, requested_by=service_user
        )
        .select_related("provider")
        .first()
    )
    if relationship is None:
        raise Http404
    return relationship


# --- Changes -------------------------------------------------------------------------------------


def _not_found() -> ValidationError:
    return ValidationError(
        {"provider": _("We could not find that care provider in your organisation.")},
        code="not_found",
    )


def _duplicate(existing: CareRelationship, provider: User) -> ValidationError:
    name = provider.get_full_name()
    if existing.status == RelationshipStatus.ACTIVE:
        message = _("%(name)s is already in your care team.")
    elif existing.status == RelationshipStatus.ASKED:
        message = _("You have already asked %(name)s. They have not answered yet.")
    else:
        message = _(
            "%(name)s has already asked to join your care team: you can accept their "
            "request on this page."
        )
    return ValidationError({"provider": message % {"name": name}}, code="already_asked")


def ask_provider(*, service_user: User, provider_id: int) -> CareRelationship:
    """Ask the provider ``provider_id`` to join ``service_user``'s care team, and tell them.

    The provider must be an active, verified provider in one of her organisations (anyone else
    is "not found", as a code of another organisation is). Refused with a message when the
    provider is already in her team, already asked, or has asked her (she answers that)."""
    check_is_service_user(service_user)
    provider = User.objects.filter(pk=provider_id, is_active=True).first()
    if provider is None or provider.pk == service_user.pk:
        raise _not_found()
    organisation_id = _shared_organisation_id(service_user=service_user, provider=provider)
    if organisation_id is None:
        raise _not_found()
    with transaction.atomic():
        existing = (
            CareRelationship.objects.select_for_update()
            .filter(service_user=service_user, provider=provider, status__in=OPEN_STATUSES)
            .first()
        )
        if existing is not None:
            raise _duplicate(existing, provider)
        relationship = CareRelationship(
            service_user=service_user,
            provider=provider,
            organisation_id=organisation_id,
            status=RelationshipStatus.ASKED,
            requested_by=service_user,
        )
        relationship.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                relationship.save()
        except IntegrityError:  # the same ask from another tab at the same moment
            raise _duplicate(relationship, provider) from None
        _tell(
            recipient=provider,
            actor=service_user,
            kind=KIND_ASKED,
            title=_("%(name)s asked you to join their care team")
            % {"name": service_user.get_full_name()},
            url=reverse("care:caseload") + "#asking",
            scope=(ASK_SCOPE, relationship.pk),
        )
    return relationship


def _locked_ask(relationship: CareRelationship) -> CareRelationship:
    return (
        CareRelationship.objects.select_for_update()
        .select_related("service_user", "provider")
        .get(pk=relationship.pk)
    )


def _answered() -> ValidationError:
    return ValidationError(_("This request was withdrawn or has already been answered."))


def accept_ask(*, provider: User, relationship: CareRelationship) -> CareRelationship:
    """``provider`` accepts: the relationship becomes active (no grants: sharing stays the
    person's choice) and the person is told. Accepting twice changes nothing the second time."""
    check_is_verified_provider(provider)
    with transaction.atomic():
        relationship = _locked_ask(relationship)
        if relationship.provider_id != provider.pk:
            raise PermissionDenied
        if relationship.status == RelationshipStatus.ACTIVE:
            return relationship
        if relationship.status != RelationshipStatus.ASKED:
            raise _answered()
        _activate(relationship, actor=provider)
        _tell(
            recipient=relationship.service_user,
            actor=provider,
            kind=KIND_ASK_ACCEPTED,
            title=_("%(name)s accepted and is now in your care team")
            % {"name": provider.get_full_name()},
            url=reverse("care:relationship-detail", kwargs={"relationship_id": relationship.pk}),
            scope=(RELATIONSHIP_SCOPE, relationship.pk),
        )
    return relationship


def decline_ask(*, provider: User, relationship: CareRelationship) -> CareRelationship:
    """``provider`` declines (no reason asked); the person is told plainly. Declining twice
    changes nothing the second time."""
    if relationship.provider_id != provider.pk:
        raise PermissionDenied
    with transaction.atomic():
        relationship = _locked_ask(relationship)
        if relationship.status == RelationshipStatus.DECLINED:
            return relationship
        if relationship.status != RelationshipStatus.ASKED:
            raise _answered()
        relationship.status = RelationshipStatus.DECLINED
        relationship.ended_at = timezone.now()
        relationship.save(update_fields=["status", "ended_at"])
        _tell(
            recipient=relationship.service_user,
            actor=provider,
            kind=KIND_ASK_DECLINED,
            title=_(
                "%(name)s declined your request to join your care team. You can ask someone "
                "else in your organisation."
            )
            % {"name": provider.get_full_name()},
            url=reverse("care:team"),
        )
    return relationship


def withdraw_ask(*, service_user: User, relationship: CareRelationship) -> CareRelationship:
    """``service_user`` takes back an ask that is still waiting; the provider's caseload no
    longer shows it."""
    if relationship.service_user_id != service_user.pk:
        raise PermissionDenied
    with transaction.atomic():
        relationship = _locked_ask(relationship)
        if relationship.status != RelationshipStatus.ASKED:
            raise _answered()
        relationship.status = RelationshipStatus.ENDED
        relationship.ended_at = timezone.now()
        relationship.save(update_fields=["status", "ended_at"])
    return relationship


def _tell(
    *,
    recipient: User,
    actor: User,
    kind: str,
    title: str,
    url: str,
    scope: tuple[str, int] | None = None,
) -> None:
    if not recipient.is_active:
        return
    scope_type, scope_id = scope if scope is not None else ("", None)
    notify(
        recipient=recipient,
        actor=actor,
        kind=kind,
        title=title,
        url=url,
        scope_type=scope_type,
        scope_id=scope_id,
    )
