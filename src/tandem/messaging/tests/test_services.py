"""Domain rules of messaging, tested on the services directly."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care import services as care_services
from tandem.care.models import CareRelationship
from tandem.messaging import events, selectors, services
from tandem.messaging.models import MESSAGE_MAX_LENGTH, Message, Participant, Side, Thread
from tandem.notifications import services as notification_services
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def send(
    sender: User, thread: Thread, body: str = "Hello", key: uuid.UUID | None = None
) -> Message:
    return services.send_message(
        sender=sender, thread=thread, body=body, client_key=key or uuid.uuid4()
    ).message


def test_message_body_is_encrypted_at_rest(thread: Thread, service_user: User) -> None:
    from django.db import connection

    message = send(service_user, thread, "I slept badly this week")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM messaging_message WHERE id = %s", [message.pk])
        stored = cursor.fetchone()[0]
    assert "slept" not in stored
    assert Message.objects.get(pk=message.pk).body == "I slept badly this week"


def test_the_same_client_key_stores_one_message(thread: Thread, service_user: User) -> None:
    key = uuid.uuid4()
    first = services.send_message(sender=service_user, thread=thread, body="Hi", client_key=key)
    again = services.send_message(sender=service_user, thread=thread, body="Hi", client_key=key)
    assert first.created and not again.created
    assert again.message.pk == first.message.pk
    assert Message.objects.count() == 1


def test_service_user_starts_a_thread_with_their_provider(
    service_user: User, provider: User, relationship: CareRelationship
) -> None:
    result = services.start_thread(
        author=service_user,
        providers=[provider],
        subject="Medication",
        body="Can we talk about my tablets?",
        client_key=uuid.uuid4(),
    )
    thread = result.message.thread
    assert thread.service_user == service_user
    sides = dict(Participant.objects.filter(thread=thread).values_list("user_id", "side"))
    assert sides == {service_user.pk: Side.SERVICE_USER, provider.pk: Side.CARE_TEAM}
    assert thread.waiting_for == Side.CARE_TEAM


def test_provider_starts_a_thread_only_with_their_caseload(
    provider: User, service_user: User, other_service_user: User, relationship: CareRelationship
) -> None:
    result = services.start_thread(
        author=provider,
        service_user=service_user,
        subject="Next week",
        body="Shall we meet on Tuesday?",
        client_key=uuid.uuid4(),
    )
    assert result.message.thread.service_user == service_user
    with pytest.raises(PermissionDenied):
        services.start_thread(
            author=provider,
            service_user=other_service_user,
            subject="Hello",
            body="Hello",
            client_key=uuid.uuid4(),
        )


def test_service_user_cannot_write_to_a_provider_outside_their_team(
    service_user: User, unassigned_provider: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.start_thread(
            author=service_user,
            providers=[unassigned_provider],
            subject="Hi",
            body="Hi",
            client_key=uuid.uuid4(),
        )


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_message_is_refused(thread: Thread, service_user: User, body: str) -> None:
    with pytest.raises(ValidationError):
        send(service_user, thread, body)
    assert not Message.objects.exists()


def test_over_long_message_is_refused(thread: Thread, service_user: User) -> None:
    with pytest.raises(ValidationError):
        send(service_user, thread, "x" * (MESSAGE_MAX_LENGTH + 1))
    send(service_user, thread, "x" * MESSAGE_MAX_LENGTH)


def test_ended_relationship_makes_the_thread_read_only_for_the_provider(
    thread: Thread, provider: User, service_user: User, relationship: CareRelationship
) -> None:
    send(provider, thread)
    care_services.end_relationship(actor=service_user, relationship=relationship)
    with pytest.raises(PermissionDenied):
        send(provider, thread)
    # With nobody of the care team left, the service user cannot write either.
    with pytest.raises(PermissionDenied):
        send(service_user, thread)


def test_waiting_flips_between_sides_and_keeps_the_first_time(
    thread: Thread, service_user: User, provider: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send(service_user, thread)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        send(service_user, thread)
    thread.refresh_from_db()
    assert (thread.waiting_for, thread.waiting_since) == (Side.CARE_TEAM, start)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        send(provider, thread)
    thread.refresh_from_db()
    assert thread.waiting_for == Side.SERVICE_USER
    assert thread.waiting_since == start + timedelta(hours=2)


def test_read_state_is_per_participant(thread: Thread, service_user: User, provider: User) -> None:
    send(service_user, thread, "one")
    send(service_user, thread, "two")
    assert selectors.unread_message_count(provider) == 2
    assert selectors.unread_message_count(service_user) == 0
    services.mark_thread_read(user=provider, thread=thread)
    assert selectors.unread_message_count(provider) == 0
    send(provider, thread, "answer")
    assert selectors.unread_message_count(service_user) == 1


def test_a_withdrawn_message_is_not_unread(
    thread: Thread, service_user: User, provider: User
) -> None:
    kept = send(service_user, thread, "kept")
    withdrawn = send(service_user, thread, "taken back")
    services.withdraw_message(editor=service_user, message=withdrawn)
    assert selectors.unread_message_count(provider) == 1
    services.mark_thread_read(user=provider, thread=thread, up_to=kept.pk)
    assert selectors.unread_message_count(provider) == 0


def test_read_mark_never_moves_back(thread: Thread, service_user: User, provider: User) -> None:
    message = send(service_user, thread)
    services.mark_thread_read(user=provider, thread=thread)
    assert services.mark_thread_read(user=provider, thread=thread, up_to=0) == message.pk


def test_edit_and_withdraw_within_five_minutes(thread: Thread, service_user: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = send(service_user, thread, "Frist")
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        services.edit_message(editor=service_user, message=message, body="First")
        message.refresh_from_db()
        assert (message.body, message.edited_at) == ("First", start + timedelta(minutes=4))
        services.withdraw_message(editor=service_user, message=message)
    message.refresh_from_db()
    assert message.withdrawn_at is not None and message.body == ""


def test_withdraw_after_five_minutes_fails_clearly(thread: Thread, service_user: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        message = send(service_user, thread)
    with (
        time_machine.travel(start + timedelta(minutes=5, seconds=1), tick=False),
        pytest.raises(PermissionDenied, match="5 minutes"),
    ):
        services.withdraw_message(editor=service_user, message=message)
    message.refresh_from_db()
    assert message.withdrawn_at is None


def test_nobody_changes_someone_elses_message(
    thread: Thread, service_user: User, provider: User
) -> None:
    message = send(service_user, thread)
    with pytest.raises(PermissionDenied):
        services.edit_message(editor=provider, message=message, body="changed")


def test_a_notification_per_thread_until_read_and_email_without_content(
    thread: Thread,
    service_user: User,
    provider: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        send(service_user, thread, "Secret words about my week")
        send(service_user, thread, "More secret words")
    notifications = Notification.objects.filter(recipient=provider)
    assert notifications.count() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    text = f"{email.subject} {email.body}"
    assert "secret" not in text.lower()
    assert service_user.get_full_name() not in text
    assert service_user.pseudonym not in text


def test_the_live_event_goes_out_before_the_email_task_is_queued(
    thread: Thread,
    service_user: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    # Queuing the email writes a task row (another commit): open threads must not wait for it.
    done: list[str] = []
    monkeypatch.setattr(events, "_send_all", lambda batch: done.append("live event"))
    monkeypatch.setattr(
        notification_services, "_enqueue_email", lambda notification_id: done.append("email")
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        send(service_user, thread, "Hello")
    assert done == ["live event", "email"]


def test_provider_away_with_cover_lets_the_colleague_read_and_answer(
    thread: Thread,
    service_user: User,
    provider: User,
    unassigned_provider: User,
    organisation: object,
) -> None:
    from tandem.care.tests.factories import CareRelationshipFactory
    from tandem.messaging import access

    colleague = unassigned_provider
    services.set_away(
        provider=provider,
        away_until=timezone.now() + timedelta(days=3),
        covered_by=colleague,
    )
    # Not in the person's care team: covering gives nothing.
    with pytest.raises(Http404):
        access.get_thread_for_user(colleague, thread.pk)
    CareRelationshipFactory.create(
        service_user=service_user, provider=colleague, organisation=organisation
    )
    assert access.get_thread_for_user(colleague, thread.pk) == thread
    assert [t.pk for t in selectors.inbox_threads(colleague)] == [thread.pk]
    send(colleague, thread, "Pat is away; I can help.")
    services.clear_away(provider=provider)
    assert list(selectors.inbox_threads(colleague)) == []


def test_a_covering_colleague_is_notified_while_the_cover_lasts(
    thread: Thread,
    service_user: User,
    provider: User,
    unassigned_provider: User,
    organisation: object,
) -> None:
    """A message written during an absence reaches the colleague covering it (in the portal;
    the email says only that there is something new), and only while they may read it."""
    from tandem.care.tests.factories import CareRelationshipFactory
    from tandem.notifications.selectors import unread_count_for_user

    colleague = unassigned_provider
    services.set_away(
        provider=provider, away_until=timezone.now() + timedelta(days=3), covered_by=colleague
    )
    send(service_user, thread, "Is anyone there?")
    assert not Notification.objects.filter(recipient=colleague).exists()  # Not in the team.

    CareRelationshipFactory.create(
        service_user=service_user, provider=colleague, organisation=organisation
    )
    send(service_user, thread, "Is anyone there now?")
    send(service_user, thread, "Still here.")
    notification = Notification.objects.get(recipient=colleague)  # One per thread until read.
    assert notification.url == f"/messages/{thread.pk}/"
    assert unread_count_for_user(colleague) == 1
    send(colleague, thread, "Pat is away; I can help.")
    assert Notification.objects.filter(recipient=colleague).count() == 1  # Not for their own.

    services.clear_away(provider=provider)
    # The cover ended: the thread and its notification are out of the colleague's sight.
    assert unread_count_for_user(colleague) == 0
    send(service_user, thread, "Thanks!")
    assert Notification.objects.filter(recipient=colleague).count() == 1
