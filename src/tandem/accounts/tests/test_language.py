"""The language a person reads Tandem in: their own choice, else their browser's, else the
site's; the organisation's default for new people; bad choices refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from tandem.accounts import services
from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db


def lang_of(client: Client, path: str = "/account/", **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    lang = response["Content-Language"]
    assert f'<html lang="{lang}">' in response.content.decode()
    return response["Content-Language"]


def test_the_persons_choice_wins_over_the_browser_and_empty_follows_it(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    assert lang_of(client) == "en"
    assert lang_of(client, **{"Accept-Language": "nb-NO,nb;q=0.9"}) == "nb"
    saved = client.post("/account/language/", {"language": "nb"})
    assert saved.status_code == 302
    assert saved.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"
    service_user.refresh_from_db()
    assert service_user.language == "nb"
    assert lang_of(client, **{"Accept-Language": "en-GB,en;q=0.9"}) == "nb"
    client.post("/account/language/", {"language": "en"})
    assert lang_of(client, **{"Accept-Language": "nb"}) == "en"
    followed = client.post("/account/language/", {"language": ""})
    assert followed.status_code == 302
    service_user.refresh_from_db()
    assert service_user.language == ""
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    assert lang_of(client, **{"Accept-Language": "nb"}) == "nb"
    assert lang_of(client, **{"Accept-Language": "de"}) == "en"


def test_an_unknown_language_is_refused_clearly(
    service_user: User, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(service_user)
    refused = client.post("/account/language/", {"language": "xx"})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    service_user.refresh_from_db()
    assert service_user.language == ""
    assert client.get("/account/language/").status_code == 405


def test_new_people_start_in_the_organisations_language(
    org_admin: User, organisation: Organisation, logged_in: Callable[[User], Client]
) -> None:
    client = logged_in(org_admin)
    page = client.get(f"/organisations/{organisation.pk}/settings/")
    assert page.status_code == 200 and "Language for new people" in page.content.decode()
    saved = client.post(f"/organisations/{organisation.pk}/language/", {"default_language": "nb"})
    assert saved.status_code == 302
    organisation.refresh_from_db()
    assert organisation.default_language == "nb"
    issued = services.invite_member(
        actor=org_admin, organisation=organisation, email="ny@example.org", role=Role.SERVICE_USER
    )
    newcomer = services.accept_invitation(
        token=issued.token, password="a long pass phrase 42", pseudonym="Ny"
    )
    assert newcomer.language == "nb"
    bad = client.post(f"/organisations/{organisation.pk}/language/", {"default_language": "xx"})
    assert bad.status_code == 400


def test_only_the_organisations_admins_set_its_language(
    organisation: Organisation,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    other_org = OrganisationFactory.create()
    for role in (Role.SERVICE_USER, Role.PROVIDER, Role.MODERATOR):
        client = login_client(client_factory(), make_member(role, totp=role != Role.SERVICE_USER))
        answer = client.post(
            f"/organisations/{organisation.pk}/language/", {"default_language": "nb"}
        )
        assert answer.status_code == 404, role
    admin = make_member(Role.ORG_ADMIN, totp=True)
    client = login_client(client_factory(), admin)
    assert (
        client.post(
            f"/organisations/{other_org.pk}/language/", {"default_language": "nb"}
        ).status_code
        == 404
    )
    organisation.refresh_from_db()
    other_org.refresh_from_db()
    assert organisation.default_language == other_org.default_language == "en"
