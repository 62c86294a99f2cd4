"""Refusals and edge cases of the messaging services that the flows elsewhere do not reach:
who may start a thread, a thread gate's answer given for someone else, kinds nobody
registered, closing twice, read marks of non-participants, and absences that make no sense."""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.messaging import access, events, services
from tandem.messaging.models import Message, ProviderAway, Thread
from tandem.messaging.services import sending
from tandem.moderation.outreach.threads import KIND as MODERATION_KIND

pytestmark = pytest.mark.django_db


def test_a_provider_cannot_start_a_thread_with_someone_outside_their_caseload(
    provider: User, other_service_user: User
) -> None:
    with pytest.raises(PermissionDenied, match="caseload"):
        services.start_thread(
            author=provider,
            subject="Hello",
            body="Hello",
            client_key=uuid.uuid4(),
            service_user=other_service_user,
        )
    assert not Thread.objects.exists()


def test_a_service_user_must_choose_a_provider_to_start_a_thread(
    service_user: User, relationship: object
) -> None:
    with pytest.raises(PermissionDenied, match="care team"):
        services.start_thread(
            author=service_user, subject="Hello", body="Hello", client_key=uuid.uuid4()
        )
    assert not Thread.objects.exists()


def test_starting_again_with_a_used_client_key_returns_the_first_message(
    service_user: User, provider: User, relationship: object
) -> None:
    key = uuid.uuid4()
    first = services.start_thread(
        author=service_user, subject="Sleep", body="Hello", client_key=key, providers=[provider]
    )
    again = services.start_thread(
        author=service_user, subject="Sleep", body="Hello", client_key=key, providers=[provider]
    )
    assert first.created and not again.created
    assert again.message == first.message
    assert Thread.objects.count() == 1


def test_a_thread_of_an_unregistered_kind_is_not_opened(service_user: User) -> None:
    with pytest.raises(ValueError, match="no-such-kind"):
        services.open_thread(
            kind="no-such-kind",
            context_id=1,
            service_user=service_user,
            subject="About your post",
            started_by=service_user,
        )
    assert not Thread.objects.exists()


def test_closing_a_closed_thread_changes_nothing_and_tells_nobody_again(thread: Thread) -> None:
    with mock.patch.object(events, "publish_thread_closed") as publish:
        services.close_thread(thread=thread)
        closed_at = thread.closed_at
        services.close_thread(thread=thread)
    assert closed_at is not None
    assert thread.closed_at == closed_at
    publish.assert_called_once_with(thread_id=thread.pk)


def test_a_thread_gate_answer_for_another_sender_is_refused(
    thread: Thread, service_user: User, provider: User
) -> None:
    checked = access.get_thread_access_for_user(provider, thread.pk)
    with pytest.raises(ValueError, match="another sender"):
        services.send_message(
            sender=service_user,
            thread=thread,
            body="Hello",
            client_key=uuid.uuid4(),
            checked=checked,
        )
    assert not Message.objects.exists()


def test_the_refusal_in_a_thread_gate_answer_is_raised_without_asking_again(
    thread: Thread, service_user: User
) -> None:
    refusal = PermissionDenied("This conversation is closed.")
    checked = access.ThreadAccess(user=service_user, thread=thread, refusal=refusal)
    with (
        mock.patch.object(access, "check_can_post_in_thread") as asked,
        pytest.raises(PermissionDenied, match="closed"),
    ):
        services.send_message(
            sender=service_user,
            thread=thread,
            body="Hello",
            client_key=uuid.uuid4(),
            checked=checked,
        )
    asked.assert_not_called()
    assert not Message.objects.exists()


def test_a_gate_answer_that_allows_writing_sends(thread: Thread, service_user: User) -> None:
    checked = access.get_thread_access_for_user(service_user, thread.pk)
    sent = services.send_message(
        sender=service_user, thread=thread, body="Hello", client_key=uuid.uuid4(), checked=checked
    )
    assert sent.created
    assert sent.message.body == "Hello"


def test_a_double_submit_racing_past_the_first_check_returns_the_stored_message(
    thread: Thread, service_user: User
) -> None:
    """The other submit stored the key between this one's check and its insert: the insert
    fails on the unique key, and the message already stored is the answer."""
    key = uuid.uuid4()
    first = services.send_message(sender=service_user, thread=thread, body="Hi", client_key=key)
    nothing_seen = sending._SenderFacts(stored_id=None, sent_last_hour=0)
    with mock.patch.object(sending, "_sender_facts", return_value=nothing_seen):
        again = services.send_message(sender=service_user, thread=thread, body="Hi", client_key=key)
    assert not again.created
    assert again.message == first.message
    assert Message.objects.count() == 1


def test_an_edit_to_an_empty_text_is_refused_and_the_message_kept(
    thread: Thread, service_user: User
) -> None:
    sent = services.send_message(
        sender=service_user, thread=thread, body="Hello", client_key=uuid.uuid4()
    )
    with pytest.raises(ValidationError) as refused:
        services.edit_message(editor=service_user, message=sent.message, body="   ")
    assert "body" in refused.value.message_dict
    assert Message.objects.get().body == "Hello"


def test_a_thread_of_another_kind_is_opened_once_with_its_owner_as_participant(
    service_user: User, moderator: User
) -> None:
    opened = [
        services.open_thread(
            kind=MODERATION_KIND,
            context_id=7,
            service_user=service_user,
            subject="About your post",
            started_by=moderator,
        )
        for _ in range(2)
    ]
    assert opened[0] == opened[1]
    assert opened[0].kind == MODERATION_KIND
    assert list(opened[0].participants.values_list("user_id", flat=True)) == [service_user.pk]


def test_reading_a_thread_without_a_participant_row_moves_no_mark(
    thread: Thread, service_user: User, unassigned_provider: User
) -> None:
    services.send_message(sender=service_user, thread=thread, body="Hi", client_key=uuid.uuid4())
    assert services.mark_thread_read(user=unassigned_provider, thread=thread) == 0


def test_only_a_verified_provider_sets_an_absence(service_user: User) -> None:
    with pytest.raises(PermissionDenied):
        services.set_away(
            provider=service_user, away_until=timezone.now() + timedelta(days=1), covered_by=None
        )
    assert not ProviderAway.objects.exists()


def test_an_absence_must_end_in_the_future(provider: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.set_away(
            provider=provider, away_until=timezone.now() - timedelta(minutes=1), covered_by=None
        )
    assert "away_until" in refused.value.message_dict
    assert not ProviderAway.objects.exists()


@pytest.mark.parametrize("cover", ["self", "service user"])
def test_cover_must_be_a_colleague_who_is_a_provider(
    provider: User, service_user: User, cover: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.set_away(
            provider=provider,
            away_until=timezone.now() + timedelta(days=1),
            covered_by=provider if cover == "self" else service_user,
        )
    assert "covered_by" in refused.value.message_dict
    assert not ProviderAway.objects.exists()


def test_setting_an_absence_again_replaces_it_and_clearing_ends_it(
    provider: User, unassigned_provider: User
) -> None:
    services.set_away(
        provider=provider, away_until=timezone.now() + timedelta(days=1), covered_by=None
    )
    later = timezone.now() + timedelta(days=5)
    away = services.set_away(provider=provider, away_until=later, covered_by=unassigned_provider)
    assert ProviderAway.objects.get() == away
    assert (away.away_until, away.covered_by) == (later, unassigned_provider)
    services.clear_away(provider=provider)
    assert not ProviderAway.objects.exists()
