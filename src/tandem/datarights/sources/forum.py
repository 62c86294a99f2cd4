"""Forum posts, drafts, reactions and settings; on erasure, the person's choice for posts."""

from __future__ import annotations

import re

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import rows
from tandem.forum.mentions import render_post_html
from tandem.forum.models import (
    CircleMember,
    CommunityMember,
    ForumPreference,
    Mute,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicRead,
    Watch,
)
from tandem.forum.search import index_post, unindex_post

FORMER_MEMBER_EMAIL = "former-member@tandem.invalid"


def export(user: AbstractBaseUser) -> ExportData:
    person = user.pk
    return {
        "topics": rows(Topic.objects.filter(author_id=person).order_by("pk")),
        "posts": rows(Post.objects.filter(author_id=person, is_draft=False).order_by("pk")),
        "drafts": rows(Post.objects.filter(author_id=person, is_draft=True).order_by("pk")),
        "reactions": rows(Reaction.objects.filter(user_id=person).order_by("pk")),
        "community_memberships": rows(CommunityMember.objects.filter(user_id=person)),
        "circle_memberships": rows(CircleMember.objects.filter(user_id=person)),
        "watches": rows(Watch.objects.filter(user_id=person)),
        "mutes": rows(Mute.objects.filter(user_id=person)),
        "preference": rows(ForumPreference.objects.filter(user_id=person)),
    }


def former_member(name: str) -> User:
    """The one account that anonymised posts and kept topics belong to; nobody logs in as it."""
    user, created = User.objects.get_or_create(
        email=FORMER_MEMBER_EMAIL, defaults={"pseudonym": name, "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _set_body(post: Post, body: str, title: str) -> None:
    post.body = body
    # The forum's renderer, so the other people mentioned keep their links.
    post.body_html = render_post_html(post)
    post.save(update_fields=["body", "body_html"])
    index_post(post, title)


def _scrub_others(erasure: Erasure) -> None:
    """Replace the person's display name in what others wrote (quotes, @mentions)."""
    name = re.compile(re.escape(erasure.pseudonym), re.IGNORECASE)
    for topic in Topic.objects.filter(title__icontains=erasure.pseudonym):
        topic.title = name.sub(erasure.replacement_name, topic.title)
        topic.save(update_fields=["title"])
        # The search index holds the title with the opening post.
        opening = topic.posts.filter(is_opening=True).first()
        if opening is not None:
            index_post(opening, topic.title)
    posts = Post.objects.filter(body__icontains=erasure.pseudonym).select_related("topic")
    for post in posts:
        _set_body(post, name.sub(erasure.replacement_name, post.body), post.topic.title)
    for revision in PostRevision.objects.filter(
        Q(body__icontains=erasure.pseudonym) | Q(title__icontains=erasure.pseudonym)
    ):
        revision.body = name.sub(erasure.replacement_name, revision.body)
        revision.title = name.sub(erasure.replacement_name, revision.title)
        revision.save(update_fields=["body", "title"])


def _delete_posts(erasure: Erasure, placeholder: User) -> None:
    person = erasure.user.pk
    for post in Post.objects.filter(author_id=person, is_opening=False):
        unindex_post(post)
    Post.objects.filter(author_id=person, is_opening=False).delete()
    for topic in Topic.objects.filter(author_id=person):
        opening = topic.posts.filter(is_opening=True).first()
        if not topic.posts.exclude(author_id=person).exists():
            if opening:
                unindex_post(opening)
            topic.delete()
            continue
        # Others replied: the conversation stays, without a word of the person's.
        topic.title = _("A topic by %(name)s") % {"name": erasure.replacement_name}
        topic.author = placeholder
        topic.save(update_fields=["title", "author"])
        if opening:
            opening.author = placeholder
            opening.professional_title = ""
            opening.save(update_fields=["author", "professional_title"])
            _set_body(opening, _("This post was deleted by its author."), topic.title)


def erase(erasure: Erasure) -> None:
    person = erasure.user.pk
    for draft in Post.objects.filter(author_id=person, is_draft=True):
        unindex_post(draft)
    Post.objects.filter(author_id=person, is_draft=True).delete()
    PostRevision.objects.filter(post__author_id=person).delete()
    TopicRead.objects.filter(user_id=person).delete()
    placeholder = former_member(erasure.replacement_name)
    if erasure.keep_forum_posts:
        Post.objects.filter(author_id=person).update(author=placeholder, professional_title="")
        Topic.objects.filter(author_id=person).update(author=placeholder)
    else:
        _delete_posts(erasure, placeholder)
    _scrub_others(erasure)


SOURCE = PersonalDataSource(
    name="forum",
    description=(
        "Your forum topics, posts and drafts, your reactions, the communities and circles you "
        "joined, topics you watch, people you muted, and your forum settings."
    ),
    export=export,
    erase=erase,
    order=20,
)
