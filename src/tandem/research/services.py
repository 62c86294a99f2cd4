"""Every change to research data: answering a study, withdrawing, recording an export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.research.models import (
    Consent,
    ConsentStatus,
    ExportRecord,
    ResearchEvent,
    Study,
)


def _consent_row(*, user: User, study: Study, role: str) -> Consent:
    consent, _created = Consent.objects.select_for_update().get_or_create(
        study=study,
        user=user,
        defaults={
            "role": role,
            "pseudonym": study.pseudonym_for(user.pk),
            "status": ConsentStatus.DECLINED,
        },
    )
    return consent


@transaction.atomic
def give_consent(*, user: User, study: Study, role: str) -> Consent:
    """Take part in ``study`` as ``role`` from now on. Refused (ValidationError) once the
    study has ended: nothing more would be recorded."""
    if not study.is_open_on(timezone.localdate()):
        raise ValidationError(_("This study has ended, so it no longer asks anyone to take part."))
    consent = _consent_row(user=user, study=study, role=role)
    consent.role = role
    consent.status = ConsentStatus.CONSENTED
    consent.consented_at = timezone.now()
    consent.full_clean()
    consent.save(update_fields=["role", "status", "consented_at", "updated_at"])
    return consent


@transaction.atomic
def decline_consent(*, user: User, study: Study, role: str) -> Consent:
    """Say no to ``study``: nothing about ``user`` is recorded. Someone taking part who says
    no withdraws (their events are removed)."""
    consent = _consent_row(user=user, study=study, role=role)
    if consent.status == ConsentStatus.CONSENTED:
        return _withdraw(consent)
    consent.status = ConsentStatus.DECLINED
    consent.declined_at = timezone.now()
    consent.save(update_fields=["status", "declined_at", "updated_at"])
    return consent


@transaction.atomic
def withdraw_consent(*, user: User, study: Study) -> Consent | None:
    """Stop taking part in ``study`` and delete every event recorded under the person's
    pseudonym, so no future export or figure holds them. None if they were not taking part."""
    consent = Consent.objects.select_for_update().filter(study=study, user=user).first()
    if consent is None or consent.status != ConsentStatus.CONSENTED:
        return None
    return _withdraw(consent)


def _withdraw(consent: Consent) -> Consent:
    consent.status = ConsentStatus.WITHDRAWN
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["status", "withdrawn_at", "updated_at"])
    # Every figure also reads only the pseudonyms of consents given (selectors), so an event
    # written in the same moment as this delete never counts either.
    ResearchEvent.objects.filter(study_id=consent.study_id, pseudonym=consent.pseudonym).delete()
    return consent


def record_export(
    *, researcher: User, study: Study, export_format: str, participants: int, events: int
) -> ExportRecord:
    """Write down who exported which study, when and how; called before the file is sent."""
    record = ExportRecord(
        study=study,
        researcher=researcher,
        format=export_format,
        participants=participants,
        events=events,
    )
    record.full_clean()
    record.save()
    return record
