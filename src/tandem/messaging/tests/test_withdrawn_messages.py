"""How a withdrawn message shows: withdrawn by its sender, or by an account's deletion."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from tandem.accounts.models import User
from tandem.messaging import selectors
from tandem.messaging.models import Message, Thread
from tandem.messaging.tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def _render(viewer: User, thread: Thread, message: Message) -> str:
    (view,) = selectors.message_views(viewer, [message], thread=thread)
    return render_to_string("messaging/includes/message.html", {"item": view, "controls": True})


def test_a_message_its_sender_withdrew_says_so_under_their_name(
    thread: Thread, service_user: User, provider: User
) -> None:
    message = MessageFactory.create(
        thread=thread, sender=service_user, body="Never mind", withdrawn_at=timezone.now()
    )
    html = _render(provider, thread, message)
    assert "This message was withdrawn." in html
    assert service_user.get_full_name() in html
    assert "Never mind" not in html


def test_a_message_withdrawn_when_its_author_left_names_nobody(
    thread: Thread, provider: User
) -> None:
    message = MessageFactory.create(
        thread=thread, sender=None, body="", withdrawn_at=timezone.now()
    )
    html = _render(provider, thread, message)
    assert "A former member" in html
    assert "This message was withdrawn when its author left Tandem." in html
    # Nothing to edit or withdraw again.
    assert "Withdraw</button>" not in html
