"""Every change of state in care relationships, grants, agreements, comments and sessions."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.access import is_verified_provider
from tandem.accounts.models import Membership, Role, User
from tandem.care.access import (
    check_can_comment,
    check_is_service_user,
    check_is_verified_provider,
    open_joint_session,
)
from tandem.care.models import (
    COMMENT_MAX_LENGTH,
    Agreement,
    CareRelationship,
    CareRequest,
    Comment,
    Grant,
    JointSession,
    Level,
    Module,
    ProviderLinkCode,
    RelationshipStatus,
)

logger = logging.getLogger(__name__)

# Failed link-code attempts a service user may make per hour: the codes are short enough to
# read aloud, so guessing them must be slow.
LINK_CODE_ATTEMPTS_PER_HOUR = 10
LINK_CODE_ALPHABET = frozenset("ABCDEFGHJKMNPQRSTUVWXYZ23456789")


# --- Comments ----------------------------------------------------------------------------------


def add_comment(*, author: User, owner: User, module: str, item_id: int, body: str) -> Comment:
    """Add ``author``'s comment on item ``item_id`` of ``owner``'s ``module``.

    The owner may always answer; a provider needs a comment grant (PermissionDenied
    otherwise). The caller has already fetched the item through the toolbox's gate, so this
    does not check that the item exists. Raise ValidationError for an empty or over-long body.
    """
    check_can_comment(author, owner, module)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment before sending it.")}, code="required")
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _("A comment can be at most %(max)s characters (this one has %(n)s).")
                % {"max": COMMENT_MAX_LENGTH, "n": len(body)}
            },
            code="max_length",
        )
    comment = Comment(owner=owner, author=author, module=module, item_id=item_id, body=body)
    with transaction.atomic():
        comment.full_clean()
        comment.save()
    return comment


# --- Link codes and requests -------------------------------------------------------------------


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


def _activate(relationship: CareRelationship) -> CareRelationship:
    """Make a relationship active and give it an agreement to fill in together."""
    relationship.status = RelationshipStatus.ACTIVE
    relationship.started_at = timezone.now()
    relationship.full_clean()
    relationship.save(update_fields=["status", "started_at"])
    Agreement.objects.get_or_create(relationship=relationship)
    return relationship


def link_provider_by_code(*, service_user: User, code: str) -> CareRelationship:
    """Add the provider whose link code ``service_user`` typed to their care team, at once.

    The provider must be a verified provider in one of the service user's organisations; a
    code of anyone else is treated as a wrong code. A pending request from the same provider
    is accepted. Raise ValidationError for a wrong code, when the provider is already in the
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
                status__in=[RelationshipStatus.PENDING, RelationshipStatus.ACTIVE],
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
            return _activate(existing)
        relationship = CareRelationship(
            service_user=service_user,
            provider=provider,
            organisation_id=organisation_id,
            requested_by=service_user,
        )
        relationship.full_clean(validate_constraints=False)
        relationship.save()
        return _activate(relationship)


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
                status__in=[RelationshipStatus.PENDING, RelationshipStatus.ACTIVE],
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
        return _activate(relationship)


def decline_request(*, service_user: User, relationship: CareRelationship) -> CareRelationship:
    """Decline a provider's request. The provider is not told."""
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
        relationship.status = RelationshipStatus.ENDED
        relationship.ended_at = now
        relationship.save(update_fields=["status", "ended_at"])
        JointSession.objects.filter(relationship=relationship, ended_at__isnull=True).update(
            ended_at=now
        )
    logger.info("Care relationship %s ended by %s", relationship.pk, actor.pk)
    return relationship


def mark_person_seen(*, provider: User, relationship: CareRelationship) -> None:
    """Remember that ``provider`` has just opened this person's overview."""
    if relationship.provider_id != provider.pk:
        raise PermissionDenied
    relationship.provider_last_seen_at = timezone.now()
    relationship.save(update_fields=["provider_last_seen_at"])


# --- Grants ------------------------------------------------------------------------------------


def set_grants(*, service_user: User, levels: Mapping[int, Mapping[str, int]]) -> int:
    """Set what each provider may do with each module: ``levels[relationship_id][module]``.

    Only the service user's own active relationships can be changed (PermissionDenied
    otherwise). Modules left out keep their level. Return how many grants changed. The gate
    reads grants on every request, so a change applies from the very next page.
    """
    for module_levels in levels.values():
        for module, level in module_levels.items():
            if module not in Module.values or level not in Level.values:
                raise ValidationError(_("Choose one of the options for each module."))
    with transaction.atomic():
        relationships = {
            relationship.pk: relationship
            for relationship in CareRelationship.objects.select_for_update().filter(
                pk__in=list(levels), service_user=service_user, status=RelationshipStatus.ACTIVE
            )
        }
        if set(levels) - set(relationships):
            raise PermissionDenied
        current = {
            (grant.relationship_id, grant.module): grant
            for grant in Grant.objects.filter(relationship_id__in=list(relationships))
        }
        changed = 0
        for relationship_id, module_levels in levels.items():
            for module, level in module_levels.items():
                grant = current.get((relationship_id, module))
                if grant is None:
                    if level == Level.NONE:
                        continue
                    grant = Grant(relationship_id=relationship_id, module=module, level=level)
                    grant.full_clean(validate_unique=False, validate_constraints=False)
                    grant.save()
                elif grant.level != level:
                    grant.level = level
                    grant.full_clean(validate_unique=False, validate_constraints=False)
                    grant.save(update_fields=["level", "updated_at"])
                else:
                    continue
                changed += 1
    return changed


# --- Agreements --------------------------------------------------------------------------------


