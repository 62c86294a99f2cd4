"""Messages nobody could read and subjects that turn text around are refused by the forms
(``core.text``), with what was typed kept."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.messaging.forms import MessageEditForm, MessageForm, ThreadStartForm
from tandem.messaging.models import Message, Thread

INVISIBLE = "\u200b \u2060\u3164\n\ufeff\U000e0041 \u00ad"
EMPTY = "Write a message before sending."


@pytest.mark.parametrize("body", [INVISIBLE, "\u202e", "   \n"])
def test_a_message_of_nothing_visible_is_refused(body: str) -> None:
    for form in (
        MessageForm({"body": body, "client_key": str(uuid.uuid4())}),
        MessageEditForm({"body": body}),
    ):
        assert not form.is_valid()
        assert form.errors["body"] == [EMPTY]
        assert form["body"].value() == body


def test_a_message_with_words_and_invisible_characters_is_fine() -> None:
    assert MessageForm({"body": f"Hi{INVISIBLE}", "client_key": str(uuid.uuid4())}).is_valid()
    assert MessageEditForm({"body": "שלום \u200f2024"}).is_valid()


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        (INVISIBLE.strip(), "spaces and invisible characters on their own show nothing"),
        ("Appointment \u202eyadnom", "right-to-left override"),
        ("\u2066Appointment\u2069", "right-to-left override"),
    ],
)
def test_a_subject_is_a_line_people_can_read(subject: str, message: str) -> None:
    form = ThreadStartForm(
        {"subject": subject, "body": "Hello", "client_key": str(uuid.uuid4())},
        providers=[],
        service_users=[],
    )
    assert not form.is_valid()
    assert message in " ".join(str(error) for error in form.errors["subject"])
    assert form["subject"].value() == subject


@pytest.mark.django_db
def test_an_invisible_reply_is_a_400_with_the_text_kept(
    client: Client, thread: Thread, service_user: User
) -> None:
    login_client(client, service_user)
    response = client.post(
        f"/messages/{thread.pk}/reply/", {"body": INVISIBLE, "client_key": str(uuid.uuid4())}
    )
    assert response.status_code == 400
    assert EMPTY in response.content.decode()
    assert INVISIBLE in response.content.decode()
    assert not Message.objects.exists()
