"""Who is told about a new topic, reply or mention, and the notifications themselves."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, User
from tandem.forum import hooks
from tandem.forum.mentions import mentioned_users
from tandem.forum.models import (
    CircleMember,
    CommunityMember,
    ForumPreference,
    MentionPolicy,
    Mute,
    Post,
    Topic,
    Visibility,
    Watch,
)
from tandem.forum.selectors import CIRCLE_SCOPE, COMMUNITY_SCOPE
from tandem.notifications.services import notify


@dataclass(frozen=True)
class _Event:
    topic: Topic
    post: Post

    @property
    def scope(self) -> tuple[str, int]:
        if self.topic.visibility == Visibility.CIRCLE and self.topic.circle_id:
            return CIRCLE_SCOPE, self.topic.circle_id
        return COMMUNITY_SCOPE, self.topic.community_id

    @property
    def url(self) -> str:
        return reverse("forum:topic-detail", kwargs={"topic_id": self.topic.pk}) + (
            f"#post-{self.post.pk}"
        )


def _have_interacted(a: User, b: User) -> bool:
    """Both have published in at least one same topic."""
    return (
        Topic.objects.filter(posts__author=a, posts__is_draft=False)
        .filter(Exists(Post.objects.filter(topic=OuterRef("pk"), author=b, is_draft=False)))
        .exists()
    )


def _may_mention(author: User, recipient: User) -> bool:
    preference = ForumPreference.objects.filter(user=recipient).first()
    policy = preference.mention_policy if preference else MentionPolicy.EVERYONE
    if policy == MentionPolicy.NOBODY:
        return False
    if policy == MentionPolicy.INTERACTED:
        return _have_interacted(author, recipient)
    return True


def _can_read(users: list[User], topic: Topic, author: User) -> list[User]:
    """Keep the people who can still read ``topic`` now and have not muted ``author``."""
    if not users:
        return []
    ids = [user.pk for user in users]
    allowed = CommunityMember.objects.filter(community=topic.community_id, user_id__in=ids).filter(
        Exists(
            Membership.objects.filter(
                user=OuterRef("user"), organisation=topic.community.organisation_id
            )
        )
    )
    if topic.visibility == Visibility.CIRCLE:
        allowed = allowed.filter(
            Exists(CircleMember.objects.filter(circle=topic.circle_id, user=OuterRef("user")))
        )
    allowed_ids = set(allowed.values_list("user_id", flat=True))
    muting = set(
        Mute.objects.filter(user_id__in=ids, muted=author).values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk in allowed_ids and user.pk not in muting]


def _send(event: _Event, recipients: list[User], kind: str, title: str) -> None:
    scope_type, scope_id = event.scope
    for recipient in recipients:
        notify(
            recipient=recipient,
            actor=event.post.author,
            kind=kind,
            title=title,
            url=event.url,
            scope_type=scope_type,
            scope_id=scope_id,
        )


def _within_trust(users: list[User], topic: Topic, author: User) -> list[User]:
    """Everyone mentioned, when the author's trust lets them mention anyone; else only the
    people who share a circle with them in the community (``forum.hooks.trust_rules``)."""
    community = topic.community
    if not users or hooks.trust_rules().may_mention_anyone(user=author, community=community):
        return users
    near = set(
        CircleMember.objects.filter(
            circle__community=community.pk,
            circle__members__user=author,
            user_id__in=[user.pk for user in users],
        ).values_list("user_id", flat=True)
    )
    return [user for user in users if user.pk in near]


def _notify_mentions(event: _Event, already: set[int]) -> set[int]:
    author = event.post.author
    mentioned = [
        user
        for user in mentioned_users(body=event.post.body, community=event.topic.community)
        if user.pk != author.pk and user.pk not in already and _may_mention(author, user)
    ]
    mentioned = _can_read(_within_trust(mentioned, event.topic, author), event.topic, author)
    _send(
        event,
        mentioned,
        "forum.mention",
        _("%(name)s mentioned you in “%(topic)s”")
        % {"name": author.pseudonym, "topic": event.topic.title},
    )
    return {user.pk for user in mentioned}


def _notify_new_topic(*, topic: Topic, post: Post) -> None:
    event = _Event(topic=topic, post=post)
    told = _notify_mentions(event, set())
    if topic.visibility == Visibility.CIRCLE:
        others = User.objects.filter(circle_memberships__circle=topic.circle_id)
        title = _("New in your circle “%(circle)s”: “%(topic)s”") % {
            "circle": topic.circle.name if topic.circle else "",
            "topic": topic.title,
        }
    else:
        others = User.objects.filter(watches_for_category(topic))
        title = _("New topic in %(category)s: “%(topic)s”") % {
            "category": topic.category.name,
            "topic": topic.title,
        }
    recipients = list(others.exclude(pk=topic.author_id).exclude(pk__in=told).distinct())
    _send(event, _can_read(recipients, topic, post.author), "forum.new_topic", title)


def watches_for_category(topic: Topic) -> Q:
    return Q(pk__in=Watch.objects.filter(category=topic.category_id).values("user_id"))


def _notify_reply(*, topic: Topic, post: Post) -> None:
    event = _Event(topic=topic, post=post)
    told = _notify_mentions(event, set())
    watchers = list(
        User.objects.filter(pk__in=Watch.objects.filter(topic=topic).values("user_id"))
        .exclude(pk=post.author_id)
        .exclude(pk__in=told)
    )
    _send(
        event,
        _can_read(watchers, topic, post.author),
        "forum.reply",
        _("%(name)s replied to “%(topic)s”")
        % {"name": post.author.pseudonym, "topic": topic.title},
    )
