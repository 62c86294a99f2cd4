"""The "export ready" email is written in its recipient's language (accounts.language)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext

from tandem.accounts.models import Organisation, Role, User
from tandem.datarights.models import DataExport, ExportStatus
from tandem.datarights.services.exports import build_export

pytestmark = pytest.mark.django_db

SUBJECT = "Something new in Tandem"
BODY = "Hello,\n\nWhat you asked for in Tandem is ready. Log in to Tandem to see it.\n"


def _in(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def test_the_catalogue_has_the_norwegian_words_these_tests_compare_with() -> None:
    assert _in("nb", SUBJECT) != SUBJECT
    assert _in("nb", BODY) != BODY


@pytest.mark.parametrize(
    ("own", "organisation_default", "expected"),
    [("nb", "en", "nb"), ("", "nb", "nb"), ("en", "nb", "en"), ("", "en", "en")],
)
def test_export_ready_email_is_in_the_persons_language(
    organisation: Organisation,
    make_member: Callable[..., User],
    own: str,
    organisation_default: str,
    expected: str,
) -> None:
    organisation.default_language = organisation_default
    organisation.save(update_fields=["default_language"])
    person = make_member(Role.SERVICE_USER, language=own)
    export = DataExport.objects.create(user=person)
    # The worker's own language (here the opposite one) must not decide.
    with translation.override("en" if expected == "nb" else "nb"):
        assert build_export(export_id=str(export.pk))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    sent = mail.outbox[-1]
    assert sent.to == [person.email]
    assert sent.subject == _in(expected, SUBJECT)
    assert sent.body == _in(expected, BODY)
