"""Secure messages: the threads a person is in, with every message they wrote or received."""

from __future__ import annotations

import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone

from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import rows
from tandem.messaging.models import Message, Participant, Thread


def export(user: AbstractBaseUser) -> ExportData:
    thread_ids = list(
        Participant.objects.filter(user_id=user.pk).values_list("thread_id", flat=True)
    ) + list(Thread.objects.filter(service_user_id=user.pk).values_list("pk", flat=True))
    return {
        "threads": rows(Thread.objects.filter(pk__in=thread_ids).order_by("pk")),
        "messages": rows(Message.objects.filter(thread_id__in=thread_ids).order_by("pk")),
    }


def erase(erasure: Erasure) -> None:
    """Withdraw what the person wrote in other people's threads; their own threads go with
    the account (a thread belongs to its service user)."""
    Message.objects.filter(sender_id=erasure.user.pk).exclude(
        thread__service_user_id=erasure.user.pk
    ).update(body="", withdrawn_at=timezone.now(), edited_at=None)
    # Subjects of other people's threads may name the person; encrypted, so rewritten in Python.
    name = re.compile(re.escape(erasure.pseudonym), re.IGNORECASE)
    for thread in Thread.objects.filter(participants__user_id=erasure.user.pk).exclude(
        service_user_id=erasure.user.pk
    ):
        if name.search(thread.subject):
            thread.subject = name.sub(erasure.replacement_name, thread.subject)
            thread.save(update_fields=["subject"])


SOURCE = PersonalDataSource(
    name="messages",
    description=(
        "Your secure conversations with your care team, and moderators' private messages to "
        "you about your posts: each thread, and every message in it that you wrote or "
        "received."
    ),
    export=export,
    erase=erase,
    order=10,
)
