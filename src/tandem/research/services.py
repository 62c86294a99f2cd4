"""Every change to research data: setting up or changing a study, answering it, withdrawing,
recording an export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Organisation, User
from tandem.research.models import (
    Consent,
    ConsentStatus,
    ExportRecord,
    ResearchEvent,
    Study,
    StudyChange,
    StudyChangeKind,
)

# What a study asks people to agree to, in the words they read before answering.
STUDY_FIELDS = ("title", "purpose", "ethics_reference", "collected", "start_date", "end_date")
# Once anyone has agreed, these stay as they were when they agreed (docs/research.md).
CONSENTED_FIELDS = ("purpose", "collected")


def anyone_consented(study: Study) -> bool:
    """True once anyone has agreed to take part in ``study``, including people who withdrew
    since: they agreed to the words as they were."""
    return Consent.objects.filter(study=study, consented_at__isnull=False).exists()


@transaction.atomic
def create_study(*, actor: User, organisation: Organisation, values: dict[str, object]) -> Study:
    """Set up a study of ``organisation`` and record who did it. ValidationError for fields
    the model refuses (an end before the start)."""
    study = Study(organisation=organisation, **{f: values[f] for f in STUDY_FIELDS})
    study.full_clean()
    study.save()
    StudyChange.objects.create(
        study=study, actor=actor, kind=StudyChangeKind.CREATED, fields=list(STUDY_FIELDS)
    )
    return study


@transaction.atomic
def update_study(*, actor: User, study: Study, values: dict[str, object]) -> list[str]:
    """Change ``study`` and record who changed which fields; return their names.

    Refused (ValidationError on the field) when the purpose or what is collected would change
    after anyone agreed to take part: people agreed to those words, and changing them silently
    would make their consent about something else. The study row is locked first, so a consent
    given meanwhile is seen.
    """
    study = Study.objects.select_for_update().get(pk=study.pk)
    changed = [f for f in STUDY_FIELDS if f in values and getattr(study, f) != values[f]]
    locked = [f for f in changed if f in CONSENTED_FIELDS]
    if locked and anyone_consented(study):
        message = _("People have agreed to this text, so it can no longer be changed.")
        raise ValidationError(dict.fromkeys(locked, message))
    if not changed:
        return []
    for field in changed:
        setattr(study, field, values[field])
    study.full_clean()
    study.save(update_fields=changed)
    StudyChange.objects.create(
        study=study, actor=actor, kind=StudyChangeKind.EDITED, fields=changed
    )
    return changed


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
    # Waits for an admin changing the study's text at this moment (update_study locks it too).
    list(Study.objects.select_for_update().filter(pk=study.pk).values_list("pk", flat=True))
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
