"""Secure messages: threads, messages, sending and starting a thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

from tandem.api.schemas.common import Id
from tandem.messaging.models import MESSAGE_MAX_LENGTH, SUBJECT_MAX_LENGTH


class ThreadOut(Schema):
    id: int
    subject: str
    kind: str
    others: list[str] = Field(description="The other people in it, named as the pages name them.")
    unread: int
    waiting_for: str
    last_message_at: datetime
    closed: bool


class MessageOut(Schema):
    id: int
    sender: str
    is_mine: bool
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    withdrawn: bool


class ThreadDetailOut(Schema):
    thread: ThreadOut
    messages: list[MessageOut] = Field(description="The latest messages, oldest first.")
    earlier_before: int | None = Field(
        description="Pass as ``before`` to read the messages before these; null at the start."
    )
    may_write: bool
    read_only_reason: str


class MessageIn(Schema):
    body: str = Field(max_length=MESSAGE_MAX_LENGTH)
    client_key: uuid.UUID = Field(
        description="A fresh UUID per message. Sending again with the same key (a retry) "
        "stores nothing new and answers with the message already stored."
    )


class SentOut(Schema):
    message: MessageOut
    created: bool = Field(description="False when this client key was used before.")


class RecipientOut(Schema):
    id: int
    name: str


class RecipientsOut(Schema):
    """Who the person may start a thread with: a service user writes to one or more providers
    of their care team; a verified provider (without a care team of their own) to one person
    of their caseload."""

    providers: list[RecipientOut] = Field(description="Send their ids as ``providers``.")
    service_users: list[RecipientOut] = Field(description="Send one id as ``service_user``.")


class ThreadIn(Schema):
    subject: str = Field(max_length=SUBJECT_MAX_LENGTH)
    body: str = Field(max_length=MESSAGE_MAX_LENGTH)
    client_key: uuid.UUID = Field(
        description="A fresh UUID per new thread: starting again with the same key (a retry) "
        "stores nothing new and answers with the thread already started."
    )
    providers: list[Id] = Field(
        default_factory=list, description="A service user: providers of their care team."
    )
    service_user: Id | None = Field(None, description="A provider: a person of their caseload.")


class StartedOut(Schema):
    thread_id: int
    message: MessageOut
    created: bool = Field(description="False when this client key was used before.")
