"""The clinical rota kept by an organisation's admins, and the time to first review of urgent
holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import login_client
from tandem.forum.models import Category, Community
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import selectors, services
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    EscalationContact,
    ReviewItem,
    SafetySettings,
)
from tandem.moderation.tests.helpers_escalation import URGENT

pytestmark = pytest.mark.django_db


# --- The rota --------------------------------------------------------------------------------


def test_an_admin_keeps_the_rota_and_every_change_is_audited(
    ada: User,
    mo: User,
    provider: User,
    otter: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    unverified = make_member(Role.PROVIDER, pseudonym="New")
    unverified.memberships.update(verified_at=None)
    client = login_client(Client(), ada)
    url = f"/moderation/organisations/{organisation.pk}/rota/"
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert provider.email in html and mo.email in html
    assert otter.email not in html and unverified.email not in html
    assert client.post(url, {"person": provider.pk}).status_code == 302
    assert client.post(url, {"person": mo.pk, "note": "Nights"}).status_code == 302
    refused = client.post(url, {"person": otter.pk})
    assert refused.status_code == 400
    order = list(EscalationContact.objects.order_by("position").values_list("user", flat=True))
    assert order == [provider.pk, mo.pk]
    second = EscalationContact.objects.get(user=mo)
    client.post(f"/moderation/rota/{second.pk}/move/", {"direction": "up"})
    order = list(EscalationContact.objects.order_by("position").values_list("user", flat=True))
    assert order == [mo.pk, provider.pk]
    client.post(f"/moderation/rota/{second.pk}/remove/")
    assert list(EscalationContact.objects.values_list("user", flat=True)) == [provider.pk]
    response = client.post(
        f"/moderation/organisations/{organisation.pk}/rota/escalate-after/",
        {"minutes": 5, "reason": "Smaller team at night"},
    )
    assert response.status_code == 302
    assert SafetySettings.objects.get(organisation=organisation).escalate_after_minutes == 5
    bad = client.post(
        f"/moderation/organisations/{organisation.pk}/rota/escalate-after/",
        {"minutes": 0, "reason": "x"},
    )
    assert bad.status_code == 400
    assert AuditEntry.objects.filter(action=AuditAction.ROTA).count() == 5


def test_the_rota_is_for_the_organisations_admins_only(
    mo: User, provider: User, otter: User, organisation: Organisation, ada: User
) -> None:
    contact = EscalationContact.objects.create(organisation=organisation, user=provider)
    for person in (mo, provider, otter):
        client = login_client(Client(), person)
        assert client.get(f"/moderation/organisations/{organisation.pk}/rota/").status_code == 404
        assert client.post(f"/moderation/rota/{contact.pk}/remove/").status_code == 404
    assert EscalationContact.objects.filter(pk=contact.pk).exists()


# --- Time to first review ------------------------------------------------------------------------


def test_time_to_first_review_of_urgent_holds_has_its_own_p50_and_p90(
    otter: User, skylark: User, mo: User, category: Category, community: Community
) -> None:
    topic = make_topic(skylark, category)
    start = timezone.now() - timedelta(days=2)
    for minutes in (2, 4, 6, 8, 30):
        with time_machine.travel(start, tick=False):
            post = reply(otter, topic, URGENT)
        item = ReviewItem.objects.get(post=post)
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            services.approve_item(moderator=mo, item=item, reason="ok")
        start -= timedelta(hours=1)
    # A privacy hold reviewed after 100 minutes counts among all holds, not the urgent ones.
    with time_machine.travel(start, tick=False):
        privacy = reply(otter, topic, "call me on 07700 900123")
    with time_machine.travel(start + timedelta(minutes=100), tick=False):
        services.approve_item(moderator=mo, item=ReviewItem.objects.get(post=privacy), reason="ok")
    reply(otter, topic, URGENT)  # still waiting
    urgent = selectors.review_times([community.pk], 7, high_risk_only=True)
    assert (urgent.reviewed, urgent.median_minutes, urgent.p90_minutes) == (5, 6.0, 30.0)
    assert urgent.waiting == 1
    every = selectors.review_times([community.pk], 7)
    assert (every.reviewed, every.p90_minutes) == (6, 100.0)
    page = login_client(Client(), mo).get("/moderation/")
    assert "data-high-risk-times" in page.content.decode()
