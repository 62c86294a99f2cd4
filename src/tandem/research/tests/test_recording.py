"""Each meaningful event, done through the app that owns it, lands in the event log once, for a
person taking part; and never carries anything they wrote."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Agreement
from tandem.care.services.joint_sessions import start_joint_session
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.core.usage import Action, Module
from tandem.forum import services as forum_services
from tandem.forum.models import Category, ReactionKind
from tandem.forum.tests.conftest import category, community, join, make_topic, reply
from tandem.messaging import services as messaging_services
from tandem.messaging.tests.factories import thread_between
from tandem.questionnaires import services as questionnaire_services
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.research.models import ResearchEvent, Study
from tandem.toolbox.services import goals as goal_services
from tandem.toolbox.tests.factories import PersonalDomainFactory

pytestmark = pytest.mark.django_db

__all__ = ["category", "community"]  # forum fixtures used here


def events(study: Study, user: User) -> list[tuple[str, str]]:
    return list(
        ResearchEvent.objects.filter(study=study, pseudonym=study.pseudonym_for(user.pk))
        .order_by("id")
        .values_list("module", "action")
    )


def test_posting_and_reacting_in_the_forum(
    consenting: Callable[..., User], study: Study, category: Category
) -> None:
    author, reader = consenting(), consenting()
    join(author, category.community)
    join(reader, category.community)
    topic = make_topic(author, category)
    post = reply(reader, topic)
    forum_services.toggle_reaction(user=author, post=post, kind=ReactionKind.HEAR_YOU)
    forum_services.toggle_reaction(user=author, post=post, kind=ReactionKind.HEAR_YOU)  # undone
    assert events(study, author) == [
        (Module.FORUM, Action.POST),
        (Module.FORUM, Action.REACTION),
    ]
    assert events(study, reader) == [(Module.FORUM, Action.POST)]


def test_a_late_reply_keeps_the_wait_and_that_it_was_late(
    consenting: Callable[..., User], study: Study, organisation: Organisation
) -> None:
    person, provider = consenting(), consenting(Role.PROVIDER, totp=True)
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship, reply_within_days=2)
    thread = thread_between(person, provider)
    start = timezone.now().replace(minute=0) - timedelta(days=6)
    with time_machine.travel(start, tick=False):
        messaging_services.send_message(
            sender=person, thread=thread, body="Can we talk?", client_key=uuid.uuid4()
        )
    thread.refresh_from_db()
    with time_machine.travel(start + timedelta(days=5, hours=1), tick=False):
        messaging_services.send_message(
            sender=provider, thread=thread, body="Sorry, yes.", client_key=uuid.uuid4()
        )
        thread.refresh_from_db()
        messaging_services.send_message(
            sender=provider, thread=thread, body="And one more thing.", client_key=uuid.uuid4()
        )
        messaging_services.mark_thread_read(user=person, thread=thread)
    assert events(study, person) == [
        (Module.MESSAGING, Action.MESSAGE_SENT),
        (Module.MESSAGING, Action.MESSAGE_READ),
    ]
    replies = ResearchEvent.objects.filter(pseudonym=study.pseudonym_for(provider.pk))
    assert [(e.wait_hours, e.late) for e in replies.order_by("id")] == [(121, True), (None, None)]


def test_a_reply_within_the_agreed_time_is_not_late(
    consenting: Callable[..., User], study: Study, organisation: Organisation
) -> None:
    person, provider = consenting(), consenting(Role.PROVIDER, totp=True)
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship, reply_within_days=2)
    thread = thread_between(person, provider)
    messaging_services.send_message(
        sender=person, thread=thread, body="Hi", client_key=uuid.uuid4()
    )
    thread.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        messaging_services.send_message(
            sender=provider, thread=thread, body="Hello", client_key=uuid.uuid4()
        )
    reply_event = ResearchEvent.objects.get(pseudonym=study.pseudonym_for(provider.pk))
    assert (reply_event.wait_hours, reply_event.late) == (3, False)


def test_goals_checkins_and_joint_sessions(
    consenting: Callable[..., User], study: Study, organisation: Organisation
) -> None:
    person, provider = consenting(), consenting(Role.PROVIDER, totp=True)
    domain = PersonalDomainFactory.create(owner=person)
    goal = goal_services.create_goal(owner=person, domain=domain, title="Walk daily")
    goal_services.add_step(owner=person, goal=goal, text="Buy shoes")
    phq9 = INSTRUMENTS["phq9"]
    questionnaire_services.submit_response(
        owner=person,
        instrument=phq9,
        answers={str(n): 0 for n in range(1, 10)},
        client_key="k1",
    )
    relationship = CareRelationshipFactory.create(
        service_user=person, provider=provider, organisation=organisation
    )
    start_joint_session(service_user=person, relationship=relationship, modules=["goals"])
    assert events(study, person) == [
        (Module.GOALS, Action.GOAL_CHANGED),
        (Module.GOALS, Action.GOAL_CHANGED),
        (Module.QUESTIONNAIRES, Action.CHECKIN_ANSWERED),
        (Module.CARE_TEAM, Action.JOINT_SESSION),
    ]
    assert events(study, provider) == [(Module.CARE_TEAM, Action.JOINT_SESSION)]


def test_signing_in_and_opening_a_module_page(
    client: Client, consenting: Callable[..., User], study: Study
) -> None:
    person = consenting()
    login_client(client, person)
    assert client.get("/toolbox/goals/").status_code == 200
    assert client.get("/notifications/").status_code == 200  # not a module: not counted
    assert events(study, person) == [
        (Module.PORTAL, Action.LOGIN),
        (Module.GOALS, Action.VISIT),
    ]


def test_nothing_is_recorded_for_someone_not_taking_part(
    client: Client, make_member: Callable[..., User], study: Study, category: Category
) -> None:
    person = make_member()
    join(person, category.community)
    login_client(client, person)
    client.get("/toolbox/goals/")
    make_topic(person, category)
    assert not ResearchEvent.objects.exists()
