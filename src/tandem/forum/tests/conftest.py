"""Forum fixtures: a mixed community in the shared organisation, and helpers to fill it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tandem.accounts.models import Organisation, Role, User
from tandem.forum import hooks, services
from tandem.forum.models import Category, Community, Post, Topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.models import CommunitySettings, PreModeration


@pytest.fixture(autouse=True)
def _everyone_trusted() -> Iterator[None]:
    """Circles and mentions without trust levels: these tests are about the forum itself
    (trust levels are moderation's, tested in ``tandem/moderation/tests/test_trust.py``)."""
    registered = hooks.trust_rules()
    hooks.register_trust_rules(hooks.everyone_trusted())
    yield
    hooks.register_trust_rules(registered)


@pytest.fixture
def community(organisation: Organisation) -> Community:
    """A community without pre-moderation or new-member limits: these tests are about the
    forum itself (moderation has its own tests in ``tandem/moderation/tests``)."""
    community = CommunityFactory.create(organisation=organisation, name="Carers")
    CommunitySettings.objects.create(
        community=community,
        premoderation=PreModeration.NONE,
        new_member_topics_per_day=1000,
        new_member_replies_per_day=1000,
        topics_per_hour=1000,
        replies_per_hour=1000,
        mentions_per_hour=1000,
    )
    return community


@pytest.fixture
def category(community: Community) -> Category:
    return CategoryFactory.create(community=community, name="Coping")


def join(user: User, community: Community) -> User:
    services.join_community(
        user=user, community=community, accepted_version=community.code_of_conduct_version
    )
    return user


@pytest.fixture
def member(make_member: Callable[..., User], community: Community) -> Callable[..., User]:
    """Make a person with ``role`` in the organisation who has joined the community."""

    def make(role: str = Role.SERVICE_USER, **fields: object) -> User:
        return join(make_member(role, **fields), community)

    return make


def make_topic(
    author: User, category: Category, title: str = "Sleep", body: str = "I can't sleep."
) -> Topic:
    return services.create_topic(
        author=author, community=category.community, category=category, title=title, body=body
    )


def reply(author: User, topic: Topic, body: str = "Same here.") -> Post:
    topic.refresh_from_db()
    topic.community = Community.objects.get(pk=topic.community_id)
    return services.reply_to_topic(author=author, topic=topic, body=body)
