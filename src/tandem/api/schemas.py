"""What the API sends and takes. Pydantic models, which the OpenAPI schema is made from.

Text people wrote is returned as written (Markdown), and, where the pages render it, also as
``body_html`` from the one renderer (``core.markdown.render_markdown``): a client never needs
a Markdown library of its own to show it safely.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from tandem.forum.models import POST_MAX_LENGTH
from tandem.messaging.models import MESSAGE_MAX_LENGTH

ItemT = TypeVar("ItemT")


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in a sentence for people.")
    code: str = Field(description="What went wrong, in a word for programs.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="For bad input: the messages by field."
    )


class Page(Schema, Generic[ItemT]):
    items: list[ItemT]
    page: int
    pages: int
    count: int


class MeOut(Schema):
    id: int
    pseudonym: str
    roles: list[str]
    organisation_ids: list[int]


# --- Toolbox ----------------------------------------------------------------------------------


class RatingOut(Schema):
    id: int
    domain: str
    rating: int
    note: str
    recorded_at: datetime


class GoalOut(Schema):
    id: int
    domain: str
    title: str
    why: str
    status: str
    target_date: date | None
    progress: int = Field(description="Per cent: the share of steps done, or set by hand.")
    updated_at: datetime


class MedicationOut(Schema):
    id: int
    name: str
    dose: str
    schedule: str
    purpose: str
    effects: str
    notes: str
    started_on: date | None
    stopped_on: date | None
    current: bool


class NetworkMemberOut(Schema):
    id: int
    name: str
    relationship: str
    contact: str
    circle: str
    quality: str


class CrisisPlanSectionOut(Schema):
    key: str
    title: str
    prompt: str
    text: str


class CrisisPlanOut(Schema):
    owner_id: int
    sections: list[CrisisPlanSectionOut]
    updated_at: datetime | None


class JournalEntryOut(Schema):
    id: int
    title: str
    body: str
    body_html: str
    created_at: datetime
    updated_at: datetime


# --- Messages ---------------------------------------------------------------------------------


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


# --- Notifications ----------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    url: str
    created_at: datetime
    read: bool


class ReadAllOut(Schema):
    marked: int


# --- Forum ------------------------------------------------------------------------------------


class CommunityOut(Schema):
    id: int
    name: str
    is_member: bool
    needs_conduct: bool = Field(description="A new code of conduct waits to be accepted.")


class CategoryOut(Schema):
    id: int
    name: str
    topic_count: int
    unread_count: int


class TopicSummaryOut(Schema):
    id: int
    title: str
    author: str
    reply_count: int
    last_posted_at: datetime | None


class TopicOut(Schema):
    id: int
    title: str
    community_id: int
    category_id: int
    visibility: str = Field(description="draft (the author's only), circle or community.")
    locked: bool


class PostOut(Schema):
    id: int
    author: str
    is_opening: bool
    body_html: str = Field(description="Empty when the post was deleted or hidden.")
    professional_title: str
    published_at: datetime | None
    edited_at: datetime | None
    state: str = Field(description="visible, held (for review), hidden or deleted.")


class TopicDetailOut(Schema):
    topic: TopicOut
    posts: Page[PostOut]


class ReplyIn(Schema):
    body: str = Field(max_length=POST_MAX_LENGTH)
    client_key: uuid.UUID = Field(
        description="A fresh UUID per reply: a retry with the same key publishes nothing new."
    )
    quoted_post: int | None = None
    as_professional: bool = False


class ReplyOut(Schema):
    id: int
    topic_id: int
    state: str = Field(description="visible, or held when screening asks a moderator to look.")


# --- Questionnaires ---------------------------------------------------------------------------


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    key: str
    text: str
    options: list[OptionOut]
    scored: bool


class InstrumentOut(Schema):
    key: str
    version: int
    title: str
    name: str
    stem: str
    attribution: str
    items: list[ItemOut]


class ScoreOut(Schema):
    value: int | None
    total: int | None
    max_total: int
    band: str | None
    higher_is_better: bool
    flags: list[str]


class SummaryOut(Schema):
    key: str
    title: str
    latest: ScoreOut | None
    latest_at: datetime | None
    change: int | None
    has_draft: bool
    due_on: date | None


class AnswersIn(Schema):
    version: int = Field(description="The instrument's version the answers were given to.")
    answers: dict[str, int] = Field(description="Item key → the value of the option chosen.")
    client_key: uuid.UUID = Field(
        description="A fresh UUID per response: sending again stores one response."
    )


class ResponseOut(Schema):
    id: int
    instrument: str
    submitted_at: datetime | None
    score: ScoreOut
    follow_up: bool = Field(
        description="The answers call for the safety follow-up: show the person's crisis plan "
        "and crisis contacts first (GET /people/{owner_id}/crisis-plan, /crisis/)."
    )
