"""Watching and featuring: a second click takes a watch back, and only topics open to the
whole community can be the topic of the week."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.forum import services
from tandem.forum.access import CommunityAccess
from tandem.forum.models import Category, Topic, Visibility, Watch
from tandem.forum.tests.conftest import make_topic

pytestmark = pytest.mark.django_db


def test_watching_a_topic_twice_takes_the_watch_back(
    member: Callable[..., User], category: Category
) -> None:
    reader = member()
    topic = make_topic(member(), category)
    assert services.toggle_topic_watch(user=reader, topic=topic) is True
    assert Watch.objects.filter(user=reader, topic=topic).count() == 1
    assert services.toggle_topic_watch(user=reader, topic=topic) is False
    assert not Watch.objects.filter(user=reader).exists()
    assert services.toggle_topic_watch(user=reader, topic=topic) is True


def test_watching_a_category_twice_takes_the_watch_back(
    member: Callable[..., User], category: Category
) -> None:
    reader, other = member(), member()
    services.toggle_category_watch(user=other, category=category)
    assert services.toggle_category_watch(user=reader, category=category) is True
    assert services.toggle_category_watch(user=reader, category=category) is False
    assert not Watch.objects.filter(user=reader).exists()
    # Only the reader's own watch went: the other person still hears about the category.
    assert Watch.objects.filter(user=other, category=category).exists()


def test_a_circle_topic_cannot_be_featured(member: Callable[..., User], category: Category) -> None:
    author, friend = member(), member()
    circle = services.create_circle(user=author, community=category.community, name="Few")
    services.add_to_circle(user=author, circle=circle, pseudonym=friend.pseudonym)
    topic = services.create_topic(
        author=author,
        community=category.community,
        category=category,
        title="Just us",
        body="Between the few of us.",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    facilitator = CommunityAccess(
        community=category.community,
        accepted_version=category.community.code_of_conduct_version,
        is_moderator=False,
        is_facilitator=True,
        is_verified_provider=False,
    )
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="open to the whole community"):
        services.feature_topic(member=facilitator, topic=topic, start=today, end=today)
    stored = Topic.objects.get(pk=topic.pk)
    assert stored.featured_from is None
    assert stored.featured_until is None
