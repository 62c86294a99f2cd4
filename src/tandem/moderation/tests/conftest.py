"""Moderation fixtures: the shared organisation's community, Otter and Skylark (service users),
Mo (moderator), Ada (organisation admin) and Rita (researcher)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.accounts.models import CrisisContact, Organisation, Role, User
from tandem.forum.models import Category, Community, Topic
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation import services
from tandem.moderation.models import (
    CommunitySettings,
    EscalationContact,
    PreModeration,
    TrustOverride,
)
from tandem.moderation.trust import TrustLevel


@pytest.fixture
def community(organisation: Organisation) -> Community:
    """A community without pre-moderation, so each test switches on what it is about."""
    community = CommunityFactory.create(organisation=organisation, name="Young people")
    CommunitySettings.objects.create(community=community, premoderation=PreModeration.NONE)
    return community


@pytest.fixture
def category(community: Community) -> Category:
    return CategoryFactory.create(community=community, name="Coping")


def trusted(user: User, community: Community, level: int = TrustLevel.MEMBER) -> User:
    """Give ``user`` a trust level by hand (circles and links need one above new member)."""
    TrustOverride.objects.update_or_create(
        community=community, user=user, defaults={"level": level, "reason": "test"}
    )
    return user


@pytest.fixture
def member(make_member: Callable[..., User], community: Community) -> Callable[..., User]:
    def make(role: str = Role.SERVICE_USER, **fields: object) -> User:
        return join(make_member(role, **fields), community)

    return make


@pytest.fixture
def otter(member: Callable[..., User]) -> User:
    return member(pseudonym="Otter", email="alex@example.org", full_name="Alex Real")


@pytest.fixture
def skylark(member: Callable[..., User]) -> User:
    return member(pseudonym="Skylark", email="sam@example.org")


@pytest.fixture
def mo(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")


@pytest.fixture
def ada(make_member: Callable[..., User]) -> User:
    return make_member(Role.ORG_ADMIN, totp=True, pseudonym="Ada", email="ada@example.org")


@pytest.fixture
def rita(make_member: Callable[..., User]) -> User:
    return make_member(Role.RESEARCHER, totp=True, pseudonym="Rita", email="rita@example.org")


@pytest.fixture
def crisis_line(organisation: Organisation) -> CrisisContact:
    return CrisisContact.objects.create(
        organisation=organisation, name="Northside crisis line", phone="0800 123 4567"
    )


@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    return make_topic(skylark, category, title="Tonight", body="Anyone up?")


@pytest.fixture
def on_duty(mo: User, organisation: Organisation) -> User:
    services.set_duty(moderator=mo, organisation=organisation, on_duty=True)
    return mo


@pytest.fixture
def clinicians(make_member: Callable[..., User], organisation: Organisation) -> list[User]:
    """Two verified providers on the rota, Dana first."""
    people = [
        make_member(Role.PROVIDER, totp=True, pseudonym=name, full_name=f"{name} Clinician")
        for name in ("Dana", "Eli")
    ]
    for position, person in enumerate(people):
        EscalationContact.objects.create(organisation=organisation, user=person, position=position)
    return people
