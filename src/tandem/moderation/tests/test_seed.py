from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tandem.moderation.models import (
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
    assert CommunitySettings.objects.get().premoderation == "none"
    assert WatchedWord.objects.count() == 1
    assert [c.user.pseudonym for c in EscalationContact.objects.all()] == ["Pat"]


def test_the_demo_seed_needs_the_other_seeds_first() -> None:
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("seed_moderation_demo", verbosity=0)


@override_settings(TANDEM_ENV="prod")
def test_the_demo_seed_refuses_in_production() -> None:
    with pytest.raises(CommandError, match="prod"):
        call_command("seed_moderation_demo", verbosity=0)
