from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tandem.forum.management.commands.seed_forum_demo import WELCOME_TITLE
from tandem.forum.models import ModerationState, Topic
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    CommunitySettings,
    EscalationContact,
    ModeratorDuty,
    WatchedWord,
)

pytestmark = pytest.mark.django_db


def test_the_demo_seed_puts_mo_on_duty_and_can_run_twice() -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_forum_demo", verbosity=0)
    call_command("seed_moderation_demo", verbosity=0)
    call_command("seed_moderation_demo", verbosity=0)
    duty = ModeratorDuty.objects.get()
    assert duty.on_duty and duty.user.pseudonym == "Mo"
    demo = CommunitySettings.objects.get(community__slug="young-people")
    assert demo.premoderation == "none"
    assert WatchedWord.objects.count() == 1
    assert [c.user.pseudonym for c in EscalationContact.objects.all()] == ["Pat"]


def test_the_demo_welcome_topic_is_published() -> None:
    """New members must not land in an empty community: the welcome topic, held by
    pre-moderation when seed_forum_demo wrote it, is approved (and audited) by Mo."""
    call_command("seed_demo", verbosity=0)  # runs the forum's seed, then moderation's
    welcome = Topic.objects.get(title=WELCOME_TITLE)
    assert not welcome.is_held
    assert welcome.posts.get().moderation_state == ModerationState.VISIBLE
    assert AuditEntry.objects.filter(action=AuditAction.APPROVE, actor__pseudonym="Mo").exists()


def test_the_demo_seed_needs_the_other_seeds_first() -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_moderation_demo", verbosity=0)


@override_settings(TANDEM_ENV="prod")
def test_the_demo_seed_refuses_in_production() -> None:
    with pytest.raises(CommandError, match="prod"):
        call_command("seed_moderation_demo", verbosity=0)
