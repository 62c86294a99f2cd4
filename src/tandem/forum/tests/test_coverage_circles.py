"""Circles and boundaries: the refusals the other circle tests do not reach (a person the
trust rules do not yet allow to start circles, inviting someone twice, undoing someone
else's mute)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import User
from tandem.forum import hooks, services
from tandem.forum.models import Category, Circle, CircleMember, Community, Mute
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


class _NewcomerRules:
    """Trust rules under which nobody may start a circle yet (what moderation's levels say of
    a newcomer), everything else allowed."""

    def may_mention_anyone(self, *, user: User, community: Community) -> bool:
        return True

    def may_create_circles(self, *, user: User, community: Community) -> bool:
        return False

    def level_name(self, *, user: User, community: Community) -> str | None:
        return None


@pytest.fixture
def newcomer_rules() -> Iterator[None]:
    registered = hooks.trust_rules()
    hooks.register_trust_rules(_NewcomerRules())
    yield
    hooks.register_trust_rules(registered)


@pytest.mark.usefixtures("newcomer_rules")
def test_a_person_not_yet_trusted_cannot_start_a_circle(
    member: Callable[..., User], category: Category
) -> None:
    person = member()
    with pytest.raises(ValidationError) as refused:
        services.create_circle(user=person, community=category.community, name="Quiet")
    # The refusal is on the name field, says how to get there, and creates nothing.
    assert list(refused.value.message_dict) == ["name"]
    assert "settled in" in refused.value.message_dict["name"][0]
    assert not Circle.objects.exists()
    assert not CircleMember.objects.exists()


def test_adding_someone_already_in_the_circle_is_refused_without_a_second_notice(
    member: Callable[..., User], category: Category
) -> None:
    starter, friend = member(), member(pseudonym="Heron")
    circle = services.create_circle(user=starter, community=category.community, name="Few")
    services.add_to_circle(user=starter, circle=circle, pseudonym="Heron")
    # The display name matches whatever its case, so this is the same person again.
    with pytest.raises(ValidationError) as refused:
        services.add_to_circle(user=starter, circle=circle, pseudonym=" heron ")
    assert refused.value.message_dict == {"pseudonym": ["They are already in this circle."]}
    assert CircleMember.objects.filter(circle=circle, user=friend).count() == 1
    assert Notification.objects.filter(recipient=friend, kind="forum.circle_added").count() == 1


def test_only_the_person_who_muted_can_unmute(member: Callable[..., User]) -> None:
    person, loud, other = member(), member(), member()
    mute = services.mute_person(user=person, muted=loud)
    # Muting twice keeps one mute, so one unmute undoes it.
    assert services.mute_person(user=person, muted=loud).pk == mute.pk
    with pytest.raises(PermissionDenied):
        services.unmute_person(user=other, mute=mute)
    with pytest.raises(PermissionDenied):
        services.unmute_person(user=loud, mute=mute)  # the muted person least of all
    assert Mute.objects.filter(pk=mute.pk).exists()
    services.unmute_person(user=person, mute=mute)
    assert not Mute.objects.filter(user=person).exists()
