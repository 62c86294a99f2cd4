"""The notifications of a person's ask follow the ask (issue 24): the provider's "asked you"
is shown only while the ask waits for him (scope ``care.ask``); withdrawn, accepted or
declined, it leaves his list, his badge and his email; her answers stay. The scope costs one
query per page while he has asks, never one per ask."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.care.models import CareRelationship
from tandem.care.notify import ASK_SCOPE, RELATIONSHIP_SCOPE
from tandem.care.services import asking
from tandem.conftest import login_client
from tandem.notifications import services as notification_services
from tandem.notifications.models import EmailFrequency, Notification
from tandem.notifications.selectors import notifications_for_user, unread_count_for_user

pytestmark = pytest.mark.django_db

ASKED = "asked you to join their care team"


def _ask(service_user: User, provider: User) -> CareRelationship:
    return asking.ask_provider(service_user=service_user, provider_id=provider.pk)


def _kinds(user: User) -> list[str]:
    return [note.kind for note in notifications_for_user(user)]


def _menu(client: Client) -> str:
    """The notification list page, whose menu carries the unread badge."""
    response = client.get("/notifications/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_ask_is_scoped_to_itself_and_shown_while_it_waits(
    client_factory: Callable[[], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    note = Notification.objects.get(recipient=provider)
    assert (note.scope_type, note.scope_id) == (ASK_SCOPE, relationship.pk)
    assert _kinds(provider) == [asking.KIND_ASKED]
    assert unread_count_for_user(provider) == 1
    page = _menu(login_client(client_factory(), provider))
    assert ASKED in page
    assert '<span class="badge badge-new">1<' in page


def test_withdrawn_the_providers_notification_is_gone_from_list_badge_and_link(
    client_factory: Callable[[], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    note = Notification.objects.get(recipient=provider)
    asking.withdraw_ask(service_user=service_user, relationship=relationship)
    assert _kinds(provider) == []
    assert unread_count_for_user(provider) == 0
    pat = login_client(client_factory(), provider)
    page = _menu(pat)
    assert ASKED not in page
    assert ">Notifications</a>" in page  # no unread badge beside the menu link
    # Opening it from an old tab is "not found", not a caseload without the ask.
    assert pat.post(f"/notifications/{note.pk}/open/").status_code == 404
    assert Notification.objects.get(pk=note.pk).read_at is None
    # She was told nothing, and nothing was taken from her.
    assert _kinds(service_user) == []


def test_accepted_his_notification_is_gone_and_hers_stays(
    client_factory: Callable[[], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    asking.accept_ask(provider=provider, relationship=relationship)
    assert _kinds(provider) == []
    assert unread_count_for_user(provider) == 0
    assert ASKED not in _menu(login_client(client_factory(), provider))
    assert _kinds(service_user) == [asking.KIND_ASK_ACCEPTED]
    assert unread_count_for_user(service_user) == 1
    answer = Notification.objects.get(recipient=service_user)
    assert (answer.scope_type, answer.scope_id) == (RELATIONSHIP_SCOPE, relationship.pk)
    assert "accepted and is now in your care team" in _menu(
        login_client(client_factory(), service_user)
    )


def test_declined_his_notification_is_gone_and_hers_stays(
    client_factory: Callable[[], Client], service_user: User, provider: User
) -> None:
    relationship = _ask(service_user, provider)
    asking.decline_ask(provider=provider, relationship=relationship)
    assert _kinds(provider) == []
    assert unread_count_for_user(provider) == 0
    assert _kinds(service_user) == [asking.KIND_ASK_DECLINED]
    assert unread_count_for_user(service_user) == 1
    page = _menu(login_client(client_factory(), service_user))
    assert "declined your request to join your care team" in page
    # A new ask after the decline is told again, and only the new one is shown.
    again = _ask(service_user, provider)
    (note,) = notifications_for_user(provider)
    assert note.scope_id == again.pk


def test_a_provider_no_longer_verified_does_not_see_the_ask(
    service_user: User, provider: User
) -> None:
    # The same rule as the gate that lets him answer (asking.get_ask_for_provider).
    _ask(service_user, provider)
    provider.memberships.update(verified_at=None)
    assert _kinds(provider) == []
    assert unread_count_for_user(provider) == 0


def test_only_the_withdrawn_ask_goes(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    withdrawn = _ask(service_user, provider)
    other = make_member()
    kept = _ask(other, provider)
    asking.withdraw_ask(service_user=service_user, relationship=withdrawn)
    assert [note.scope_id for note in notifications_for_user(provider)] == [kept.pk]
    assert unread_count_for_user(provider) == 1


def test_a_daily_digest_is_not_sent_for_a_withdrawn_ask(
    service_user: User,
    provider: User,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    notification_services.set_email_preference(user=provider, frequency=EmailFrequency.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        relationship = _ask(service_user, provider)
    asking.withdraw_ask(service_user=service_user, relationship=relationship)
    mail.outbox.clear()
    call_command("send_digests", stdout=StringIO())
    assert [email.to for email in mail.outbox] == []


# --- Queries ----------------------------------------------------------------------------------


def _asks(provider: User, organisation: Organisation, count: int) -> list[CareRelationship]:
    return [
        _ask(
            MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user,
            provider,
        )
        for _ in range(count)
    ]


def _count(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_the_badge_asks_the_scope_once_whatever_the_number_of_asks(
    provider: User, organisation: Organisation
) -> None:
    _asks(provider, organisation, 2)
    with CaptureQueriesContext(connection) as small:
        assert unread_count_for_user(provider) == 2
    asks = _asks(provider, organisation, 20)
    for relationship in asks[:10]:
        asking.withdraw_ask(service_user=relationship.service_user, relationship=relationship)
    with CaptureQueriesContext(connection) as large:
        assert unread_count_for_user(provider) == 12
    # The grouped unread count, and one query for the care.ask scope.
    assert len(small) == len(large) == 2


def test_the_notification_list_queries_do_not_grow_with_asks(
    client_factory: Callable[[], Client], provider: User, organisation: Organisation
) -> None:
    client = login_client(client_factory(), provider)
    _asks(provider, organisation, 2)
    client.get("/notifications/")
    small = _count(client, "/notifications/")
    asks = _asks(provider, organisation, 20)
    for relationship in asks[:10]:
        asking.withdraw_ask(service_user=relationship.service_user, relationship=relationship)
    large = _count(client, "/notifications/")
    assert small == large, (small, large)
    assert _menu(client).count(ASKED) == 12
