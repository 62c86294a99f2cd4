"""Triage on the provider's caseload (care.triage, with messaging's source): unread messages,
the longest wait against the agreed reply time, agreement reviews, last contact, sorting, and
the "Message" action on the caseload and the person's page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.care import triage
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.messaging.models import Side, Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


def person(provider: User, organisation: Organisation, name: str) -> User:
    """A service user on ``provider``'s caseload, with the default agreement (2 days)."""
    user: User = MembershipFactory.create(
        organisation=organisation, role=Role.SERVICE_USER, user__full_name=name
    ).user
    relationship = CareRelationshipFactory.create(
        service_user=user, provider=provider, organisation=organisation
    )
    Agreement.objects.create(relationship=relationship)
    return user


def waiting(thread: Thread, *, since: datetime, messages: int = 1) -> None:
    """``messages`` from the person, the first at ``since``: the care team owes a reply."""
    for n in range(messages):
        MessageFactory.create(
            thread=thread, sender=thread.service_user, created_at=since + timedelta(minutes=n)
        )
    Thread.objects.filter(pk=thread.pk).update(
        waiting_for=Side.CARE_TEAM, waiting_since=since, last_message_at=since
    )


@pytest.fixture
def people(provider: User, organisation: Organisation) -> dict[str, User]:
    now = timezone.now()
    ada, bo, cy = (person(provider, organisation, n) for n in ("Ada Late", "Bo Recent", "Cy Calm"))
    waiting(thread_between(ada, provider), since=now - timedelta(days=10))
    waiting(thread_between(bo, provider), since=now - timedelta(hours=1), messages=2)
    MessageFactory.create(thread=thread_between(cy, provider), sender=provider)
    return {"ada": ada, "bo": bo, "cy": cy}


def test_the_longest_overdue_wait_comes_first_and_is_counted(
    provider: User, people: dict[str, User]
) -> None:
    found = triage.caseload_triage(provider)
    names = [row.person.full_name for row in found.rows]
    assert names == ["Ada Late", "Bo Recent", "Cy Calm"]
    ada, bo, cy = found.rows
    assert ada.overdue and ada.facts.unread == 1 and ada.facts.waiting_url
    assert not bo.overdue and bo.facts.unread == 2 and bo.reply_due_at is not None
    assert cy.facts.waiting_since is None and cy.facts.unread == 0
    assert cy.facts.last_contact_at is not None
    counts = found.counts
    assert (counts.people, counts.overdue, counts.waiting) == (3, 1, 2)
    assert (counts.unread, counts.people_with_unread, counts.reviews_due) == (3, 2, 0)
    assert found.messages_available


def test_what_the_provider_has_read_sent_or_a_colleague_said_is_not_unread(
    provider: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    colleague = make_member(Role.PROVIDER)
    ada = person(provider, organisation, "Ada")
    thread = thread_between(ada, provider, colleague)
    old = MessageFactory.create(thread=thread, sender=ada)
    thread.participants.filter(user=provider).update(last_read_message_id=old.pk)
    MessageFactory.create(thread=thread, sender=provider)
    MessageFactory.create(thread=thread, sender=ada, withdrawn_at=timezone.now())
    later = timezone.now() + timedelta(hours=1)
    MessageFactory.create(thread=thread, sender=colleague, created_at=later)
    # A thread of a colleague alone with the same person is not the provider's to triage.
    MessageFactory.create(thread=thread_between(ada, colleague), sender=ada, created_at=later)
    (row,) = triage.caseload_triage(provider).rows
    assert row.facts.unread == 1  # the colleague's message, not their own or the withdrawn one
    assert row.facts.last_contact_at is not None and row.facts.last_contact_at < later


def test_the_reply_time_counts_working_days() -> None:
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert triage.add_working_days(friday, 2).date() == friday.replace(day=8).date()
    assert triage.add_working_days(friday, 1).weekday() == 0


def test_an_agreement_not_reviewed_for_its_period_is_due(
    provider: User, organisation: Organisation
) -> None:
    ada = person(provider, organisation, "Ada")
    person(provider, organisation, "Bo")
    agreement = Agreement.objects.get(relationship__service_user=ada)
    long_ago = timezone.now() - timedelta(weeks=agreement.review_every_weeks, days=1)
    Agreement.objects.filter(pk=agreement.pk).update(updated_at=long_ago)
    found = triage.caseload_triage(provider, sort="review")
    assert [row.person.full_name for row in found.rows] == ["Ada", "Bo"]
    assert found.rows[0].review_due and not found.rows[1].review_due
    assert found.counts.reviews_due == 1


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ada Late", "Bo Recent", "Cy Calm"]),
        ("unread", ["Bo Recent", "Ada Late", "Cy Calm"]),
        ("waiting", ["Ada Late", "Bo Recent", "Cy Calm"]),
        ("contact", ["Ada Late", "Bo Recent", "Cy Calm"]),
        ("nonsense", ["Ada Late", "Bo Recent", "Cy Calm"]),
    ],
)
def test_the_caseload_sorts(
    provider: User, people: dict[str, User], sort: str, expected: list[str]
) -> None:
    assert [row.person.full_name for row in triage.caseload_triage(provider, sort=sort).rows] == (
        expected
    )


def test_without_a_message_source_the_caseload_says_messages_cannot_be_shown(
    as_user: Callable[[User], Client],
    provider: User,
    people: dict[str, User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(triage, "_source", {})
    found = triage.caseload_triage(provider)
    assert not found.messages_available and found.counts.unread == 0
    response = as_user(provider).get("/care/caseload/")
    assert response.status_code == 200
    assert "Cannot be shown at the moment" in response.content.decode()


def test_the_caseload_page_puts_the_overdue_person_first_with_words_not_colour(
    as_user: Callable[[User], Client], provider: User, people: dict[str, User]
) -> None:
    client = as_user(provider)
    html = client.get("/care/caseload/").content.decode()
    rows = html.split('data-person="')[1:]
    assert rows[0].startswith(str(people["ada"].pk))
    assert "Overdue: reply time passed" in rows[0]
    assert "Overdue" not in rows[1]
    assert "1 reply overdue" in html and "3 unread messages (2 people)" in html
    assert f'href="/messages/new/?service_user={people["bo"].pk}"' in rows[1]
    sorted_html = client.get("/care/caseload/?sort=name").content.decode()
    assert 'aria-current="true"><strong>Name' in sorted_html


def test_the_persons_page_has_a_message_action_and_their_triage(
    as_user: Callable[[User], Client], provider: User, people: dict[str, User]
) -> None:
    ada = people["ada"]
    client = as_user(provider)
    html = client.get(f"/people/{ada.pk}/").content.decode()
    assert f'href="/messages/new/?service_user={ada.pk}"' in html
    assert "Overdue: reply time passed" in html
    form = client.get(f"/messages/new/?service_user={ada.pk}").content.decode()
    assert f'value="{ada.pk}" selected' in form


def test_a_message_link_for_someone_not_on_the_caseload_chooses_nobody(
    as_user: Callable[[User], Client], provider: User, people: dict[str, User]
) -> None:
    response = as_user(provider).get("/messages/new/?service_user=999999")
    assert response.status_code == 200 and " selected" not in response.content.decode()
