"""The queue, an item, the dashboard, the rule statistics and the audit log run a fixed number
of queries, the same with a few items as with many."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, User
from tandem.conftest import login_client
from tandem.forum.models import Category, Community, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import services
from tandem.moderation.models import CommunitySettings, ReportReason, ReviewItem

pytestmark = pytest.mark.django_db


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def _grow(
    people: list[User], reporters: list[User], moderator: User, category: Category, n: int
) -> None:
    """Add ``n`` held posts (one reported too, one reviewed) spread over ``people``."""
    topic = make_topic(people[0], category, title=f"Topic {Post.objects.count()}")
    for i in range(n):
        post = reply(people[i % len(people)], topic, f"Call me on 07700 900{i:03d}")
        if i % 2 == 0:
            reporter = reporters[(i // 2) % len(reporters)]
            services.report_post(reporter=reporter, post=post, reason=ReportReason.HARMFUL)
        if i % 3 == 0:
            services.add_note(
                moderator=moderator, community=category.community, subject=post.author, body="note"
            )
    reviewed = ReviewItem.objects.filter(state="open").first()
    assert reviewed is not None
    services.approve_item(moderator=moderator, item=reviewed, reason="fine")


def test_moderation_pages_do_not_grow_with_the_queue(
    client: Client,
    member: Callable[..., User],
    skylark: User,
    mo: User,
    category: Category,
    community: Community,
    organisation: Organisation,
) -> None:
    CommunitySettings.objects.filter(community=community).update(
        new_member_replies_per_day=1000, replies_per_hour=1000, new_member_topics_per_day=100
    )
    people = [member(), member(), member()]
    services.set_duty(moderator=mo, organisation=organisation, on_duty=True)
    reporters = [skylark, *(member() for _ in range(3))]
    _grow(people, reporters, mo, category, 4)
    login_client(client, mo)
    item = ReviewItem.objects.filter(state="open").first()
    assert item is not None
    paths = [
        f"/moderation/communities/{community.pk}/queue/",
        f"/moderation/items/{item.pk}/",
        "/moderation/",
        f"/moderation/communities/{community.pk}/rules/",
        f"/moderation/communities/{community.pk}/people/{people[0].pk}/",
    ]
    small = {path: _count(client, path) for path in paths}
    _grow(people * 5, reporters, mo, category, 45)
    assert ReviewItem.objects.filter(state="open").count() > 40
    large = {path: _count(client, path) for path in paths}
    assert small == large
    # The item page shows the most (post in context, reasons, history, notes, sanctions,
    # messages, audit, slow mode): 21 queries at the time of writing.
    assert max(large.values()) <= 24, large


def test_the_audit_log_does_not_grow(
    client: Client,
    otter: User,
    mo: User,
    ada: User,
    community: Community,
    organisation: Organisation,
) -> None:
    login_client(client, ada)
    path = f"/moderation/organisations/{organisation.pk}/audit/"

    def grow(n: int) -> None:
        for _ in range(n):
            services.warn_person(moderator=mo, community=community, subject=otter, reason="Be kind")

    grow(3)
    small = _count(client, path)
    grow(60)
    large = _count(client, path)
    assert small == large and large <= 12
