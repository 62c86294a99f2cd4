"""The rules of consent and of who sees a study, at their edges: a study that has ended asks
nobody, saying no while taking part withdraws, withdrawing twice does nothing, an unchanged
study records no change, and people without a participant role or an active account are
given nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.research import access, services
from tandem.research.models import ConsentStatus, ResearchEvent, Study, StudyChange

pytestmark = pytest.mark.django_db


def test_a_study_that_has_ended_asks_nobody_to_take_part(
    study: Study, make_member: Callable[..., User]
) -> None:
    study.end_date = timezone.localdate() - timedelta(days=1)
    study.save(update_fields=["end_date"])
    with pytest.raises(ValidationError, match="has ended"):
        services.give_consent(user=make_member(), study=study, role=Role.SERVICE_USER)
    assert not study.consents.exists()


def test_saying_no_while_taking_part_withdraws_and_deletes_the_events(
    study: Study, consenting: Callable[..., User]
) -> None:
    person = consenting()
    consent = study.consents.get(user=person)
    ResearchEvent.objects.create(
        study=study,
        pseudonym=consent.pseudonym,
        role=Role.SERVICE_USER,
        module="goals",
        action="visit",
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
    )
    answer = services.decline_consent(user=person, study=study, role=Role.SERVICE_USER)
    assert answer.status == ConsentStatus.WITHDRAWN
    assert not ResearchEvent.objects.filter(study=study, pseudonym=consent.pseudonym).exists()


def test_withdrawing_when_not_taking_part_does_nothing(
    study: Study, make_member: Callable[..., User], consenting: Callable[..., User]
) -> None:
    assert services.withdraw_consent(user=make_member(), study=study) is None
    person = consenting()
    assert services.withdraw_consent(user=person, study=study) is not None
    assert services.withdraw_consent(user=person, study=study) is None  # the second time


def test_saving_a_study_unchanged_records_no_change(study: Study, org_admin: User) -> None:
    values: dict[str, object] = {"title": study.title, "purpose": study.purpose}
    assert services.update_study(actor=org_admin, study=study, values=values) == []
    assert not StudyChange.objects.filter(study=study).exists()


def test_a_researcher_whose_account_is_closed_sees_no_study(study: Study, researcher: User) -> None:
    assert list(access.studies_for_researcher(researcher)) == [study]
    researcher.is_active = False
    researcher.save(update_fields=["is_active"])
    assert not access.studies_for_researcher(researcher).exists()


def test_someone_with_no_participant_role_cannot_take_part(study: Study, researcher: User) -> None:
    assert access.participant_role(researcher, study) is None
