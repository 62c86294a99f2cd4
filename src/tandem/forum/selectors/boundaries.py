"""Reads about a person's boundaries: whom they muted, who may mention them."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.accounts.models import User
from tandem.forum.models import ForumPreference, MentionPolicy, Mute


def mutes_for_user(user: User) -> QuerySet[Mute]:
    return Mute.objects.filter(user=user).select_related("muted").order_by("muted__pseudonym")


def mention_policy_for_user(user: User) -> str:
    preference = ForumPreference.objects.filter(user=user).first()
    return preference.mention_policy if preference else MentionPolicy.EVERYONE


def mute_of_user(user: User, mute_id: int) -> Mute | None:
    """``user``'s mute ``mute_id``, None when it is not theirs or does not exist."""
    return Mute.objects.filter(pk=mute_id, user=user).first()
