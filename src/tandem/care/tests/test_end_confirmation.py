"""Ending a care relationship asks first, on a page that says exactly what the provider loses
and works without JavaScript (a GET page whose button POSTs)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, Level, Module, RelationshipStatus
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_service_user_is_asked_first_with_what_the_provider_loses(
    service_user: User, provider: User
) -> None:
    relationship = share_with(
        provider, service_user, Module.GOALS, Module.JOURNAL, level=Level.COMMENT
    )
    client = _client(service_user)
    url = f"/care/relationships/{relationship.pk}/end/"

    detail = client.get(f"/care/relationships/{relationship.pk}/").content.decode()
    assert f'href="{url}"' in detail  # a link to the question, not a button that ends

    asked = client.get(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "confirmation confirmation-danger" in page
    assert "Goals" in page and "Journal" in page  # each shared module, by name
    assert "can no longer reply" in page
    assert "cannot be undone" in page
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ACTIVE  # asking ended nothing

    assert client.post(url).status_code == 302
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED


def test_the_provider_is_asked_first_too(service_user: User, provider: User) -> None:
    relationship = share_with(provider, service_user, Module.STATUS)
    asked = _client(provider).get(f"/care/relationships/{relationship.pk}/end/")
    assert asked.status_code == 200
    assert "you lose" in asked.content.decode()


def test_an_ended_relationship_is_not_asked_about_again(service_user: User, provider: User) -> None:
    relationship = share_with(provider, service_user, Module.STATUS)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    response = _client(service_user).get(f"/care/relationships/{relationship.pk}/end/")
    assert response.status_code == 302


def test_someone_outside_the_relationship_gets_404(
    service_user: User, provider: User, make_member: object
) -> None:
    relationship = share_with(provider, service_user, Module.STATUS)
    stranger = make_member()  # type: ignore[operator]
    assert _client(stranger).get(f"/care/relationships/{relationship.pk}/end/").status_code == 404
