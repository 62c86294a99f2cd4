"""Deletes ask first (a GET page whose button POSTs, so no JavaScript is needed), and the
small rows (ratings, steps, activities, people on the map) can be brought back for 10 minutes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox import selectors, services
from tandem.toolbox.models import Activity, GoalStep, NetworkMember, StatusRating
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    GoalStepFactory,
    NetworkMemberFactory,
    StatusRatingFactory,
)

pytestmark = pytest.mark.django_db


def _rows(owner: User) -> dict[str, tuple[Any, str, str]]:
    goal = GoalFactory.create(owner=owner)
    return {
        "rating": (StatusRatingFactory.create(owner=owner), "rating-delete", "rating_id"),
        "step": (GoalStepFactory.create(goal=goal, text="Call Jo"), "step-delete", "step_id"),
        "activity": (
            ActivityFactory.create(owner=owner, description="Walked"),
            "activity-delete",
            "activity_id",
        ),
        "person": (
            NetworkMemberFactory.create(owner=owner, name="Aunt May"),
            "network-delete",
            "member_id",
        ),
    }


@pytest.mark.parametrize("kind", ["rating", "step", "activity", "person"])
def test_a_delete_asks_first_then_deletes_and_can_be_undone(
    owner_client: Client, service_user: User, kind: str
) -> None:
    row, url_name, arg = _rows(service_user)[kind]
    url = reverse(f"toolbox:{url_name}", kwargs={arg: row.pk})
    model = type(row)

    asked = owner_client.get(url)
    assert asked.status_code == 200
    assert b'class="confirmation confirmation-danger"' in asked.content
    assert b'method="post"' in asked.content
    assert model.objects.filter(pk=row.pk).exists()  # asking deleted nothing

    done = owner_client.post(url)
    assert done.status_code == 302
    assert done["Location"] == f"/toolbox/deleted/{kind}/{row.pk}/"
    assert not model.objects.filter(pk=row.pk).exists()

    page = owner_client.get(done["Location"])
    assert page.status_code == 200
    assert b"Undo" in page.content

    undone = owner_client.post(f"/toolbox/deleted/{kind}/{row.pk}/undo/")
    assert undone.status_code == 302
    assert model.objects.filter(pk=row.pk).exists()


def test_the_list_pages_link_to_the_confirmation_instead_of_deleting(
    owner_client: Client, service_user: User
) -> None:
    rows = _rows(service_user)
    rating = rows["rating"][0]
    status = owner_client.get("/toolbox/status/").content.decode()
    assert f'href="/toolbox/status/{rating.pk}/delete/"' in status
    assert f'action="/toolbox/status/{rating.pk}/delete/"' not in status
    network = owner_client.get("/toolbox/network/").content.decode()
    assert f'href="/toolbox/network/{rows["person"][0].pk}/delete/"' in network


def test_a_deleted_row_is_hidden_from_the_owner_and_the_care_team(
    owner_client: Client, service_user: User
) -> None:
    member = NetworkMemberFactory.create(owner=service_user, name="Aunt May")
    services.delete_network_member(owner=service_user, member=member)
    assert b"Aunt May" not in owner_client.get("/toolbox/network/").content
    assert NetworkMember.all_objects.filter(pk=member.pk).exists()  # kept for the undo


def test_undo_is_refused_after_ten_minutes_and_the_row_is_purged(
    owner_client: Client, service_user: User
) -> None:
    activity = ActivityFactory.create(owner=service_user)
    services.delete_activity(owner=service_user, activity=activity)
    Activity.all_objects.filter(pk=activity.pk).update(
        deleted_at=timezone.now() - timedelta(minutes=11)
    )
    gone = owner_client.post(f"/toolbox/deleted/activity/{activity.pk}/undo/")
    assert gone.status_code == 404
    assert b"can no longer be undone" in gone.content
    assert owner_client.get(f"/toolbox/deleted/activity/{activity.pk}/").status_code == 404
    assert services.purge_deleted() == 1
    assert not Activity.all_objects.filter(pk=activity.pk).exists()


def test_nobody_else_can_undo_or_see_what_was_deleted(service_user: User, make_member: Any) -> None:
    rating = StatusRatingFactory.create(owner=service_user, note="private")
    services.delete_status_rating(owner=service_user, rating=rating)
    other = Client()
    other.force_login(make_member())
    assert other.get(f"/toolbox/deleted/rating/{rating.pk}/").status_code == 404
    assert other.post(f"/toolbox/deleted/rating/{rating.pk}/undo/").status_code == 404
    assert StatusRating.objects.filter(pk=rating.pk).count() == 0


def test_an_unknown_kind_is_a_404(owner_client: Client) -> None:
    assert owner_client.post("/toolbox/deleted/goal/1/undo/").status_code == 404


def test_a_deleted_step_no_longer_counts_towards_progress(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    done = GoalStepFactory.create(goal=goal, done=True)
    GoalStepFactory.create(goal=goal, done=False)
    services.delete_step(owner=service_user, step=GoalStep.objects.exclude(pk=done.pk).get())
    (listed,) = [g for g in selectors.goals_for_owner(service_user) if g.pk == goal.pk]
    assert listed.progress == 100


def test_the_purge_command_removes_only_rows_past_their_window(service_user: User) -> None:
    old, recent = ActivityFactory.create_batch(2, owner=service_user)
    services.delete_activity(owner=service_user, activity=old)
    Activity.all_objects.filter(pk=old.pk).update(deleted_at=timezone.now() - timedelta(minutes=11))
    services.delete_activity(owner=service_user, activity=recent)
    call_command("purge_deleted_toolbox_items")
    assert list(Activity.all_objects.values_list("pk", flat=True)) == [recent.pk]
