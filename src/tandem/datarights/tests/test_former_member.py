"""After a deletion, the other side sees "a former member" wherever the person's traces stay:
in the access log and the record of changes, in the messages and threads kept, in the forum
and in notifications; never their name or pseudonym."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.care import services as care
from tandem.care.access import get_module_access_for_viewer
from tandem.care.models import AccessLogEntry, Level, Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.datarights.models import ForumPostsChoice
from tandem.datarights.services.deletion import request_deletion
from tandem.datarights.sources.forum import FORMER_MEMBER_EMAIL
from tandem.datarights.tests.conftest import OtterWorld
from tandem.forum.tests.conftest import join
from tandem.messaging.tests.factories import MessageFactory, thread_between
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _erase(user: User, forum_posts: str = ForumPostsChoice.DELETE) -> None:
    request_deletion(user=user, forum_posts=forum_posts)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("datarights_sweep")
    assert not User.objects.filter(pk=user.pk).exists()


def _main_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_a_care_provider_who_left_is_a_former_member_on_every_page_of_the_service_user(
    client: Client, organisation: Organisation, service_user: User, provider: User
) -> None:
    """Pat read Skylark's goals, wrote to her, then deleted his account: her access log, her
    record of changes and her conversation name him "a former member", never Pat."""
    provider.full_name = "Patrick Quillfeather"
    provider.save(update_fields=["full_name"])
    relationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.VIEW}})
    get_module_access_for_viewer(provider, service_user.pk, Module.GOALS)
    thread = thread_between(service_user, provider, subject="Next week")
    MessageFactory.create(thread=thread, sender=provider, body="See you Tuesday")
    MessageFactory.create(thread=thread, sender=service_user, body="Thank you")
    _erase(provider)

    login_client(client, service_user)
    pages = {
        "access log": _main_text(client, "/care/access-log/"),
        "changes": _main_text(client, "/account/data/changes/"),
        "thread": _main_text(client, reverse("messaging:thread-detail", args=[thread.pk])),
    }
    assert "A former member viewed your goals and activities" in pages["access log"]
    assert (
        "You gave a former member access to Goals and activities: Can view." in (pages["changes"])
    )
    assert "A former member" in pages["thread"]
    assert "This message was withdrawn when its author left Tandem." in pages["thread"]
    for name, text in pages.items():
        assert "Quillfeather" not in text, name
        assert not re.search(r"\bPat\b", text), name
        assert "deleted account" not in text.lower(), name


def test_the_access_record_of_his_kept_thread_is_under_the_former_member_not_him(
    otter_world: OtterWorld,
) -> None:
    """Pat reads the thread Otter left him: the line is the former member's, and Otter's id
    is in no new line (docs/data-rights.md)."""
    otter_id = otter_world.otter.pk
    _erase(otter_world.otter)
    before = set(AccessLogEntry.objects.values_list("pk", flat=True))
    client = Client()
    login_client(client, otter_world.pat)
    text = _main_text(
        client, reverse("messaging:thread-detail", args=[otter_world.otter_thread.pk])
    )
    new = AccessLogEntry.objects.exclude(pk__in=before)
    former = User.objects.get(email=FORMER_MEMBER_EMAIL)
    assert [(line.owner_id, line.viewer_id) for line in new] == [(former.pk, otter_world.pat.pk)]
    assert not new.filter(owner_id=otter_id).exists()
    assert "A conversation with a former member" in text and "A former member" in text
    assert "Otter" not in text


def test_his_kept_forum_posts_and_the_notifications_he_caused_say_a_former_member(
    client: Client, otter_world: OtterWorld
) -> None:
    _erase(otter_world.otter, ForumPostsChoice.ANONYMISE)
    notification = Notification.objects.get(recipient=otter_world.skylark)
    assert notification.title == "A former member replied to “Sleep”"
    assert notification.actor is None
    join(otter_world.skylark, otter_world.skylark_topic.community)
    login_client(client, otter_world.skylark)
    url = reverse("forum:topic-detail", kwargs={"topic_id": otter_world.skylark_topic.pk})
    text = _main_text(client, url)
    assert "a former member" in text
    assert "Otter" not in text
