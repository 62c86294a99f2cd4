"""Who counts as what: the small predicates other apps ask before offering something."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from tandem.accounts.access import is_provider, is_verified_provider
from tandem.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def test_is_provider_counts_any_provider_membership_and_nothing_else(
    make_member: Callable[..., User], provider: User, service_user: User
) -> None:
    unverified = make_member(Role.PROVIDER)
    Membership.objects.filter(user=unverified).update(verified_at=None)
    moderator = make_member(Role.MODERATOR)

    assert is_provider(provider) and is_verified_provider(provider)
    assert is_provider(unverified) and not is_verified_provider(unverified)
    assert not is_provider(service_user)
    assert not is_provider(moderator)
    assert not is_provider(AnonymousUser())
    provider.is_active = False
    assert not is_provider(provider)
