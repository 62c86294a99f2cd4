"""Messaging through the test client, as real requests: the permission matrix over HTTP, the
writing flow, idempotent sending, edit and withdraw, bad input."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship
from tandem.conftest import login_client
from tandem.messaging import services
from tandem.messaging.models import MESSAGE_MAX_LENGTH, Message, Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between

pytestmark = pytest.mark.django_db


def reply(client: Client, thread: Thread, body: str = "Hello", key: str | None = None) -> object:
    return client.post(
        f"/messages/{thread.pk}/reply/", {"body": body, "client_key": key or str(uuid.uuid4())}
    )


# --- Permission matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "can_read", "can_write"),
    [
        ("service_user", True, True),
        ("provider", True, True),
        ("other_service_user", False, False),
        ("unassigned_provider", False, False),
        ("moderator", False, False),
        ("researcher", False, False),
    ],
)
def test_thread_permission_matrix_over_http(
    client: Client,
    thread: Thread,
    request: pytest.FixtureRequest,
    who: str,
    can_read: bool,
    can_write: bool,
) -> None:
    login_client(client, request.getfixturevalue(who))
    MessageFactory.create(thread=thread, body="Private words")
    page = client.get(f"/messages/{thread.pk}/")
    assert page.status_code == (200 if can_read else 404)
    assert (b"Private words" in page.content) is can_read
    response = reply(client, thread)
    assert response.status_code == (302 if can_write else 404)  # type: ignore[attr-defined]
    assert Message.objects.count() == (2 if can_write else 1)
    inbox = client.get("/messages/")
    assert (thread.subject.encode() in inbox.content) is can_read


def test_anonymous_is_sent_to_login(client: Client, thread: Thread) -> None:
    for path in ("/messages/", f"/messages/{thread.pk}/", "/messages/new/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert reply(client, thread).status_code == 302  # type: ignore[attr-defined]
    assert not Message.objects.exists()


def test_provider_reads_but_cannot_write_after_the_relationship_ends(
    client: Client,
    thread: Thread,
    provider: User,
    service_user: User,
    relationship: CareRelationship,
) -> None:
    MessageFactory.create(thread=thread, body="Before the end")
    care_services.end_relationship(actor=service_user, relationship=relationship)
    login_client(client, provider)
    page = client.get(f"/messages/{thread.pk}/")
    assert page.status_code == 200
    assert b"Before the end" in page.content and b"read-only" in page.content
    response = reply(client, thread, "After the end")
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert b"read-only" in response.content  # type: ignore[attr-defined]
    assert not Message.objects.filter(sender=provider).exists()


def test_missing_thread_and_someone_elses_look_the_same(
    client: Client, thread: Thread, other_service_user: User
) -> None:
    login_client(client, other_service_user)
    assert client.get(f"/messages/{thread.pk}/").status_code == 404
    assert client.get("/messages/999999/").status_code == 404


# --- Writing ----------------------------------------------------------------------------------


def test_service_user_starts_a_conversation_with_the_reply_time_shown(
    client: Client, service_user: User, provider: User, relationship: CareRelationship
) -> None:
    login_client(client, service_user)
    page = client.get("/messages/new/")
    text = page.content.decode()
    assert "not for emergencies" in text and "/crisis/" in text
    assert f"{provider.get_full_name()} usually replies within 2 working days" in text
    key = page.context["form"]["client_key"].value()
    response = client.post(
        "/messages/new/",
        {
            "providers": [provider.pk],
            "subject": "Sleep",
            "body": "I *slept* badly",
            "client_key": key,
        },
    )
    assert response.status_code == 302
    thread = Thread.objects.get()
    page = client.get(response["Location"])
    assert b"<em>slept</em>" in page.content
    assert b"Waiting for a reply from your care team since" in page.content
    # The provider sees the same wait from their side.
    provider_client = login_client(Client(), provider)
    page = provider_client.get(f"/messages/{thread.pk}/")
    assert f"{service_user.get_full_name()} is waiting for a reply since".encode() in page.content


def test_the_form_carries_a_fresh_key_without_javascript(
    client: Client, thread: Thread, service_user: User
) -> None:
    login_client(client, service_user)
    first = client.get(f"/messages/{thread.pk}/").context["form"]["client_key"].value()
    second = client.get(f"/messages/{thread.pk}/").context["form"]["client_key"].value()
    assert first != second
    assert uuid.UUID(str(first)).version == 4


def test_double_submit_stores_one_message(
    client: Client, thread: Thread, service_user: User
) -> None:
    login_client(client, service_user)
    key = str(uuid.uuid4())
    first = reply(client, thread, "Only once", key)
    second = reply(client, thread, "Only once", key)
    assert first.status_code == second.status_code == 302  # type: ignore[attr-defined]
    assert first["Location"] == second["Location"]  # type: ignore[index]
    assert Message.objects.filter(thread=thread).count() == 1


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write a message before sending."),
        ("   ", "Write a message before sending."),
        ("x" * (MESSAGE_MAX_LENGTH + 1), "at most 10000 characters"),
    ],
)
def test_bad_messages_get_a_clear_error_and_keep_the_text(
    client: Client, thread: Thread, service_user: User, body: str, error: str
) -> None:
    login_client(client, service_user)
    response = reply(client, thread, body)
    assert response.status_code == 400  # type: ignore[attr-defined]
    text = response.content.decode()  # type: ignore[attr-defined]
    assert error in text.replace(",", "")
    if body.strip():
        assert body[:100] in text
    assert not Message.objects.exists()


def test_malformed_key_is_a_clear_error(client: Client, thread: Thread, service_user: User) -> None:
    login_client(client, service_user)
    response = client.post(f"/messages/{thread.pk}/reply/", {"body": "Hi", "client_key": "nope"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_withdraw_within_five_minutes_then_not_after(
    client: Client, thread: Thread, service_user: User
) -> None:
    login_client(client, service_user)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        reply(client, thread, "Sent by mistake")
        reply(client, thread, "Second thoughts")
    first, second = Message.objects.order_by("pk")
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        response = client.post(f"/messages/{thread.pk}/{first.pk}/withdraw/")
        assert response.status_code == 302
        page = client.get(f"/messages/{thread.pk}/")
        assert b"This message was withdrawn." in page.content
        assert b"Sent by mistake" not in page.content
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        response = client.post(f"/messages/{thread.pk}/{second.pk}/withdraw/")
        assert response.status_code == 403
        assert b"5 minutes after sending" in response.content
        assert client.get(f"/messages/{thread.pk}/{second.pk}/edit/").status_code == 403
    second.refresh_from_db()
    assert second.withdrawn_at is None


def test_edit_shows_edited(client: Client, thread: Thread, service_user: User) -> None:
    login_client(client, service_user)
    reply(client, thread, "Tpyo")
    message = Message.objects.get()
    assert client.get(f"/messages/{thread.pk}/{message.pk}/edit/").status_code == 200
    response = client.post(f"/messages/{thread.pk}/{message.pk}/edit/", {"body": "Typo"})
    assert response.status_code == 302
    page = client.get(f"/messages/{thread.pk}/")
    assert b"Typo" in page.content and b"edited" in page.content


def test_nobody_withdraws_someone_elses_message(
    client: Client, thread: Thread, service_user: User, provider: User
) -> None:
    message = MessageFactory.create(thread=thread, sender=service_user)
    login_client(client, provider)
    assert client.post(f"/messages/{thread.pk}/{message.pk}/withdraw/").status_code == 404


# --- Reading ----------------------------------------------------------------------------------


def test_unread_count_in_the_navigation_and_reading_clears_it(
    client: Client, thread: Thread, service_user: User, provider: User
) -> None:
    services.send_message(sender=service_user, thread=thread, body="a", client_key=uuid.uuid4())
    services.send_message(sender=service_user, thread=thread, body="b", client_key=uuid.uuid4())
    login_client(client, provider)
    home = client.get("/").content.decode()
    assert "<span data-count>2</span>" in home
    client.get(f"/messages/{thread.pk}/")
    home = client.get("/").content.decode()
    assert "<span data-count>0</span>" in home


def test_provider_inbox_puts_the_longest_wait_first(
    client: Client,
    provider: User,
    service_user: User,
    other_service_user: User,
    organisation: object,
    make_member: Callable[..., User],
) -> None:
    from tandem.care.tests.factories import CareRelationshipFactory

    people = [service_user, other_service_user, make_member()]
    threads = []
    start = timezone.now() - timedelta(days=3)
    for index, person in enumerate(people):
        CareRelationshipFactory.create(
            service_user=person, provider=provider, organisation=organisation
        )
        thread = thread_between(person, provider, subject=f"Thread {index}")
        threads.append(thread)
    # Thread 1 waits longest, thread 2 a little, thread 0 waits for the service user.
    for thread, offset, sender in (
        (threads[0], 0, provider),
        (threads[2], 2, None),
        (threads[1], 1, None),
    ):
        with time_machine.travel(start + timedelta(hours=offset), tick=False):
            services.send_message(
                sender=sender or thread.service_user,
                thread=thread,
                body="Hi",
                client_key=uuid.uuid4(),
            )
    login_client(client, provider)
    page = client.get("/messages/")
    order = [t.pk for t in page.context["page"].object_list]
    assert order == [threads[1].pk, threads[2].pk, threads[0].pk]


def test_away_provider_is_shown_before_writing(
    client: Client,
    thread: Thread,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
) -> None:
    from tandem.accounts.models import Role

    colleague = make_member(Role.PROVIDER, totp=True, full_name="Casey Cover")
    provider_client = login_client(Client(), provider)
    until = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = provider_client.post(
        "/messages/away/", {"away_until": until, "covered_by": colleague.pk}
    )
    assert response.status_code == 302
    login_client(client, service_user)
    page = client.get(f"/messages/{thread.pk}/").content.decode()
    assert f"{provider.get_full_name()} is away until" in page
    assert "Casey Cover is covering" in page
