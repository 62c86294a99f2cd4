"""Erasing a service user: their messages are withdrawn, their care team's words stay theirs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tandem.conftest import login_client
from tandem.datarights.models import ForumPostsChoice
from tandem.datarights.services.deletion import request_deletion
from tandem.datarights.sources import messaging
from tandem.datarights.tests.conftest import PHRASE, OtterWorld
from tandem.messaging.access import check_can_post_in_thread
from tandem.messaging.models import Message, Thread

pytestmark = pytest.mark.django_db


def _erase_otter(otter_world: OtterWorld) -> None:
    request_deletion(user=otter_world.otter, forum_posts=ForumPostsChoice.DELETE)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        call_command("datarights_sweep")


def test_his_thread_with_pat_stays_closed_under_a_former_member(otter_world: OtterWorld) -> None:
    _erase_otter(otter_world)
    thread = Thread.objects.select_related("service_user").get(pk=otter_world.otter_thread.pk)
    assert thread.service_user.pseudonym == "a former member"
    assert not thread.service_user.is_active
    assert thread.closed_at is not None and thread.waiting_for == ""
    # He wrote the subject: it is replaced, not kept.
    assert thread.subject == "A conversation with a former member"
    assert thread.started_by is None
    withdrawn, answer = Message.objects.filter(thread=thread).order_by("pk")
    assert (withdrawn.body, withdrawn.sender, withdrawn.is_withdrawn) == ("", None, True)
    assert answer.sender == otter_world.pat and not answer.is_withdrawn
    assert answer.body == "Thank you, a former member. Tuesday at ten?"


def test_a_thread_with_only_his_words_goes_with_his_account(otter_world: OtterWorld) -> None:
    _erase_otter(otter_world)
    assert not Thread.objects.filter(pk=otter_world.unanswered_thread.pk).exists()


def test_a_subject_his_provider_wrote_stays_with_his_name_replaced(
    otter_world: OtterWorld,
) -> None:
    Thread.objects.filter(pk=otter_world.otter_thread.pk).update(
        started_by=otter_world.pat, subject="Otter's next appointment"
    )
    _erase_otter(otter_world)
    thread = Thread.objects.get(pk=otter_world.otter_thread.pk)
    assert thread.subject == "a former member's next appointment"
    assert thread.started_by == otter_world.pat


def test_his_full_name_in_his_providers_words_is_replaced_too(otter_world: OtterWorld) -> None:
    otter_world.otter.full_name = "Oscar Tern"
    otter_world.otter.save(update_fields=["full_name"])
    Message.objects.create(
        thread=otter_world.otter_thread, sender=otter_world.pat, body="Oscar Tern missed it"
    )
    _erase_otter(otter_world)
    bodies = [message.body for message in Message.objects.filter(sender=otter_world.pat)]
    assert "a former member missed it" in bodies


def test_pat_reads_the_thread_with_his_words_and_otters_withdrawn(
    client: Client, otter_world: OtterWorld
) -> None:
    _erase_otter(otter_world)
    login_client(client, otter_world.pat)
    inbox = client.get("/messages/").content.decode()
    assert "A conversation with a former member" in inbox
    page = client.get(f"/messages/{otter_world.otter_thread.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thank you, a former member. Tuesday at ten?" in html
    assert "This message was withdrawn when its author left Tandem." in html
    assert "This conversation is closed" in html
    assert PHRASE not in html and "Otter" not in html
    # Nobody writes in it any more.
    with pytest.raises(PermissionDenied, match="closed"):
        check_can_post_in_thread(
            otter_world.pat, Thread.objects.get(pk=otter_world.otter_thread.pk)
        )


def test_pats_own_export_keeps_his_words_in_the_thread(otter_world: OtterWorld) -> None:
    _erase_otter(otter_world)
    data = messaging.export(otter_world.pat)
    bodies = [message["body"] for message in data["messages"]]
    assert "Thank you, a former member. Tuesday at ten?" in bodies
    assert not any(PHRASE in body for body in bodies)
