"""The content-free notification email and the daily digest are written in the recipient's
language: their own choice, else their organisation's default (accounts.language)."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext

from tandem.accounts.models import Organisation, Role, User
from tandem.notifications import services
from tandem.notifications.models import EmailFrequency

pytestmark = pytest.mark.django_db

SUBJECT = "Something new in Tandem"
BODY = (
    "Hello,\n\nThere is something new for you in Tandem. Log in to Tandem to see it.\n\n"
    "You can turn these emails off in Tandem under Notifications, then Email settings."
)
CASES = [("nb", "en", "nb"), ("", "nb", "nb"), ("en", "nb", "en"), ("", "en", "en")]


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def _person(
    organisation: Organisation, make_member: Callable[..., User], own: str, default: str
) -> User:
    organisation.default_language = default
    organisation.save(update_fields=["default_language"])
    person: User = make_member(Role.SERVICE_USER, language=own)
    return person


def _notify(person: User, expected: str, capture: Callable[..., object]) -> None:
    # The request that causes the email speaks the other language: it must not decide.
    other = "en" if expected == "nb" else "nb"
    with translation.override(other), capture(execute=True):  # type: ignore[attr-defined]
        services.notify(recipient=person, kind="test", url="/", title="Hello")


def test_the_catalogue_has_the_norwegian_words_these_tests_compare_with() -> None:
    assert _in("nb", SUBJECT) != SUBJECT
    assert _in("nb", BODY) != BODY


@pytest.mark.parametrize(("own", "organisation_default", "expected"), CASES)
def test_notification_email_is_in_the_persons_language(
    organisation: Organisation,
    make_member: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., object],
    own: str,
    organisation_default: str,
    expected: str,
) -> None:
    person = _person(organisation, make_member, own, organisation_default)
    _notify(person, expected, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert mail.outbox[0].subject == _in(expected, SUBJECT)
    assert mail.outbox[0].body == _in(expected, BODY)


@pytest.mark.parametrize(("own", "organisation_default", "expected"), CASES)
def test_daily_digest_is_in_the_persons_language(
    organisation: Organisation,
    make_member: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., object],
    own: str,
    organisation_default: str,
    expected: str,
) -> None:
    person = _person(organisation, make_member, own, organisation_default)
    services.set_email_preference(user=person, frequency=EmailFrequency.DAILY)
    _notify(person, expected, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with translation.override("en" if expected == "nb" else "nb"):
        call_command("send_digests", stdout=StringIO())
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == _in(expected, SUBJECT)
    assert mail.outbox[0].body == _in(expected, BODY)


def test_each_person_in_one_digest_run_gets_their_own_language(
    organisation: Organisation,
    make_member: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    norwegian = make_member(Role.SERVICE_USER, language="nb")
    english = make_member(Role.SERVICE_USER, language="en")
    for person in (norwegian, english):
        services.set_email_preference(user=person, frequency=EmailFrequency.DAILY)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            services.notify(recipient=person, kind="test", url="/", title="Hello")
    call_command("send_digests", stdout=StringIO())
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {norwegian.email: _in("nb", SUBJECT), english.email: _in("en", SUBJECT)}
