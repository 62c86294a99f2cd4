"""Emails from accounts are written in the recipient's language: the invitation in the
organisation's language for new people, allauth's emails (password reset) in the person's own
language, else their organisation's default (accounts.language)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.conf import LazySettings
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tandem.accounts.language import language_for, language_for_email
from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tandem.conftest import login_client

pytestmark = pytest.mark.django_db

CASES = [("nb", "en", "nb"), ("", "nb", "nb"), ("en", "nb", "en"), ("", "en", "en")]
INVITATION_SUBJECT = "You are invited to join %(org)s on Tandem"
INVITATION_BODY = (
    "Hello,\n\n%(org)s has invited you to join Tandem as: %(role)s.\n\n"
    "To create your account, open this link within %(days)s days:\n%(accept_url)s\n\n"
    "If you were not expecting this email, you can ignore it."
)
# allauth's own words (its catalogue has bokmål).
RESET_SUBJECT = "Password Reset Email"
RESET_BODY = (
    "You're receiving this email because you or someone else has requested a password reset "
    "for your user account.\nIt can be safely ignored if you did not request a password reset. "
    "Click the link below to reset your password."
)
UNKNOWN_SUBJECT = "Unknown Account"


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def _other(language: str) -> str:
    return "en" if language == "nb" else "nb"


def _set_default(organisation: Organisation, language: str) -> None:
    organisation.default_language = language
    organisation.save(update_fields=["default_language"])


def test_the_catalogues_have_the_norwegian_words_these_tests_compare_with() -> None:
    for msgid in (INVITATION_SUBJECT, INVITATION_BODY, RESET_SUBJECT, RESET_BODY):
        assert _in("nb", msgid) != msgid


# --- The language module ------------------------------------------------------------------------


@pytest.mark.parametrize(("own", "organisation_default", "expected"), CASES)
def test_language_for_is_the_persons_choice_else_their_organisations(
    organisation: Organisation,
    make_member: Callable[..., User],
    own: str,
    organisation_default: str,
    expected: str,
) -> None:
    _set_default(organisation, organisation_default)
    person = make_member(Role.SERVICE_USER, language=own)
    assert language_for(person) == expected
    assert language_for_email(person.email.upper()) == expected


def test_a_person_in_no_organisation_who_chose_nothing_gets_the_sites_language(
    settings: LazySettings,
) -> None:
    settings.LANGUAGE_CODE = "nb"
    assert language_for(UserFactory.create(language="")) == "nb"
    settings.LANGUAGE_CODE = "en"
    assert language_for(UserFactory.create(language="")) == "en"


def test_the_first_organisation_decides_for_a_person_in_several(
    organisation: Organisation, make_member: Callable[..., User]
) -> None:
    _set_default(organisation, "nb")
    person = make_member(Role.SERVICE_USER, language="")
    MembershipFactory.create(
        user=person, organisation=OrganisationFactory.create(default_language="en")
    )
    assert language_for(person) == "nb"


def test_another_address_of_an_account_gets_that_persons_language(
    make_member: Callable[..., User],
) -> None:
    person = make_member(Role.SERVICE_USER, language="nb")
    EmailAddress.objects.create(user=person, email="second@example.org", verified=False)
    assert language_for_email("second@example.org") == "nb"


def test_an_address_without_an_account_gets_the_organisations_else_the_sites_language(
    settings: LazySettings,
) -> None:
    settings.LANGUAGE_CODE = "en"
    norwegian = OrganisationFactory.create(default_language="nb")
    assert language_for_email("nobody@example.org", norwegian) == "nb"
    assert language_for_email("nobody@example.org") == "en"
    assert language_for_email("") == "en"


# --- The invitation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("admin_language", "organisation_default"), [("en", "nb"), ("nb", "en")])
def test_invitation_is_in_the_organisations_language_not_the_admins(
    client: Client,
    org_admin: User,
    organisation: Organisation,
    admin_language: str,
    organisation_default: str,
) -> None:
    _set_default(organisation, organisation_default)
    org_admin.language = admin_language
    org_admin.save(update_fields=["language"])
    login_client(client, org_admin)
    response = client.post(
        f"/organisations/{organisation.pk}/members/",
        {"email": "newcomer@example.org", "role": Role.PROVIDER, "profession": "Nurse"},
        headers={"Accept-Language": admin_language},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert message.subject == _in(organisation_default, INVITATION_SUBJECT) % {
        "org": organisation.name
    }
    accept_url = message.body.split("\n")[5]
    assert accept_url.startswith("http://testserver/invitations/accept/")
    with translation.override(organisation_default):
        role = str(Role.PROVIDER.label)
    assert message.body.strip() == _in(organisation_default, INVITATION_BODY) % {
        "org": organisation.name,
        "role": role,
        "days": django_settings.TANDEM_INVITATION_DAYS,
        "accept_url": accept_url,
    }


# --- allauth's emails ---------------------------------------------------------------------------


@pytest.mark.parametrize(("own", "organisation_default", "expected"), CASES)
def test_password_reset_email_is_in_the_persons_language_not_the_requesters(
    client: Client,
    organisation: Organisation,
    make_member: Callable[..., User],
    own: str,
    organisation_default: str,
    expected: str,
) -> None:
    _set_default(organisation, organisation_default)
    person = make_member(Role.SERVICE_USER, language=own)
    response = client.post(
        "/accounts/password/reset/",
        {"email": person.email},
        headers={"Accept-Language": _other(expected)},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.subject == "[Tandem] " + _in(expected, RESET_SUBJECT)
    assert _in(expected, RESET_BODY) in message.body


@pytest.mark.parametrize("site_language", ["en", "nb"])
def test_reset_email_for_an_address_without_account_is_in_the_sites_language(
    client: Client, settings: LazySettings, site_language: str
) -> None:
    settings.LANGUAGE_CODE = site_language
    assert _in("nb", UNKNOWN_SUBJECT) != UNKNOWN_SUBJECT
    response = client.post(
        "/accounts/password/reset/",
        {"email": "nobody@example.org"},
        headers={"Accept-Language": _other(site_language)},
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["nobody@example.org"]
    assert message.subject == "[Tandem] " + _in(site_language, UNKNOWN_SUBJECT)
