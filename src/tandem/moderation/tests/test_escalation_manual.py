"""The second tier, by hand: a moderator escalates to the clinical rota or the person's care team,
and only the people asked read the escalation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.forum import services as forum_services
from tandem.forum.models import Topic
from tandem.moderation import selectors, services
from tandem.moderation.escalation import services as escalation_services
from tandem.moderation.escalation import sweep
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    Escalation,
    EscalationTarget,
    ReviewItem,
)
from tandem.moderation.tests.helpers_escalation import URGENT, _hold, _told
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db


# --- A moderator escalates ------------------------------------------------------------------


def test_a_moderator_escalates_to_the_clinical_rota_with_a_reason(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    [escalation] = escalation_services.escalate_item(
        moderator=on_duty, item=item, targets=["clinical"], reason="Says tonight."
    )
    assert escalation.target == EscalationTarget.CLINICAL
    assert set(escalation.recipients.all()) == set(clinicians)
    assert all(_told(person) == 1 for person in clinicians)
    # The notification says nothing of the words or the writer.
    titles = Notification.objects.filter(kind="moderation.escalation").values_list(
        "title", flat=True
    )
    assert all("Otter" not in t and "kill" not in t for t in titles)
    entry = AuditEntry.objects.get(action=AuditAction.ESCALATE)
    assert (entry.actor, entry.subject, entry.reason) == (on_duty, otter, "Says tonight.")
    assert _told(otter, "moderation.escalated") == 1
    item.refresh_from_db()
    assert item.first_reviewed_at is not None and item.escalation_step == sweep.STEP_CLINICAL
    outcome = selectors.post_outcome(otter, item.post)
    assert [e.target for e in outcome.escalations] == ["clinical"]


def test_a_moderator_escalates_to_the_persons_care_team(
    otter: User,
    topic: Topic,
    on_duty: User,
    provider: User,
    make_member: Callable[..., User],
    organisation: Organisation,
) -> None:
    CareRelationshipFactory.create(service_user=otter, provider=provider, organisation=organisation)
    other = make_member(Role.PROVIDER, pseudonym="Other")
    item = _hold(otter, topic)
    [escalation] = escalation_services.escalate_item(
        moderator=on_duty, item=item, targets=["care_team"], reason="Needs their team."
    )
    assert list(escalation.recipients.all()) == [provider]
    assert _told(provider) == 1 and _told(other) == 0


def test_escalation_refuses_what_would_reach_nobody_and_says_what_to_do(
    otter: User, topic: Topic, on_duty: User
) -> None:
    item = _hold(otter, topic)
    with pytest.raises(ValidationError, match="no active care team"):
        escalation_services.escalate_item(
            moderator=on_duty, item=item, targets=["care_team"], reason="x"
        )
    with pytest.raises(ValidationError, match="emergency services"):
        escalation_services.escalate_item(
            moderator=on_duty, item=item, targets=["clinical"], reason="x"
        )
    with pytest.raises(ValidationError):
        escalation_services.escalate_item(moderator=on_duty, item=item, targets=[], reason="x")
    assert not Escalation.objects.exists()


def test_only_moderators_escalate_and_always_with_a_reason(
    otter: User, topic: Topic, on_duty: User, ada: User, provider: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    for person in (ada, provider, otter):
        with pytest.raises(PermissionDenied):
            escalation_services.escalate_item(
                moderator=person, item=item, targets=["clinical"], reason="x"
            )
    with pytest.raises(ValidationError):
        escalation_services.escalate_item(
            moderator=on_duty, item=item, targets=["clinical"], reason="  "
        )
    assert not Escalation.objects.exists()


def test_escalating_over_http_re_renders_the_item_with_the_typed_reason_on_error(
    otter: User, topic: Topic, on_duty: User
) -> None:
    item = _hold(otter, topic)
    client = login_client(Client(), on_duty)
    response = client.post(
        f"/moderation/items/{item.pk}/escalate/",
        {"targets": ["clinical"], "reason": "My typed reason"},
    )
    assert response.status_code == 400
    assert "My typed reason" in response.content.decode()
    assert "Nobody is on the clinical escalation rota" in response.content.decode()


# --- Who may read an escalation -------------------------------------------------------------


def test_only_the_people_asked_read_the_escalation(
    otter: User,
    skylark: User,
    topic: Topic,
    on_duty: User,
    clinicians: list[User],
    provider: User,
    ada: User,
    rita: User,
) -> None:
    item = _hold(otter, topic)
    escalation_services.escalate_item(
        moderator=on_duty, item=item, targets=["clinical"], reason="Tonight."
    )
    url = f"/moderation/escalations/{item.pk}/"
    eli = login_client(Client(), clinicians[1])
    page = eli.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alex Real" in html and "Tonight." in html and URGENT in html
    for person in (otter, skylark, provider, ada, rita, on_duty):
        assert login_client(Client(), person).get(url).status_code == 404, person.pseudonym
    assert Client().get(url).status_code == 302
    # Taking it on over HTTP.
    assert eli.post(f"{url}take-on/").status_code == 302
    assert "Taken on by Eli Clinician" in eli.get(url).content.decode()
    # A week after the item is resolved the page is gone.
    services.approve_item(moderator=on_duty, item=item, reason="Safe now.")
    assert eli.get(url).status_code == 200
    ReviewItem.objects.filter(pk=item.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    assert eli.get(url).status_code == 404


def test_a_post_its_author_deleted_after_escalation_is_marked_for_the_clinician(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    escalation_services.escalate_item(
        moderator=on_duty, item=item, targets=["clinical"], reason="Tonight."
    )
    forum_services.delete_post(user=otter, post=item.post)
    html = (
        login_client(Client(), clinicians[0])
        .get(f"/moderation/escalations/{item.pk}/")
        .content.decode()
    )
    # The clinician still reads what was escalated, told that its author has deleted it.
    assert "data-deleted" in html and "Deleted by its author on" in html
    assert "you see its text for this review only" in html
