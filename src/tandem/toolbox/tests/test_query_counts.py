"""Every toolbox page runs the same number of SQL queries with 5 items as with 200."""

from __future__ import annotations

from datetime import timedelta
from itertools import cycle

import pytest
import time_machine
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, Comment, Level, Module
from tandem.toolbox.exercises import all_exercises
from tandem.toolbox.models import (
    Activity,
    Circle,
    ExercisePractice,
    Goal,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    Quality,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    GoalFactory,
    JournalEntryFactory,
    share_with,
)

pytestmark = pytest.mark.django_db

# A page may run at most this many queries (session, user, roles, access log included).
LIMIT = 20


def _grow(
    owner: User, relationship: CareRelationship, goal: Goal, entry: JournalEntry, n: int
) -> None:
    """Add ``n`` items to every module (bulk inserts: the point is the data, not the speed)."""
    domains = cycle(LifeDomain.objects.filter(owner__isnull=True, organisation__isnull=True))
    now = timezone.now()
    today = timezone.localdate()
    StatusRating.objects.bulk_create(
        StatusRating(
            owner=owner,
            domain=next(domains),
            rating=i % 11,
            note=f"n{i}",
            recorded_at=now - timedelta(hours=i),
        )
        for i in range(n)
    )
    goals = Goal.objects.bulk_create(
        Goal(owner=owner, domain=next(domains), title=f"Goal {i}") for i in range(n)
    )
    GoalStep.objects.bulk_create(
        GoalStep(goal=g, text=f"Step {i}", position=i, done=i % 2 == 0)
        for g in goals
        for i in range(2)
    )
    Activity.objects.bulk_create(
        Activity(owner=owner, domain=goal.domain, goal=goal, description=f"Did {i}", done_on=today)
        for i in range(n)
    )
    Medication.objects.bulk_create(
        Medication(owner=owner, name=f"Med {i}", stopped_on=today if i % 2 else None)
        for i in range(n)
    )
    circles, qualities = cycle(Circle.values), cycle(Quality.values)
    NetworkMember.objects.bulk_create(
        NetworkMember(
            owner=owner, name=f"Person {i}", circle=next(circles), quality=next(qualities)
        )
        for i in range(n)
    )
    slugs = cycle(exercise.slug for exercise in all_exercises())
    ExercisePractice.objects.bulk_create(
        ExercisePractice(owner=owner, exercise=next(slugs), helped=i % 6) for i in range(n)
    )
    entries = JournalEntry.objects.bulk_create(
        JournalEntry(owner=owner, title=f"Entry {i}", body="Text") for i in range(n)
    )
    JournalShare.objects.bulk_create(
        JournalShare(entry=e, relationship=relationship) for e in entries[::2]
    )
    Comment.objects.bulk_create(
        [
            *(
                Comment(
                    owner=owner,
                    author=relationship.provider,
                    module=Module.GOALS,
                    item_id=g.pk,
                    body="Hi",
                )
                for g in [goal, *goals[:n]]
            ),
            *(
                Comment(
                    owner=owner, author=owner, module=Module.JOURNAL, item_id=entry.pk, body="Me"
                )
                for _ in range(n)
            ),
        ]
    )


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _measure(service_user: User, provider: User, paths: list[str], who: str) -> None:
    relationship = share_with(provider, service_user, *Module.values, level=Level.COMMENT)
    goal = GoalFactory.create(owner=service_user)
    entry = JournalEntryFactory.create(owner=service_user)
    JournalShare.objects.create(entry=entry, relationship=relationship)
    CrisisPlanFactory.create(owner=service_user)
    client = Client()
    client.force_login(service_user if who == "owner" else provider)
    paths = [p.format(owner=service_user.pk, goal=goal.pk, entry=entry.pk) for p in paths]
    # Every read starts a new visit, so each provider read writes its access-log line.
    with (
        time_machine.travel(timezone.now(), tick=False),
        override_settings(TANDEM_ACCESS_VISIT_MINUTES=0),
    ):
        client.get(paths[0])  # the first request stamps the session; measure after it
        _grow(service_user, relationship, goal, entry, 5)
        small = {path: _count(client, path) for path in paths}
        _grow(service_user, relationship, goal, entry, 195)
        large = {path: _count(client, path) for path in paths}
    grew = {path: (small[path], large[path]) for path in paths if small[path] != large[path]}
    assert not grew, f"queries grew with data (5 items, 200 items): {grew}"
    too_many = {path: count for path, count in large.items() if count > LIMIT}
    assert not too_many, f"more than {LIMIT} queries: {too_many}"
    print(f"\n{who} query counts:", large)  # noqa: T201 - the figures are the point


OWNER_PAGES = [
    "/toolbox/",
    "/toolbox/status/",
    "/toolbox/domains/{owner}/",
    "/toolbox/goals/",
    "/toolbox/goals/?status=all",
    "/toolbox/goals/{goal}/",
    "/toolbox/activities/",
    "/toolbox/medications/",
    "/toolbox/network/",
    "/toolbox/crisis-plan/",
    "/toolbox/crisis-plan/print/",
    "/toolbox/crisis-plan/offline/",
    "/toolbox/exercises/",
    "/toolbox/exercises/box-breathing/",
    "/toolbox/journal/",
    "/toolbox/journal/{entry}/",
]

PROVIDER_PAGES = [
    "/people/{owner}/status/",
    "/people/{owner}/goals/",
    "/people/{owner}/goals/{goal}/",
    "/people/{owner}/activities/",
    "/people/{owner}/medications/",
    "/people/{owner}/network/",
    "/people/{owner}/crisis_plan/",
    "/people/{owner}/exercises/",
    "/people/{owner}/journal/",
    "/people/{owner}/journal/{entry}/",
]


def test_owner_pages_do_not_grow_with_data(service_user: User, provider: User) -> None:
    home = LifeDomain.objects.get(key="home", owner__isnull=True, organisation__isnull=True)
    pages = [p.replace("/domains/{owner}/", f"/domains/{home.pk}/") for p in OWNER_PAGES]
    _measure(service_user, provider, pages, "owner")


def test_care_team_pages_do_not_grow_with_data(service_user: User, provider: User) -> None:
    _measure(service_user, provider, PROVIDER_PAGES, "provider")
