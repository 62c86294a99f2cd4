"""Who may see which study.

Researchers see their organisation's studies and nothing else (the dashboards and exports);
service users and providers see the open studies of their organisation, to answer them. Every
other study is missing to them: "not yours" and "missing" look the same (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.research.models import PARTICIPANT_ROLES, Consent, ConsentStatus, Study


def studies_for_researcher(user: User) -> QuerySet[Study]:
    """The studies of the organisations where ``user`` is a researcher."""
    if not user.is_active:
        return Study.objects.none()
    organisations = Membership.objects.filter(user=user, role=Role.RESEARCHER).values(
        "organisation_id"
    )
    return Study.objects.filter(organisation_id__in=organisations).select_related("organisation")


def get_study_for_researcher(user: User, study_id: int) -> Study:
    """Return the study if ``user`` is a researcher of its organisation, else raise 404."""
    study = studies_for_researcher(user).filter(pk=study_id).first()
    if study is None:
        raise Http404
    return study


def participant_role(user: User, study: Study) -> str | None:
    """The role ``user`` would take part in ``study`` as: service user before provider, since
    a person with both roles uses the toolbox as their own (None: they cannot take part)."""
    roles = set(
        Membership.objects.filter(
            user=user, organisation_id=study.organisation_id, role__in=PARTICIPANT_ROLES
        ).values_list("role", flat=True)
    )
    for role in PARTICIPANT_ROLES:
        if role in roles:
            return role
    return None


def studies_for_participant(user: User) -> QuerySet[Study]:
    """Studies open today in the organisations where ``user`` is a service user or provider,
    and ended ones they still take part in (they may withdraw at any time). Generated
    (synthetic) studies are never offered."""
    organisations = Membership.objects.filter(user=user, role__in=PARTICIPANT_ROLES).values(
        "organisation_id"
    )
    today = timezone.localdate()
    taking_part = Consent.objects.filter(user=user, status=ConsentStatus.CONSENTED).values(
        "study_id"
    )
    return Study.objects.filter(
        Q(start_date__lte=today, end_date__gte=today) | Q(pk__in=taking_part),
        organisation_id__in=organisations,
        synthetic=False,
    ).order_by("start_date", "pk")


def get_study_for_participant(user: User, study_id: int) -> tuple[Study, str]:
    """Return an open study ``user`` may answer and the role they would take part as; 404
    for any other study."""
    study = studies_for_participant(user).filter(pk=study_id).first()
    role = participant_role(user, study) if study is not None else None
    if study is None or role is None:
        raise Http404
    return study, role


def get_study_for_admin(user: User, organisation_id: int, study_id: int) -> Study:
    """Return the study of ``organisation_id`` if ``user`` administers that organisation, else
    raise 404: another organisation's study and a missing one look the same."""
    study = (
        Study.objects.filter(
            pk=study_id,
            organisation_id=organisation_id,
            organisation__memberships__user=user,
            organisation__memberships__role=Role.ORG_ADMIN,
        )
        .select_related("organisation")
        .first()
    )
    if study is None or not user.is_active:
        raise Http404
    return study
