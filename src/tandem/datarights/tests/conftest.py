"""Data rights fixtures: exports in a folder of the test's own; Otter with data everywhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import LazySettings

from tandem.accounts.models import Organisation, Role, User
from tandem.care import services as care_services
from tandem.care.models import Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.forum.models import Post, Topic
from tandem.forum.search import index_post
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.messaging.models import Side, Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.models import Notification
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    GoalFactory,
    JournalEntryFactory,
    MedicationFactory,
)

# Otter writes this, and nothing else in the database contains it.
PHRASE = "periwinkle lighthouse marmalade"


@pytest.fixture(autouse=True)
def _export_dir(settings: LazySettings, tmp_path: Path) -> None:
    settings.TANDEM_EXPORT_DIR = tmp_path / "exports"


@dataclass
class OtterWorld:
    otter: User
    skylark: User
    pat: User
    otter_topic: Topic
    skylark_topic: Topic
    # Otter's conversation with Pat, in which Pat answered; and one nobody answered.
    otter_thread: Thread
    unanswered_thread: Thread


def _post(topic: Topic, author: User, body: str, *, opening: bool = False) -> Post:
    from django.utils import timezone

    post = Post.objects.create(
        topic=topic,
        author=author,
        body=body,
        body_html=f"<p>{body}</p>",
        is_opening=opening,
        published_at=timezone.now(),
    )
    index_post(post, topic.title)
    return post


@pytest.fixture
def otter_world(
    organisation: Organisation,
    make_member: Callable[..., User],
    service_user: User,
    provider: User,
) -> OtterWorld:
    """Otter, a service user, with data in every app; Skylark quotes him; Pat is his provider."""
    otter = make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org")
    relationship = CareRelationshipFactory.create(service_user=otter, provider=provider)
    # A line in the record of changes: it stays after the deletion, with ids only.
    care_services.set_grants(service_user=otter, levels={relationship.pk: {Module.GOALS: 1}})
    GoalFactory.create(owner=otter, title=f"Walk by the {PHRASE}")
    JournalEntryFactory.create(owner=otter, body=f"Today: {PHRASE}")
    CrisisPlanFactory.create(owner=otter, warning_signs=f"Not sleeping; {PHRASE}")
    MedicationFactory.create(owner=otter, name="Sertraline")
    own = thread_between(otter, provider, subject=f"About {PHRASE}")
    MessageFactory.create(thread=own, sender=otter, body=f"Hello {PHRASE}")
    # Pat's answer names him: it stays for Pat, with his name replaced.
    MessageFactory.create(thread=own, sender=provider, body="Thank you, Otter. Tuesday at ten?")
    # A thread with only Otter's words in it goes with his account.
    alone = thread_between(otter, provider, subject="Only mine")
    MessageFactory.create(thread=alone, sender=otter, body="Nobody answered this")
    skylarks = thread_between(service_user, otter, subject="Skylark and Otter")
    skylarks.participants.filter(user=otter).update(side=Side.CARE_TEAM)
    MessageFactory.create(thread=skylarks, sender=otter, body=f"Reply with {PHRASE}")
    community = CommunityFactory.create(organisation=organisation)
    category = CategoryFactory.create(community=community)
    otter_topic = Topic.objects.create(
        community=community, category=category, author=otter, title=f"Otter on {PHRASE}"
    )
    _post(otter_topic, otter, f"My story: {PHRASE}", opening=True)
    _post(otter_topic, service_user, "@Otter thank you for this")
    skylark_topic = Topic.objects.create(
        community=community, category=category, author=service_user, title="Sleep"
    )
    _post(skylark_topic, service_user, "How do you sleep?", opening=True)
    _post(skylark_topic, otter, f"Otter here: {PHRASE}")
    Post.objects.create(topic=skylark_topic, author=otter, body=f"draft {PHRASE}", is_draft=True)
    Notification.objects.create(
        recipient=service_user,
        actor=otter,
        kind="forum.reply",
        title="Otter replied to “Sleep”",
        url="/forum/",
    )
    return OtterWorld(otter, service_user, provider, otter_topic, skylark_topic, own, alone)
