""" "Waiting for the other": messages never answered in the agreed time are counted too, once
per wait, for people taking part only; the dashboard's figure is the raw events' count."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.core.usage import Action, Module
from tandem.messaging import services as messaging_services
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import thread_between
from tandem.research import selectors, services
from tandem.research.models import UNANSWERED, Consent, ResearchEvent, Study
from tandem.research.unanswered import record_unanswered

pytestmark = pytest.mark.django_db


def _care_team(
    person: User, provider: User, organisation: Organisation, *, reply_days: int | None = 2
) -> Thread:
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    if reply_days is not None:
        Agreement.objects.create(relationship=relationship, reply_within_days=reply_days)
    return thread_between(person, provider)


def _send(sender: User, thread: Thread, body: str = "Are you there?") -> None:
    thread.refresh_from_db()
    messaging_services.send_message(
        sender=sender, thread=thread, body=body, client_key=uuid.uuid4()
    )


def _unanswered(study: Study) -> list[ResearchEvent]:
    return list(ResearchEvent.objects.filter(study=study, action=UNANSWERED))


def _later(days: int) -> datetime:
    # Nine days cover two working days whatever the weekday.
    return timezone.now() + timedelta(days=days)


def test_a_message_nobody_answered_in_the_agreed_time_is_recorded_once(
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
    organisation: Organisation,
) -> None:
    person = consenting()
    provider = make_member(Role.PROVIDER, totp=True)  # not taking part: their silence counts
    thread = _care_team(person, provider, organisation)
    _send(person, thread)
    _send(person, thread, "Hello?")  # the same wait: one event, not two
    assert record_unanswered(_later(1)) == 0  # not due yet
    assert record_unanswered(_later(9)) == 1
    assert record_unanswered(_later(10)) == 0  # written before
    (event,) = _unanswered(study)
    assert (event.pseudonym, event.role, event.module) == (
        study.pseudonym_for(person.pk),
        Role.SERVICE_USER,
        Module.MESSAGING,
    )
    assert event.hour.minute == 0 and event.wait_hours is None


def test_answered_threads_and_threads_without_an_agreement_are_not_counted(
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
    organisation: Organisation,
) -> None:
    answered, unagreed = consenting(), consenting()
    provider = make_member(Role.PROVIDER, totp=True)
    thread = _care_team(answered, provider, organisation)
    _send(answered, thread)
    _send(provider, thread, "Here I am.")
    other = _care_team(unagreed, provider, organisation, reply_days=None)
    _send(unagreed, other)
    assert record_unanswered(_later(9)) == 0
    assert _unanswered(study) == []


def test_nothing_is_recorded_for_someone_not_taking_part(
    make_member: Callable[..., User], study: Study, organisation: Organisation
) -> None:
    person, provider = make_member(), make_member(Role.PROVIDER, totp=True)
    _send(person, _care_team(person, provider, organisation))
    assert record_unanswered(_later(9)) == 0
    assert not ResearchEvent.objects.exists()


def test_a_wait_due_before_the_person_agreed_is_not_recorded(
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
    organisation: Organisation,
) -> None:
    person, provider = consenting(), make_member(Role.PROVIDER, totp=True)
    thread = _care_team(person, provider, organisation)
    _send(person, thread)
    Thread.objects.filter(pk=thread.pk).update(waiting_since=timezone.now() - timedelta(days=9))
    assert record_unanswered() == 0


def test_a_wait_due_after_the_study_ended_is_not_recorded(
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
    organisation: Organisation,
) -> None:
    person, provider = consenting(), make_member(Role.PROVIDER, totp=True)
    _send(person, _care_team(person, provider, organisation))
    Study.objects.filter(pk=study.pk).update(end_date=timezone.localdate())
    assert record_unanswered(_later(9)) == 0


def test_the_command_runs_the_sweep(
    consenting: Callable[..., User],
    make_member: Callable[..., User],
    study: Study,
    organisation: Organisation,
) -> None:
    person, provider = consenting(), make_member(Role.PROVIDER, totp=True)
    thread = _care_team(person, provider, organisation, reply_days=1)
    _send(person, thread)
    long_ago = timezone.now() - timedelta(days=20)
    Thread.objects.filter(pk=thread.pk).update(waiting_since=long_ago + timedelta(days=11))
    Consent.objects.filter(user=person).update(consented_at=long_ago)
    call_command("record_unanswered_messages", verbosity=0)
    assert len(_unanswered(study)) == 1


def _event(study: Study, pseudonym: str, role: str, action: str, **fields: object) -> None:
    ResearchEvent.objects.create(
        study=study,
        pseudonym=pseudonym,
        role=role,
        module=Module.MESSAGING,
        action=action,
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
        **fields,
    )


def test_the_dashboard_counts_the_raw_unanswered_events_of_people_taking_part(
    consenting: Callable[..., User], study: Study
) -> None:
    people = [consenting() for _ in range(3)]
    provider = consenting(Role.PROVIDER, totp=True)
    pseudonyms = [study.pseudonym_for(p.pk) for p in people]
    for pseudonym in pseudonyms:
        _event(study, pseudonym, Role.SERVICE_USER, UNANSWERED)
    _event(study, pseudonyms[0], Role.SERVICE_USER, Action.MESSAGE_SENT)
    provider_pseudonym = study.pseudonym_for(provider.pk)
    _event(study, provider_pseudonym, Role.PROVIDER, Action.MESSAGE_SENT, wait_hours=80, late=True)
    _event(study, provider_pseudonym, Role.PROVIDER, Action.MESSAGE_SENT, wait_hours=3, late=False)
    services.withdraw_consent(user=people[2], study=study)  # their events go
    _event(study, "f" * 20, Role.SERVICE_USER, UNANSWERED)  # nobody taking part
    raw = [
        e
        for e in ResearchEvent.objects.filter(study=study, action=UNANSWERED)
        if e.pseudonym in {study.pseudonym_for(p.pk) for p in people[:2]}
    ]
    replies = selectors.reply_times(study)
    assert replies.unanswered == len(raw) == 2
    assert (replies.replies, replies.late, replies.with_agreement) == (2, 1, 2)
    # Unanswered is not taking part: the weekly count holds the provider and one service user.
    (week,) = selectors.weekly_participation(study)
    assert (week.service_users, week.providers) == (1, 1)


def test_the_demo_study_has_messages_left_unanswered() -> None:
    from tandem.accounts.tests.factories import OrganisationFactory

    OrganisationFactory.create(slug="northside", name="Northside")
    call_command("seed_research_demo", verbosity=0)
    study = Study.objects.get(synthetic=True)
    replies = selectors.reply_times(study)
    raw = ResearchEvent.objects.filter(study=study, action=UNANSWERED)
    assert replies.unanswered == raw.count() >= 5  # shown, not "< 5"
    assert set(raw.values_list("role", flat=True)) == {Role.SERVICE_USER}
    assert all(study.start_date <= e.hour.date() <= study.end_date for e in raw)
