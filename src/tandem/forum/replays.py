"""Publishing once per form, as messaging sends once per form.

The reply and new-topic forms carry a ``client_key``: a fresh UUID in a hidden field each time
the form is shown, so it works without JavaScript. The post published from the form keeps the
key, and a unique constraint on (author, key) lets each person use a key once. A double submit
or a retry after a dropped connection then finds the stored post (:func:`stored_post`, asked
before anything else, so the moderation hooks run once) and the view sends the person to it.
Two submits racing past that question meet the constraint instead: :func:`save_once` stores
the post in a savepoint and, when the other submit won, answers with the post it stored.
Publishing a draft updates a row rather than inserting one, so there the two wait for each
other on the draft's row (:func:`lock_draft_reply`, :func:`lock_draft_topic`) and the second
finds the draft gone.

Keys belong to their author: the same key sent by someone else is a different post. Posts
written without a key (older pages, seeds, benchmark data) are simply stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction

from tandem.accounts.models import User
from tandem.forum.models import Post, Topic, Visibility


def stored_post(author: User, client_key: uuid.UUID | None) -> Post | None:
    """The post ``author`` has already published with ``client_key``, if any."""
    if client_key is None:
        return None
    return (
        Post.objects.filter(author=author, client_key=client_key, is_draft=False)
        .select_related("topic")
        .first()
    )


def save_once(
    author: User, client_key: uuid.UUID | None, write: Callable[[], Post]
) -> tuple[Post, bool]:
    """Run ``write`` (which stores a post carrying ``client_key``) in a savepoint.

    Return the post and True, or, when another submit of the same form stored it first, that
    submit's post and False: what ``write`` did is rolled back.
    """
    try:
        with transaction.atomic():
            return write(), True
    except IntegrityError:
        stored = stored_post(author, client_key)
        if stored is None:
            raise
        return stored, False


def lock_draft_reply(author: User, topic: Topic) -> Post | None:
    """The author's draft reply in ``topic``, locked until the transaction ends (PostgreSQL;
    SQLite runs one writing transaction at a time anyway)."""
    return (
        Post.objects.select_for_update()
        .filter(topic=topic, author=author, is_draft=True, is_opening=False)
        .first()
    )


def lock_draft_topic(draft: Topic) -> Topic | None:
    """``draft`` locked until the transaction ends, or None when it is no longer a draft."""
    return (
        Topic.objects.select_for_update().filter(pk=draft.pk, visibility=Visibility.DRAFT).first()
    )
