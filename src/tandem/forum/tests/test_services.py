"""Forum rules, tested on the services directly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.forum import services
from tandem.forum.access import CommunityAccess
from tandem.forum.models import (
    CIRCLE_MAX_INVITED,
    Audience,
    Category,
    Community,
    MentionPolicy,
    ReactionKind,
    Topic,
    Visibility,
)
from tandem.forum.tests.conftest import make_topic, reply
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _join(user: User, community: Community) -> None:
    services.join_community(
        user=user, community=community, accepted_version=community.code_of_conduct_version
    )


@pytest.mark.parametrize(
    ("audience", "role", "allowed"),
    [
        (Audience.SERVICE_USERS, Role.SERVICE_USER, True),
        (Audience.SERVICE_USERS, Role.PROVIDER, False),
        (Audience.PROFESSIONALS, Role.PROVIDER, True),
        (Audience.PROFESSIONALS, Role.SERVICE_USER, False),
        (Audience.PROFESSIONALS, Role.FACILITATOR, True),
        (Audience.MIXED, Role.SERVICE_USER, True),
        (Audience.MIXED, Role.MODERATOR, True),
        (Audience.MIXED, Role.RESEARCHER, False),
        (Audience.MIXED, Role.ORG_ADMIN, False),
    ],
)
def test_who_may_join_follows_the_audience(
    make_member: Callable[..., User], community: Community, audience: str, role: str, allowed: bool
) -> None:
    community.audience = audience
    community.save()
    person = make_member(role)
    if allowed:
        _join(person, community)
        assert community.members.filter(user=person).exists()
    else:
        with pytest.raises(ValidationError):
            _join(person, community)


def test_unverified_provider_cannot_join_a_professionals_community(
    make_member: Callable[..., User], community: Community
) -> None:
    community.audience = Audience.PROFESSIONALS
    community.save()
    provider = make_member(Role.PROVIDER)
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(ValidationError):
        _join(provider, community)


def test_age_limits_use_date_of_birth(
    make_member: Callable[..., User], community: Community
) -> None:
    community.min_age, community.max_age = 16, 25
    community.save()
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="date of birth"):
        _join(make_member(), community)
    with pytest.raises(ValidationError, match="aged 16 to 25"):
        _join(make_member(date_of_birth=today.replace(year=today.year - 15)), community)
    _join(make_member(date_of_birth=today.replace(year=today.year - 25)), community)


def test_joining_with_a_stale_code_of_conduct_is_refused(
    make_member: Callable[..., User], community: Community
) -> None:
    with pytest.raises(ValidationError, match="just changed"):
        services.join_community(user=make_member(), community=community, accepted_version=0)


def test_reply_updates_the_topic_and_the_author_watches_it(
    member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    replier = member()
    reply(replier, topic)
    topic.refresh_from_db()
    assert topic.reply_count == 1
    assert topic.watches.filter(user=replier).exists()


def test_cannot_react_to_own_post(member: Callable[..., User], category: Category) -> None:
    author = member()
    post = make_topic(author, category).posts.get()
    with pytest.raises(PermissionDenied):
        services.toggle_reaction(user=author, post=post, kind=ReactionKind.THANK_YOU)
    other = member()
    assert services.toggle_reaction(user=other, post=post, kind=ReactionKind.THANK_YOU) is True
    assert services.toggle_reaction(user=other, post=post, kind=ReactionKind.THANK_YOU) is False


def test_mentions_follow_each_persons_policy(
    member: Callable[..., User], category: Category
) -> None:
    author = member(pseudonym="Wader")
    open_person = member(pseudonym="Open Door")
    closed = member(pseudonym="Closed")
    picky = member(pseudonym="Picky")
    services.set_mention_policy(user=closed, policy=MentionPolicy.NOBODY)
    services.set_mention_policy(user=picky, policy=MentionPolicy.INTERACTED)
    make_topic(author, category, body="Hi @Open Door, @closed and @Picky!")
    kinds = dict(Notification.objects.values_list("recipient__pseudonym", "kind"))
    assert kinds == {open_person.pseudonym: "forum.mention"}
    shared = make_topic(picky, category, title="Shared")
    reply(author, shared, "hello")
    make_topic(author, category, title="Again", body="@Picky again")
    assert Notification.objects.filter(recipient=picky, kind="forum.mention").count() == 1


def test_mentions_never_reach_people_outside_the_community(
    member: Callable[..., User], make_member: Callable[..., User], category: Category
) -> None:
    make_member(pseudonym="Outsider")
    make_topic(member(), category, body="@Outsider hello")
    assert not Notification.objects.exists()


def test_muting_stops_notifications_from_that_person(
    member: Callable[..., User], category: Category
) -> None:
    author, loud = member(), member(pseudonym="Loud")
    topic = make_topic(author, category)
    services.mute_person(user=author, muted=loud)
    reply(loud, topic, "@" + author.pseudonym + " hey")
    assert not Notification.objects.filter(recipient=author).exists()
    with pytest.raises(ValidationError):
        services.mute_person(user=author, muted=author)


def test_visibility_climbs_draft_circle_community_only_by_the_author(
    member: Callable[..., User], category: Category
) -> None:
    author, friend, other = member(), member(), member()
    circle = services.create_circle(user=author, community=category.community, name="Few")
    services.add_to_circle(user=author, circle=circle, pseudonym=friend.pseudonym)
    draft = services.save_topic_draft(
        author=author, community=category.community, category=category, title="T", body="B"
    )
    draft.community = category.community
    with pytest.raises(PermissionDenied):
        services.change_topic_visibility(user=other, topic=draft, visibility=Visibility.COMMUNITY)
    topic = services.change_topic_visibility(
        user=author, topic=draft, visibility=Visibility.CIRCLE, circle=circle
    )
    assert topic.visibility == Visibility.CIRCLE
    assert Notification.objects.filter(recipient=friend).count() == 2  # added, new topic
    topic = Topic.objects.get(pk=topic.pk)
    topic.community = category.community
    reply(friend, topic)
    topic = Topic.objects.get(pk=topic.pk)
    topic.community = category.community
    services.change_topic_visibility(user=author, topic=topic, visibility=Visibility.COMMUNITY)
    topic = Topic.objects.get(pk=topic.pk)
    topic.community = category.community
    with pytest.raises(ValidationError, match="no longer be narrowed"):
        services.change_topic_visibility(
            user=author, topic=topic, visibility=Visibility.CIRCLE, circle=circle
        )


def test_circle_holds_at_most_twelve_invited_people(
    member: Callable[..., User], category: Category
) -> None:
    starter = member()
    circle = services.create_circle(user=starter, community=category.community, name="Big")
    for _ in range(CIRCLE_MAX_INVITED):
        services.add_to_circle(user=starter, circle=circle, pseudonym=member().pseudonym)
    with pytest.raises(ValidationError, match="up to 12"):
        services.add_to_circle(user=starter, circle=circle, pseudonym=member().pseudonym)
    with pytest.raises(PermissionDenied):
        services.add_to_circle(
            user=circle.members.exclude(user=starter).first().user,  # type: ignore[union-attr]
            circle=circle,
            pseudonym=member().pseudonym,
        )


def test_posting_to_a_circle_you_are_not_in_is_refused(
    member: Callable[..., User], category: Category
) -> None:
    owner, other = member(), member()
    circle = services.create_circle(user=owner, community=category.community, name="Mine")
    with pytest.raises(ValidationError):
        services.create_topic(
            author=other,
            community=category.community,
            category=category,
            title="x",
            body="y",
            visibility=Visibility.CIRCLE,
            circle=circle,
        )


def test_feature_topic_needs_a_facilitator_and_sane_dates(
    member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category)
    decided = CommunityAccess(
        community=category.community,
        accepted_version=category.community.code_of_conduct_version,
        is_moderator=False,
        is_facilitator=False,
        is_verified_provider=False,
    )
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.feature_topic(member=decided, topic=topic, start=today, end=today)
    facilitator = replace(decided, is_facilitator=True)
    with pytest.raises(ValidationError):
        services.feature_topic(
            member=facilitator, topic=topic, start=today, end=today - timedelta(days=1)
        )
    services.feature_topic(member=facilitator, topic=topic, start=today, end=today)
    services.unfeature_topic(member=facilitator, topic=topic)
    assert topic.featured_from is None


def test_leaving_removes_circles_and_watches(
    member: Callable[..., User], category: Category
) -> None:
    person = member()
    topic = make_topic(person, category)
    services.create_circle(user=person, community=category.community, name="Solo")
    services.leave_community(user=person, community=category.community)
    assert not topic.watches.exists()
    assert not category.community.members.filter(user=person).exists()


def test_draft_discard_and_leave_circle(member: Callable[..., User], category: Category) -> None:
    author = member()
    draft = services.save_topic_draft(
        author=author, community=category.community, category=category, title="", body=""
    )
    services.delete_draft(user=author, post=draft.posts.get())
    assert not Topic.objects.filter(pk=draft.pk).exists()
    circle = services.create_circle(user=author, community=category.community, name="Gone")
    services.leave_circle(user=author, circle=circle)
    assert not type(circle).objects.filter(pk=circle.pk).exists()
