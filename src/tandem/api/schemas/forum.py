"""The forum: communities, categories, topics, posts, replying and starting a topic."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from tandem.api.schemas.common import Id, Page
from tandem.forum.models import POST_MAX_LENGTH, TITLE_MAX_LENGTH, Visibility


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


class TopicIn(Schema):
    category_id: Id
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    body: str = Field(max_length=POST_MAX_LENGTH)
    client_key: uuid.UUID = Field(
        description="A fresh UUID per topic: a retry with the same key publishes nothing new."
    )
    visibility: Literal[Visibility.COMMUNITY, Visibility.CIRCLE] = Field(
        Visibility.COMMUNITY, description="community, or circle: only one of the author's circles."
    )
    circle_id: Id | None = Field(None, description="With visibility circle: which circle.")
    as_professional: bool = False


class TopicCreatedOut(Schema):
    id: int
    post_id: int = Field(description="The opening post.")
    state: str = Field(description="visible, or held when a moderator must look first.")
