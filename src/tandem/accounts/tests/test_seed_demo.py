from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.accounts.models import Membership, User
from tandem.care.access import get_owner_for_viewer
from tandem.care.models import CareRelationship, Module

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    from tandem.forum.models import Post
    from tandem.toolbox.models import Goal, JournalEntry

    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "relationships": CareRelationship.objects.count(),
        "goals": Goal.objects.count(),
        "journal": JournalEntry.objects.count(),
        "posts": Post.objects.count(),
    }


def test_seed_demo_is_idempotent_and_prints_the_logins() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    assert first["users"] == 7
    assert first["goals"] >= 3 and first["posts"] >= 1
    for email in ["sam@demo.tandem", "pat@demo.tandem", "ada@demo.tandem"]:
        assert email in out.getvalue()
    assert "tandem-demo-2026" in out.getvalue()


def test_demo_skylark_shares_some_modules_with_pat_and_not_others() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    sam = User.objects.get(email="sam@demo.tandem")
    pat = User.objects.get(email="pat@demo.tandem")
    assert get_owner_for_viewer(pat, sam.pk, Module.GOALS) == sam
    from django.http import Http404

    with pytest.raises(Http404):
        get_owner_for_viewer(pat, sam.pk, Module.MEDICATIONS)


def test_seed_demo_refuses_in_production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TANDEM_ENV = "prod"
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
