"""What the escalation tests share: an urgent text, holding it, and counting who was told."""

from __future__ import annotations

from tandem.accounts.models import User
from tandem.forum.models import Topic
from tandem.forum.tests.conftest import reply
from tandem.moderation.models import ReviewItem, Risk
from tandem.notifications.models import Notification

URGENT = "I want to kill myself tonight."


def _hold(otter: User, topic: Topic) -> ReviewItem:
    post = reply(otter, topic, URGENT)
    item = ReviewItem.objects.select_related("community", "post__author").get(post=post)
    assert item.is_held and item.risk == Risk.HIGH
    return item


def _told(user: User, kind: str = "moderation.escalation") -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()
