"""The demo courses: Fay's course next week with Pat invited, and a finished, archived one."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, UserFactory
from tandem.courses.models import Course, EnrolmentState

pytestmark = pytest.mark.django_db


@pytest.fixture
def northside() -> Organisation:
    organisation = Organisation.objects.create(name="Northside", slug="northside")
    for email, pseudonym, role, profession in (
        ("fay@demo.tandem", "Fay", Role.FACILITATOR, "Peer support worker"),
        ("pat@demo.tandem", "Pat", Role.PROVIDER, "Community mental health nurse"),
        ("alex@demo.tandem", "Otter", Role.SERVICE_USER, ""),
        ("sam@demo.tandem", "Skylark", Role.SERVICE_USER, ""),
    ):
        user = UserFactory.create(email=email, pseudonym=pseudonym, profession=profession)
        MembershipFactory.create(user=user, organisation=organisation, role=role)
    return organisation


def test_the_demo_courses_are_made_once(northside: Organisation) -> None:
    for _ in range(2):
        call_command("seed_courses_demo", stdout=io.StringIO())
    voices = Course.objects.get(title="Living with voices: a week together")
    assert voices.opening_at > timezone.now()
    assert voices.opening_at - timezone.now() <= timedelta(days=8)
    assert [f.pseudonym for f in voices.facilitators.all()] == ["Fay"]
    assert voices.topics.count() == 7
    pat = User.objects.get(pseudonym="Pat")
    assert voices.enrolments.get(user=pat).state == EnrolmentState.INVITED
    assert list(voices.topics.get(day=1).invited.all()) == [pat]
    finished = Course.objects.get(title="Sleep and routines: a week together")
    assert finished.has_ended(timezone.now())
    assert finished.board is not None and finished.board.is_locked
    assert finished.topics.filter(forum_topic__isnull=False).count() == 3
    assert Course.objects.count() == 2


def test_the_demo_refuses_without_the_organisation(db: None, settings: object) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_courses_demo", stdout=io.StringIO())