def _side_of(actor: User, relationship: CareRelationship) -> str:
    """ "user" or "provider" for a participant of an active relationship, else PermissionDenied."""
    if not relationship.is_active:
        raise PermissionDenied
    if actor.pk == relationship.service_user_id:
        return "user"
    if actor.pk == relationship.provider_id:
        check_is_verified_provider(actor)
        return "provider"
    raise PermissionDenied


def edit_agreement(
    *,
    actor: User,
    relationship: CareRelationship,
    purpose: str,
    reply_within_days: int,
    not_for: str,
    review_every_weeks: int,
) -> Agreement:
    """Change the agreement of an active relationship; either side may.

    A change clears the *other* side's "I agree", because they have not agreed to the new
    wording yet; saving without changes clears nothing. Raise ValidationError for values out
    of range or too long.
    """
    side = _side_of(actor, relationship)
    with transaction.atomic():
        agreement, _created = Agreement.objects.select_for_update().get_or_create(
            relationship=relationship
        )
        new = {
            "purpose": purpose.strip(),
            "reply_within_days": reply_within_days,
            "not_for": not_for.strip(),
            "review_every_weeks": review_every_weeks,
        }
        if all(getattr(agreement, name) == value for name, value in new.items()):
            return agreement
        for name, value in new.items():
            setattr(agreement, name, value)
        agreement.updated_by = actor
        if side == "user":
            agreement.provider_agreed_at = None
        else:
            agreement.user_agreed_at = None
        agreement.full_clean()
        agreement.save()
    return agreement


def agree_to_agreement(*, actor: User, relationship: CareRelationship) -> Agreement:
    """Mark "I agree" for ``actor``'s side of the agreement as it reads now."""
    side = _side_of(actor, relationship)
    with transaction.atomic():
        agreement, _created = Agreement.objects.select_for_update().get_or_create(
            relationship=relationship
        )
        now = timezone.now()
        if side == "user":
            agreement.user_agreed_at = now
            agreement.save(update_fields=["user_agreed_at"])
        else:
            agreement.provider_agreed_at = now
            agreement.save(update_fields=["provider_agreed_at"])
    return agreement


# --- Joint sessions ----------------------------------------------------------------------------


def _clean_modules(modules: Iterable[str]) -> list[str]:
    chosen = set(modules)
    if chosen - set(Module.values):
        raise ValidationError(_("Choose modules from the list."))
    # Keep the toolbox's order so the page lists them the same way each time.
    return [module for module in Module.values if module in chosen]


def start_joint_session(
    *, service_user: User, relationship: CareRelationship, modules: Iterable[str]
) -> JointSession:
    """Open a joint session in which the provider sees ``modules`` while it lasts.

    Only the service user starts it, on an active relationship. A session left open past
    its time limit is closed first. Raise ValidationError when a session is already open.
    """
    if relationship.service_user_id != service_user.pk:
        raise PermissionDenied
    if not relationship.is_active:
        raise ValidationError(_("You can only start a joint session with a current provider."))
    shown = _clean_modules(modules)
    now = timezone.now()
    with transaction.atomic():
        CareRelationship.objects.select_for_update().filter(pk=relationship.pk).first()
        if open_joint_session(relationship) is not None:
            raise ValidationError(_("A joint session with this provider is already open."))
        # A session nobody ended has timed out: close it so a new one can open.
        JointSession.objects.filter(relationship=relationship, ended_at__isnull=True).update(
            ended_at=now
        )
        session = JointSession(relationship=relationship, shown_modules=shown)
        session.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError as error:
            raise ValidationError(
                _("A joint session with this provider is already open.")
            ) from error
    return session


def _check_open(session: JointSession) -> None:
    if not session.is_open or not session.relationship.is_active:
        raise ValidationError(_("This joint session has ended."))


def set_shown_modules(
    *, service_user: User, session: JointSession, modules: Iterable[str]
) -> JointSession:
    """Change which modules the provider sees in an open session; only the service user may."""
    if session.relationship.service_user_id != service_user.pk:
        raise PermissionDenied
    _check_open(session)
    session.shown_modules = _clean_modules(modules)
    session.full_clean(validate_constraints=False)
    session.save(update_fields=["shown_modules"])
    return session


class NoteConflictError(ValidationError):
    """The other person saved the note after this person opened it."""


def save_session_note(
    *, actor: User, session: JointSession, note: str, seen_updated_at: datetime | None
) -> JointSession:
    """Save the shared note of an open session; both sides write it.

    ``seen_updated_at`` is when the note the actor started from was saved. If the other
    person saved since, raise NoteConflictError instead of overwriting their words. Raise
    ValidationError for an over-long note or a session that has ended.
    """
    relationship = session.relationship
    if actor.pk not in {relationship.service_user_id, relationship.provider_id}:
        raise PermissionDenied
    if actor.pk == relationship.provider_id:
        check_is_verified_provider(actor)
    with transaction.atomic():
        session = (
            JointSession.objects.select_for_update()
            .select_related("relationship")
            .get(pk=session.pk)
        )
        _check_open(session)
        if session.note_updated_at != seen_updated_at:
            raise NoteConflictError(
                _(
                    "The note was changed by the other person while you were writing. Their "
                    "version is shown now; add your words to it and save again."
                ),
                code="conflict",
            )
        session.note = note.strip()
        session.note_updated_at = timezone.now()
        session.note_updated_by = actor
        session.full_clean(validate_constraints=False)
        session.save(update_fields=["note", "note_updated_at", "note_updated_by"])
    return session


def end_joint_session(*, service_user: User, session: JointSession) -> JointSession:
    """End a joint session; the provider's extra access ends with it. Both keep the note."""
    if session.relationship.service_user_id != service_user.pk:
        raise PermissionDenied
    if session.ended_at is None:
        session.ended_at = timezone.now()
        session.save(update_fields=["ended_at"])
    return session
