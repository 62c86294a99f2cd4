"""Reads for a community's moderation settings: watched words, slow mode, the settings row."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.forum.models import Community, Topic
from tandem.moderation.models import CommunitySettings, WatchedWord
from tandem.moderation.posting import settings_for


def watched_words(community: Community) -> QuerySet[WatchedWord]:
    return WatchedWord.objects.filter(community=community).order_by("word")


def community_settings(community: Community) -> CommunitySettings:
    return settings_for(community)


def topics_for_slow_mode(community: Community) -> QuerySet[Topic]:
    return (
        Topic.objects.filter(community=community, slow_mode__isnull=False)
        .select_related("slow_mode")
        .order_by("title")
    )


def watched_word_by_id(word_id: int) -> WatchedWord | None:
    """Watched word ``word_id``, None when there is none; the caller's gate checks the
    community."""
    return WatchedWord.objects.filter(pk=word_id).first()


def topic_by_id(topic_id: int) -> Topic | None:
    """Topic ``topic_id`` (to set its slow mode), None when there is none; the caller's gate
    checks the community."""
    return Topic.objects.filter(pk=topic_id).first()
