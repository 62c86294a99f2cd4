"""The checks before a post is published: sanctions, rate limits, a new member's daily
limits, slow mode and watched words. Each refuses with a message for the person (the view
keeps their text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.accounts.models import User
from tandem.forum.models import Community, Post, Topic
from tandem.moderation import limits, trust
from tandem.moderation.errors import PostingLimitError
from tandem.moderation.models import Sanction, WatchedWord, WatchedWordAction
from tandem.moderation.posting.snapshot import Snapshot, take_snapshot

_MENTION = re.compile(r"(?<![\w@])@[^\W_]")


def _word_pattern(word: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in word.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _wait_text(until: datetime) -> str:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return ngettext(
        "Please wait %(n)s minute before posting again.",
        "Please wait %(n)s minutes before posting again.",
        minutes,
    ) % {"n": minutes}


def _check_sanction(snapshot: Snapshot) -> None:
    if snapshot.sanction_id is None:
        return
    until = Sanction.objects.filter(pk=snapshot.sanction_id).values_list("until", flat=True).first()
    if until is None:
        message = _("A moderator has paused your posting in this community. You can still read.")
    else:
        message = _(
            "A moderator has paused your posting in this community until %(until)s. "
            "You can still read."
        ) % {"until": date_format(timezone.localtime(until), "j M Y, H:i")}
    raise PostingLimitError(message, status=403)


def _check_rates(
    *, author: User, community: Community, snapshot: Snapshot, is_topic: bool, body: str
) -> None:
    options = snapshot.settings
    limit = options.topics_per_hour if is_topic else options.replies_per_hour
    count = snapshot.topics_hour if is_topic else snapshot.replies_hour
    mine = Post.objects.filter(
        author=author,
        topic__community=community,
        is_draft=False,
        published_at__gte=timezone.now() - limits.HOUR,
    )
    if count >= limit:
        # Only on this (rare) path: when the oldest post that counts leaves the hour.
        oldest = (
            mine.filter(is_opening=is_topic)
            .order_by("-published_at")
            .values_list("published_at", flat=True)[limit - 1 : limit]
            .first()
        ) or timezone.now()
        message = (
            _("You have started %(n)s topics in the last hour.")
            if is_topic
            else _("You have written %(n)s replies in the last hour.")
        ) % {"n": limit}
        raise PostingLimitError(f"{message} {_wait_text(oldest + limits.HOUR)}")
    mentions = len(_MENTION.findall(body))
    if mentions:
        bodies = mine.values_list("body", flat=True)[
            : options.topics_per_hour + options.replies_per_hour
        ]
        earlier = sum(len(_MENTION.findall(text)) for text in bodies)
        if earlier + mentions > options.mentions_per_hour:
            raise PostingLimitError(
                _(
                    "You have mentioned people %(n)s times in the last hour. Please post without "
                    "@mentions for now, or wait a little."
                )
                % {"n": earlier}
            )


def _check_new_member(snapshot: Snapshot, *, is_topic: bool) -> None:
    if snapshot.trust.level > limits.TRUST_NEW:
        return
    options = snapshot.settings
    limit = options.new_member_topics_per_day if is_topic else options.new_member_replies_per_day
    count = snapshot.topics_day if is_topic else snapshot.replies_day
    if count >= limit:
        message = (
            _(
                "New members can start %(n)s topics a day while they settle in. You can post "
                "again tomorrow; replying to others is still open."
            )
            if is_topic
            else _(
                "New members can write %(n)s replies a day while they settle in. Your limit "
                "grows as you take part. Please try again tomorrow."
            )
        )
        raise PostingLimitError(message % {"n": limit})


# A web address in the text, typed or as a Markdown link: what the link capability is about.
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S")


def _check_links(snapshot: Snapshot, body: str) -> None:
    """New members may not post links yet (``trust.Capability.POST_LINKS``): links are how
    spam and harmful sites get in front of people in crisis."""
    if trust.may(snapshot.trust.level, trust.Capability.POST_LINKS) or not _LINK.search(body):
        return
    raise ValidationError(
        {
            "body": _(
                "New members can post links once they have settled in: visit on a few days "
                "and read some topics (your account page shows how far you are). Your text is "
                "kept: take the link out to post it now."
            )
        },
        code="trust",
    )


def _check_slow_mode(snapshot: Snapshot, *, author: User, topic: Topic) -> None:
    if snapshot.slow_minutes is None:
        return
    interval = timedelta(minutes=snapshot.slow_minutes)
    last = (
        Post.objects.filter(
            topic=topic,
            author=author,
            is_draft=False,
            published_at__gt=timezone.now() - interval,
        )
        .order_by("-published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if last is not None:
        raise PostingLimitError(
            _(
                "This topic is in slow mode: everyone can reply once every %(n)s minutes, so "
                "there is time to read and think."
            )
            % {"n": snapshot.slow_minutes}
            + " "
            + _wait_text(last + interval)
        )


@dataclass
class Prepared:
    """The text to save, the watched words set to "hold" that it contains, and what was read
    about the author (so screening needs no second look)."""

    body: str
    held_words: list[str] = field(default_factory=list)
    snapshot: Snapshot | None = None


def check_before_publish(
    *, author: User, community: Community, body: str, topic: Topic | None = None
) -> Prepared:
    """Refuse the post (raise ``PostingLimitError``/``ValidationError``) or return the text to
    publish. ``topic`` is None for a new topic. One query, plus one when the community has
    watched words."""
    snapshot = take_snapshot(author=author, community=community, topic=topic)
    _check_sanction(snapshot)
    if not snapshot.is_moderator:
        _check_rates(
            author=author, community=community, snapshot=snapshot, is_topic=topic is None, body=body
        )
        _check_new_member(snapshot, is_topic=topic is None)
        _check_links(snapshot, body)
        if topic is not None:
            _check_slow_mode(snapshot, author=author, topic=topic)
    if snapshot.has_watched_words:
        prepared = apply_watched_words(community=community, body=body)
    else:
        prepared = Prepared(body=body)
    prepared.snapshot = snapshot
    return prepared


def apply_watched_words(*, community: Community, body: str) -> Prepared:
    prepared = Prepared(body=body)
    for word in WatchedWord.objects.filter(community=community):
        pattern = _word_pattern(word.word)
        if not pattern.search(prepared.body):
            continue
        if word.action == WatchedWordAction.BLOCK:
            raise ValidationError(
                {
                    "body": _(
                        "This community does not allow “%(word)s”. Please change it and post "
                        "again: your text is kept."
                    )
                    % {"word": word.word}
                }
            )
        if word.action == WatchedWordAction.REPLACE:
            prepared.body = pattern.sub(word.replacement or "***", prepared.body)
        else:
            prepared.held_words.append(word.word)
    return prepared
