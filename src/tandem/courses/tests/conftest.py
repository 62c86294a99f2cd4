"""Course fixtures: a facilitator, a mixed course starting next week, and helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.courses import services
from tandem.courses.models import Course
from tandem.courses.services import Schedule
from tandem.forum.models import Audience
from tandem.moderation.models import CommunitySettings, PreModeration


def schedule(
    *,
    opening_at: datetime | None = None,
    capacity: int = 10,
    needs_approval: bool = False,
    audience: str = Audience.MIXED,
    moderation: str = PreModeration.NONE,
    days: int = 7,
    title: str = "Living with voices",
) -> Schedule:
    opening = opening_at or timezone.now() + timedelta(days=7)
    return Schedule(
        title=title,
        purpose="A week together.",
        audience=audience,
        capacity=capacity,
        needs_approval=needs_approval,
        moderation=moderation,
        opening_at=opening,
        opening_link="https://meet.example.org/open",
        closing_at=opening + timedelta(days=days),
        closing_link="https://meet.example.org/close",
        discussion_days=days,
    )


@pytest.fixture
def facilitator(make_member: Callable[..., User]) -> User:
    return make_member(Role.FACILITATOR, pseudonym="Fay", email="fay@example.org")


@pytest.fixture
def make_course(facilitator: User, organisation: Organisation) -> Callable[..., Course]:
    def make(**fields: object) -> Course:
        course = services.create_course(
            facilitator=facilitator,
            organisation=organisation,
            schedule=schedule(**fields),  # type: ignore[arg-type]
        )
        # Tests post freely: the limits are moderation's to test.
        CommunitySettings.objects.filter(community=course.board).update(
            new_member_topics_per_day=1000,
            new_member_replies_per_day=1000,
            topics_per_hour=1000,
            replies_per_hour=1000,
        )
        return course

    return make


@pytest.fixture
def course(make_course: Callable[..., Course]) -> Course:
    return make_course()
