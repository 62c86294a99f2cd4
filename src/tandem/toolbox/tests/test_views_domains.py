"""The toolbox through the test client: the control panel, status ratings and life domains (the person's and the organisation's)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import Organisation, User
from tandem.toolbox.models import (
    LifeDomain,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    GoalStepFactory,
    StatusRatingFactory,
    default_domain,
)

pytestmark = pytest.mark.django_db


# --- Control panel and status ----------------------------------------------------------------


def test_the_control_panel_shows_status_process_and_goals_per_domain(
    owner_client: Client, service_user: User
) -> None:
    home = default_domain("home")
    StatusRatingFactory.create(owner=service_user, domain=home, rating=4)
    StatusRatingFactory.create(owner=service_user, domain=home, rating=6)
    goal = GoalFactory.create(owner=service_user, domain=home, title="Paint the kitchen")
    GoalStepFactory.create(goal=goal, done=True)
    GoalStepFactory.create(goal=goal)
    ActivityFactory.create(owner=service_user, domain=home, description="Bought paint")
    GoalFactory.create(owner=service_user, domain=home, title="Old plan", status="dropped")
    response = owner_client.get("/toolbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paint the kitchen" in html
    assert "50 % done" in html
    assert "Bought paint" in html
    assert "up from" in html
    assert "Old plan" not in html
    assert 'role="img"' in html  # the chart, with its title and description
    assert "Money" in html


def test_rating_a_domain_saves_it_and_returns_to_the_page(
    owner_client: Client, service_user: User
) -> None:
    money = default_domain("money")
    response = owner_client.post(
        "/toolbox/status/", {"domain": money.pk, "rating": "7", "note": "Paid a bill"}
    )
    assert response.status_code == 302
    rating = StatusRating.objects.get(owner=service_user)
    assert (rating.domain, rating.rating, rating.note) == (money, 7, "Paid a bill")


@pytest.mark.parametrize("rating", ["11", "-1", "seven", ""])
def test_a_bad_rating_is_refused_and_what_was_typed_is_kept(
    owner_client: Client, rating: str
) -> None:
    response = owner_client.post(
        "/toolbox/status/",
        {"domain": default_domain().pk, "rating": rating, "note": "Keep this note"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Keep this note" in html
    assert not StatusRating.objects.exists()


def test_an_over_long_note_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/status/", {"domain": default_domain().pk, "rating": "5", "note": "x" * 501}
    )
    assert response.status_code == 400
    assert b"at most 500 characters" in response.content


def test_rating_from_a_domain_page(owner_client: Client, service_user: User) -> None:
    leisure = default_domain("leisure")
    response = owner_client.post(f"/toolbox/domains/{leisure.pk}/", {"rating": "9"})
    assert response.status_code == 302
    assert StatusRating.objects.get(owner=service_user).domain == leisure
    assert owner_client.get(f"/toolbox/domains/{leisure.pk}/").status_code == 200


def test_a_person_adds_a_life_domain_of_their_own(owner_client: Client, service_user: User) -> None:
    response = owner_client.post("/toolbox/domains/", {"name": "Music"})
    assert response.status_code == 302
    domain = LifeDomain.objects.get(owner=service_user)
    assert "Music" in owner_client.get("/toolbox/").content.decode()
    duplicate = owner_client.post("/toolbox/domains/", {"name": "music"})
    assert duplicate.status_code == 400
    assert owner_client.post(f"/toolbox/domains/{domain.pk}/remove/").status_code == 302
    domain.refresh_from_db()
    assert domain.archived_at is not None


def test_a_rating_can_be_deleted(owner_client: Client, service_user: User) -> None:
    rating = StatusRatingFactory.create(owner=service_user)
    assert owner_client.post(f"/toolbox/status/{rating.pk}/delete/").status_code == 302
    assert not StatusRating.objects.exists()


# --- The organisation's domains --------------------------------------------------------------


def test_an_admin_changes_the_organisations_life_domains(
    org_admin: User, organisation: Organisation, service_user: User, owner_client: Client
) -> None:
    admin = Client()
    admin.force_login(org_admin)
    path = f"/toolbox/organisations/{organisation.pk}/domains/"
    assert admin.get(path).status_code == 200
    admin.post(path, {"action": "hide", "domain": default_domain("money").pk})
    admin.post(path, {"action": "add", "name": "Housing"})
    bad = admin.post(path, {"action": "add", "name": ""})
    assert bad.status_code == 400
    html = owner_client.get("/toolbox/").content.decode()
    assert "Housing" in html
    assert ">Money<" not in html
    assert owner_client.get(path).status_code == 404
