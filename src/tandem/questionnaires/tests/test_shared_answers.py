"""A provider with a view grant opens one response's answers: a page of its own, written to the
person's access log as a read of that response, behind the full gate matrix."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.care.access_log import lines_for_owner
from tandem.care.models import AccessLogEntry, Grant, Level, Module, SecurityEvent
from tandem.conftest import login_client
from tandem.questionnaires.access_log import RESPONSE
from tandem.questionnaires.models import Response
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.tests.factories import share_with

pytestmark = pytest.mark.django_db

MARCH_3 = datetime(2026, 3, 3, 10, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def answered(service_user: User) -> Response:
    answers = {str(n): 0 for n in range(1, 10)} | {"2": 3, "10": 1}
    return make_response(service_user, "phq9", answers, submitted_at=MARCH_3)


def _path(response: Response) -> str:
    return f"/people/{response.owner_id}/questionnaires/responses/{response.pk}/"


def test_a_provider_with_view_opens_the_answers_and_the_opening_is_logged_by_name(
    answered: Response, service_user: User, provider: User, logged_in: Callable[[User], Client]
) -> None:
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    client = logged_in(provider)
    trends = client.get(f"/people/{service_user.pk}/questionnaires/").content.decode()
    assert _path(answered) in trends  # the table links to each response's answers
    assert "Feeling down, depressed, or hopeless" not in trends  # but shows none
    page = client.get(_path(answered))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Feeling down, depressed, or hopeless" in html and "Nearly every day (3)" in html
    assert "Somewhat difficult (1)" in html and "3 / 27" in html
    opened = AccessLogEntry.objects.get(item_kind=RESPONSE)
    assert (opened.owner, opened.viewer, opened.item_id) == (service_user, provider, answered.pk)
    (line,) = [
        line.sentence
        for line in lines_for_owner(service_user, AccessLogEntry.objects.filter(pk=opened.pk))
    ]
    assert "viewed your answers to PHQ-9 of 3 Mar 2026" in line


def test_another_persons_response_or_a_draft_is_404_under_the_persons_address(
    answered: Response,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    logged_in: Callable[[User], Client],
) -> None:
    share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
    someone_else = make_response(make_member(Role.SERVICE_USER), "phq9")
    draft = make_response(service_user, "gad7")
    Response.objects.filter(pk=draft.pk).update(submitted_at=None)
    client = logged_in(provider)
    base = f"/people/{service_user.pk}/questionnaires/responses/"
    for response_id in (someone_else.pk, draft.pk, 999999):
        assert client.get(f"{base}{response_id}/").status_code == 404
    assert not AccessLogEntry.objects.filter(item_kind=RESPONSE).exists()


@pytest.mark.parametrize(
    "who",
    [
        "owner",
        "other",
        "provider_with",
        "provider_without",
        "after_revoke",
        "moderator",
        "researcher",
        "anonymous",
    ],
)
def test_opening_the_answers_gate_matrix(
    who: str,
    answered: Response,
    service_user: User,
    provider: User,
    make_member: Callable[..., User],
    client_factory: Callable[[], Client],
) -> None:
    client = client_factory()
    path = _path(answered)
    if who == "anonymous":
        assert client.get(path).status_code == 302
        return
    if who == "owner":
        assert login_client(client, service_user).get(path).status_code == 200
        assert not AccessLogEntry.objects.exists()
        return
    if who in ("provider_with", "after_revoke"):
        share_with(provider, service_user, Module.QUESTIONNAIRES, level=Level.VIEW)
        login_client(client, provider)
        if who == "provider_with":
            assert client.get(path).status_code == 200
            assert AccessLogEntry.objects.filter(item_kind=RESPONSE).count() == 1
            return
        Grant.objects.filter(relationship__provider=provider).update(level=Level.NONE)
    elif who == "provider_without":
        share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
        login_client(client, provider)
    else:
        role = {
            "other": Role.SERVICE_USER,
            "moderator": Role.MODERATOR,
            "researcher": Role.RESEARCHER,
        }[who]
        login_client(client, make_member(role, totp=role != Role.SERVICE_USER))
    assert client.get(path).status_code == 404
    assert not AccessLogEntry.objects.exists()
    if who in ("provider_without", "after_revoke"):
        # A provider refused is a security event (a researcher is fenced off before any gate).
        assert SecurityEvent.objects.filter(what=Module.QUESTIONNAIRES).count() == 1
