"""Joint sessions: the service user shows chosen modules; both keep one note."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.access import check_is_verified_provider, open_joint_session
from tandem.care.models import CareRelationship, JointSession, Module
from tandem.core import usage
from tandem.core.change_record import ChangeKind, record_change


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
        record_change(
            actor=service_user,
            kind=ChangeKind.JOINT_SESSION_STARTED,
            subject_id=service_user.pk,
            target=session,
            after={"modules": shown, "provider": relationship.provider_id},
        )
        usage.record(service_user.pk, usage.Module.CARE_TEAM, usage.Action.JOINT_SESSION)
        usage.record(relationship.provider_id, usage.Module.CARE_TEAM, usage.Action.JOINT_SESSION)
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
        with transaction.atomic():
            session.ended_at = timezone.now()
            session.save(update_fields=["ended_at"])
            record_change(
                actor=service_user,
                kind=ChangeKind.JOINT_SESSION_ENDED,
                subject_id=service_user.pk,
                target=session,
                before={"open": True},
                after={"open": False, "provider": session.relationship.provider_id},
            )
    return session
