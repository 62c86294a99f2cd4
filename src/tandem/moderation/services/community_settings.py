"""Duty, slow mode, watched words and a community's posting settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.forum.models import Community, Topic
from tandem.moderation.models import (
    AuditAction,
    CommunitySettings,
    ModeratorDuty,
    SlowMode,
    WatchedWord,
)
from tandem.moderation.services.audit import (
    check_moderator,
    record,
    require_reason,
)


@transaction.atomic
def set_duty(*, moderator: User, organisation: Organisation, on_duty: bool) -> ModeratorDuty:
    if not Membership.objects.filter(
        user=moderator, organisation=organisation, role=Role.MODERATOR
    ).exists():
        raise PermissionDenied
    duty, _created = ModeratorDuty.objects.update_or_create(
        user=moderator,
        organisation=organisation,
        defaults={"on_duty": on_duty, "changed_at": timezone.now()},
    )
    return duty


@transaction.atomic
def set_slow_mode(
    *, moderator: User, topic: Topic, minutes: int | None, reason: str
) -> SlowMode | None:
    """Switch slow mode on (one reply per person every ``minutes``) or off (None)."""
    community = topic.community
    check_moderator(moderator, community)
    reason = require_reason(reason)
    before = SlowMode.objects.filter(topic=topic).values_list("interval_minutes", flat=True).first()
    if minutes is None:
        SlowMode.objects.filter(topic=topic).delete()
        slow = None
    else:
        if not 1 <= minutes <= 24 * 60:
            raise ValidationError({"minutes": _("Choose between 1 minute and 24 hours.")})
        slow, _created = SlowMode.objects.update_or_create(
            topic=topic, defaults={"interval_minutes": minutes, "set_by": moderator}
        )
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.SLOW_MODE,
        reason=reason,
        detail=(_("on, %(n)s minutes") % {"n": minutes}) if minutes else _("off"),
        before={"slow_mode_minutes": before},
        after={"topic": topic.pk, "slow_mode_minutes": minutes},
    )
    return slow


@transaction.atomic
def add_watched_word(
    *, moderator: User, community: Community, word: str, action: str, replacement: str = ""
) -> WatchedWord:
    check_moderator(moderator, community)
    word = " ".join(word.split())
    if not word:
        raise ValidationError({"word": _("Enter a word or phrase.")})
    if WatchedWord.objects.filter(community=community, word__iexact=word).exists():
        raise ValidationError({"word": _("This word is already on the list.")})
    watched = WatchedWord(
        community=community,
        word=word,
        action=action,
        replacement=replacement.strip(),
        created_by=moderator,
    )
    watched.full_clean()
    watched.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.WATCHED_WORD,
        detail=_("added “%(word)s” (%(action)s)") % {"word": word, "action": action},
        after={"watched_word": watched.pk, "watched_word_action": action},
    )
    return watched


@transaction.atomic
def remove_watched_word(*, moderator: User, watched: WatchedWord) -> None:
    community = watched.community
    check_moderator(moderator, community)
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.WATCHED_WORD,
        detail=_("removed “%(word)s”") % {"word": watched.word},
        before={"watched_word": watched.pk, "watched_word_action": watched.action},
    )
    watched.delete()


# The settings ``update_settings`` changes, as the change record names them.
SETTING_NAMES = (
    "premoderation",
    "new_member_held_posts",
    "new_member_topics_per_day",
    "new_member_replies_per_day",
)


@transaction.atomic
def update_settings(
    *,
    moderator: User,
    community: Community,
    premoderation: str,
    new_member_held_posts: int,
    new_member_topics_per_day: int,
    new_member_replies_per_day: int,
    reason: str,
) -> CommunitySettings:
    check_moderator(moderator, community)
    reason = require_reason(reason)
    options, _created = CommunitySettings.objects.get_or_create(community=community)
    before = {name: getattr(options, name) for name in SETTING_NAMES}
    options.premoderation = premoderation
    options.new_member_held_posts = new_member_held_posts
    options.new_member_topics_per_day = new_member_topics_per_day
    options.new_member_replies_per_day = new_member_replies_per_day
    options.full_clean()
    options.save()
    record(
        actor=moderator,
        organisation_id=community.organisation_id,
        community=community,
        action=AuditAction.SETTINGS,
        reason=reason,
        detail=f"{premoderation}, {new_member_held_posts}, {new_member_topics_per_day}, "
        f"{new_member_replies_per_day}",
        before=before,
        after={name: getattr(options, name) for name in SETTING_NAMES},
    )
    return options
