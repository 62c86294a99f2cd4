"""Forum flows through the test client: a facilitator's pinned topic, joining an age group, and
circles; real requests, then the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum.models import Category, Community
from tandem.forum.tests.conftest import make_topic
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_facilitator_pins_topic_of_the_week(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    topic = make_topic(member(), category, title="This week: sleep")
    facilitator = member(Role.FACILITATOR)
    login_client(client, facilitator)
    today = timezone.localdate()
    client.post(
        f"/topics/{topic.pk}/feature/",
        {"featured_from": today.isoformat(), "featured_until": today.isoformat()},
    )
    page = client.get(f"/communities/{category.community_id}/").content.decode()
    assert "Topic of the week" in page
    other = login_client(Client(), member())
    assert (
        other.post(
            f"/topics/{topic.pk}/feature/",
            {"featured_from": today.isoformat(), "featured_until": today.isoformat()},
        ).status_code
        == 403
    )


def test_join_asks_for_date_of_birth_for_an_age_group(
    client: Client, make_member: Callable[..., User], community: Community
) -> None:
    Community.objects.filter(pk=community.pk).update(min_age=16, max_age=25)
    person = make_member()
    login_client(client, person)
    response = client.post(f"/communities/{community.pk}/join/", {"version": "1", "accept": "on"})
    assert response.status_code == 400
    assert "we need your date of birth" in response.content.decode()
    too_old = date(timezone.localdate().year - 40, 1, 1).isoformat()
    response = client.post(
        f"/communities/{community.pk}/join/",
        {"version": "1", "accept": "on", "date_of_birth": too_old},
    )
    assert response.status_code == 400
    assert "aged 16 to 25" in response.content.decode()
    ok = date(timezone.localdate().year - 20, 1, 1).isoformat()
    response = client.post(
        f"/communities/{community.pk}/join/",
        {"version": "1", "accept": "on", "date_of_birth": ok},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.date_of_birth is not None


def test_circle_flow(client: Client, member: Callable[..., User], category: Category) -> None:
    starter = member()
    friend = member(pseudonym="Plover")
    login_client(client, starter)
    response = client.post(f"/communities/{category.community_id}/circles/", {"name": "Close"})
    assert response.status_code == 302
    circle_path = response["Location"]
    response = client.post(f"{circle_path}add/", {"pseudonym": "plover"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=friend, kind="forum.circle_added").exists()
    response = client.post(f"{circle_path}add/", {"pseudonym": "Nobody Here"})
    assert response.status_code == 400
    assert "Nobody in this community has that display name." in response.content.decode()
