"""Closed communities: not listed, no join page for newcomers, members added by another app
(``services.add_member`` / ``remove_member``); and who is offered "join" on the list at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum import selectors, services
from tandem.forum.models import (
    Audience,
    Category,
    Circle,
    CircleMember,
    Community,
    CommunityMember,
    JoinPolicy,
    Watch,
)
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(community: Community) -> Community:
    Community.objects.filter(pk=community.pk).update(join_policy=JoinPolicy.CLOSED)
    community.refresh_from_db()
    return community


def test_new_communities_are_open() -> None:
    assert CommunityFactory.create().join_policy == JoinPolicy.OPEN


def test_closed_community_is_not_listed_for_someone_outside_it(
    make_member: Callable[..., User], board: Community
) -> None:
    outsider = make_member()
    open_one = CommunityFactory.create(organisation=board.organisation, name="Open")
    listed = [choice.community.pk for choice in selectors.communities_for_user(outsider)]
    assert listed == [open_one.pk]


def test_closed_community_join_page_is_404_for_someone_outside_it(
    client: Client, make_member: Callable[..., User], board: Community
) -> None:
    login_client(client, make_member())
    assert client.get(f"/communities/{board.pk}/join/").status_code == 404
    response = client.post(f"/communities/{board.pk}/join/", {"version": "1", "accept": "on"})
    assert response.status_code == 404
    assert not CommunityMember.objects.filter(community=board).exists()


def test_added_member_sees_the_board_and_accepts_its_code_of_conduct_first(
    client: Client, make_member: Callable[..., User], board: Community
) -> None:
    person = make_member()
    services.add_member(community=board, user=person)
    [choice] = selectors.communities_for_user(person)
    assert choice.community == board
    assert choice.is_member
    assert choice.needs_conduct
    login_client(client, person)
    response = client.get(f"/communities/{board.pk}/")
    assert response.status_code == 302
    assert (
        response["Location"] == f"/communities/{board.pk}/join/?next=%2Fcommunities%2F{board.pk}%2F"
    )
    assert client.get(f"/communities/{board.pk}/join/").status_code == 200
    response = client.post(f"/communities/{board.pk}/join/", {"version": "1", "accept": "on"})
    assert response.status_code == 302
    assert client.get(f"/communities/{board.pk}/").status_code == 200


def test_adding_someone_already_there_keeps_their_acceptance(
    make_member: Callable[..., User], board: Community
) -> None:
    person = make_member()
    services.add_member(community=board, user=person)
    CommunityMember.objects.filter(user=person).update(accepted_conduct_version=1)
    services.add_member(community=board, user=person)
    assert CommunityMember.objects.get(user=person).accepted_conduct_version == 1


def test_add_member_keeps_the_audience_rule(
    make_member: Callable[..., User], board: Community
) -> None:
    Community.objects.filter(pk=board.pk).update(audience=Audience.PROFESSIONALS)
    board.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.add_member(community=board, user=make_member(Role.SERVICE_USER))
    assert refused.value.code == "audience"
    assert not CommunityMember.objects.exists()


def test_add_member_keeps_the_age_rule(make_member: Callable[..., User], board: Community) -> None:
    Community.objects.filter(pk=board.pk).update(max_age=17)
    board.refresh_from_db()
    adult = make_member(date_of_birth=date(timezone.localdate().year - 30, 1, 1))
    with pytest.raises(ValidationError):
        services.add_member(community=board, user=adult)
    assert not CommunityMember.objects.exists()


def test_removed_member_loses_the_board_their_circles_and_watches(
    client: Client, make_member: Callable[..., User], board: Community
) -> None:
    person = make_member()
    services.add_member(community=board, user=person)
    CommunityMember.objects.filter(user=person).update(accepted_conduct_version=1)
    category: Category = CategoryFactory.create(community=board)
    services.toggle_category_watch(user=person, category=category)
    circle = Circle.objects.create(community=board, name="Us", created_by=person)
    CircleMember.objects.create(circle=circle, user=person)
    services.remove_member(community=board, user=person)
    assert not CommunityMember.objects.filter(user=person).exists()
    assert not CircleMember.objects.filter(user=person).exists()
    assert not Watch.objects.filter(user=person).exists()
    login_client(client, person)
    assert client.get(f"/communities/{board.pk}/").status_code == 404
    assert client.get(f"/communities/{board.pk}/join/").status_code == 404
    services.remove_member(community=board, user=person)  # again: nothing to do, no error


def test_an_adult_is_not_offered_an_under_18s_community(
    client: Client, make_member: Callable[..., User], community: Community
) -> None:
    Community.objects.filter(pk=community.pk).update(max_age=17)
    adult = make_member(date_of_birth=date(timezone.localdate().year - 30, 1, 1))
    young = make_member(date_of_birth=date(timezone.localdate().year - 15, 1, 1))
    unknown = make_member()
    assert selectors.communities_for_user(adult) == []
    assert len(selectors.communities_for_user(young)) == 1
    assert len(selectors.communities_for_user(unknown)) == 1  # the join page asks
    login_client(client, adult)
    assert "/join/" not in client.get("/communities/").content.decode()
