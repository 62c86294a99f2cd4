"""The event writer: one row for a person taking part, none for anyone else, one statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.core import usage
from tandem.core.usage import Action, Module
from tandem.research import services
from tandem.research.models import ResearchEvent, Study
from tandem.research.sink import module_of_page
from tandem.research.tests.conftest import statements

pytestmark = pytest.mark.django_db


def test_a_consenting_person_gets_one_event_rounded_to_the_hour(
    consenting: Callable[..., User], study: Study
) -> None:
    person = consenting()
    moment = timezone.now().replace(minute=47, second=12)
    with (
        time_machine.travel(moment, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        usage.record(person.pk, Module.FORUM, Action.POST)
    assert len(statements(queries)) == 1
    event = ResearchEvent.objects.get()
    assert (event.module, event.action, event.role) == (
        Module.FORUM,
        Action.POST,
        Role.SERVICE_USER,
    )
    assert event.pseudonym == study.pseudonym_for(person.pk) != str(person.pk)
    assert (event.hour.minute, event.hour.second) == (0, 0)


def test_someone_who_never_answered_costs_one_query_and_no_row(
    make_member: Callable[..., User], study: Study
) -> None:
    person = make_member()
    with CaptureQueriesContext(connection) as queries:
        usage.record(person.pk, Module.FORUM, Action.POST)
    assert len(statements(queries)) == 1
    assert not ResearchEvent.objects.exists()


def test_declined_and_withdrawn_people_are_not_recorded(
    make_member: Callable[..., User], consenting: Callable[..., User], study: Study
) -> None:
    declined = make_member()
    services.decline_consent(user=declined, study=study, role=Role.SERVICE_USER)
    withdrawn = consenting()
    services.withdraw_consent(user=withdrawn, study=study)
    for person in (declined, withdrawn):
        usage.record(person.pk, Module.GOALS, Action.GOAL_CHANGED)
    assert not ResearchEvent.objects.exists()


def test_nothing_is_recorded_outside_the_study_dates(
    consenting: Callable[..., User], study: Study
) -> None:
    person = consenting()
    with time_machine.travel(timezone.now() + timedelta(days=40)):
        usage.record(person.pk, Module.FORUM, Action.POST)
    assert not ResearchEvent.objects.exists()


def test_nothing_is_recorded_once_the_person_left_the_organisation(
    consenting: Callable[..., User], study: Study
) -> None:
    person = consenting()
    Membership.objects.filter(user=person).delete()
    usage.record(person.pk, Module.FORUM, Action.POST)
    assert not ResearchEvent.objects.exists()


def test_withdrawing_deletes_what_was_recorded(
    consenting: Callable[..., User], study: Study
) -> None:
    person, other = consenting(), consenting()
    usage.record(person.pk, Module.FORUM, Action.POST)
    usage.record(other.pk, Module.FORUM, Action.POST)
    services.withdraw_consent(user=person, study=study)
    assert list(ResearchEvent.objects.values_list("pseudonym", flat=True)) == [
        study.pseudonym_for(other.pk)
    ]


def test_pseudonyms_differ_between_studies(study: Study) -> None:
    other = Study.objects.create(
        organisation=study.organisation,
        title="Another",
        purpose="-",
        ethics_reference="-",
        collected="-",
        start_date=study.start_date,
        end_date=study.end_date,
    )
    assert study.pseudonym_for(7) != other.pseudonym_for(7)
    assert study.pseudonym_for(7) == study.pseudonym_for(7)


@pytest.mark.parametrize(
    ("namespace", "page", "module"),
    [
        ("toolbox", "goal-detail", Module.GOALS),
        ("toolbox", "shared-goals", Module.GOALS),
        ("toolbox", "journal-list", Module.JOURNAL),
        ("toolbox", "crisis-plan", Module.CRISIS_PLAN),
        ("toolbox", "home", Module.STATUS),
        ("toolbox", "deleted", None),
        ("forum", "topic-detail", Module.FORUM),
        ("messaging", "thread-list", Module.MESSAGING),
        ("notifications", "list", None),
        ("research", "dashboard", None),
    ],
)
def test_pages_count_for_their_module(namespace: str, page: str, module: str | None) -> None:
    assert module_of_page(namespace, page) == module


def test_a_visit_to_a_page_research_does_not_count_writes_nothing(
    consenting: Callable[..., User],
) -> None:
    person = consenting()
    with CaptureQueriesContext(connection) as queries:
        usage.record(person.pk, "notifications", Action.VISIT, page="list")
    assert statements(queries) == []
    assert not ResearchEvent.objects.exists()


def test_a_providers_reply_keeps_the_wait_and_not_the_time(
    consenting: Callable[..., User], study: Study
) -> None:
    provider = consenting(Role.PROVIDER)
    waited = timezone.now() - timedelta(hours=30, minutes=20)
    usage.record(provider.pk, Module.MESSAGING, Action.MESSAGE_SENT, waited_since=waited)
    event = ResearchEvent.objects.get()
    assert event.wait_hours == 30
    assert event.late is None  # no agreement with anyone
