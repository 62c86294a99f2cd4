from __future__ import annotations

import uuid

import factory
from django.utils import timezone

from tandem.accounts.tests.factories import UserFactory
from tandem.messaging.models import Message, Participant, Side, Thread


class ThreadFactory(factory.django.DjangoModelFactory[Thread]):
    class Meta:
        model = Thread

    service_user = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Conversation {n}")
    started_by = factory.SelfAttribute("service_user")


class ParticipantFactory(factory.django.DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    thread = factory.SubFactory(ThreadFactory)
    user = factory.SubFactory(UserFactory)
    side = Side.CARE_TEAM


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    sender = factory.SelfAttribute("thread.service_user")
    body = factory.Sequence(lambda n: f"Message number {n}")
    client_key = factory.LazyFunction(uuid.uuid4)
    created_at = factory.LazyFunction(timezone.now)


def thread_between(service_user: object, *providers: object, subject: str = "Sleep") -> Thread:
    """A thread of ``service_user`` with ``providers`` as its care team (no messages)."""
    thread: Thread = ThreadFactory.create(service_user=service_user, subject=subject)
    ParticipantFactory.create(thread=thread, user=service_user, side=Side.SERVICE_USER)
    for provider in providers:
        ParticipantFactory.create(thread=thread, user=provider, side=Side.CARE_TEAM)
    return thread
