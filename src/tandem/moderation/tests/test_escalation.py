"""The second tier: a moderator escalates to the clinical rota or the person's care team; urgent
holds nobody reviews escalate by themselves; nobody on duty means the author is told so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Organisation, Role, User
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import login_client
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Community, Topic
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import selectors, services
from tandem.moderation.escalation import services as escalation_services
from tandem.moderation.escalation import sweep
from tandem.moderation.models import (
    AuditAction,
    AuditEntry,
    Escalation,
    EscalationContact,
    EscalationTarget,
    ReviewItem,
    Risk,
    SafetySettings,
)
from tandem.notifications.models import Notification

pytestmark = pytest.mark.django_db

URGENT = "I want to kill myself tonight."


@pytest.fixture
def topic(skylark: User, category: Category) -> Topic:
    return make_topic(skylark, category, title="Tonight", body="Anyone up?")


@pytest.fixture
def on_duty(mo: User, organisation: Organisation) -> User:
    services.set_duty(moderator=mo, organisation=organisation, on_duty=True)
    return mo


@pytest.fixture
def clinicians(make_member: Callable[..., User], organisation: Organisation) -> list[User]:
    """Two verified providers on the rota, Dana first."""
    people = [
        make_member(Role.PROVIDER, totp=True, pseudonym=name, full_name=f"{name} Clinician")
        for name in ("Dana", "Eli")
    ]
    for position, person in enumerate(people):
        EscalationContact.objects.create(organisation=organisation, user=person, position=position)
    return people


def _hold(otter: User, topic: Topic) -> ReviewItem:
    post = reply(otter, topic, URGENT)
    item = ReviewItem.objects.select_related("community", "post__author").get(post=post)
    assert item.is_held and item.risk == Risk.HIGH
    return item


def _told(user: User, kind: str = "moderation.escalation") -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


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


# --- Automatic escalation -------------------------------------------------------------------


def test_an_unreviewed_urgent_hold_escalates_to_the_next_on_the_rota_then_everyone(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        item = _hold(otter, topic)
    assert not item.nobody_on_duty
    dana, eli = clinicians
    with time_machine.travel(start + timedelta(minutes=9, seconds=59), tick=False):
        assert sweep.escalate_overdue() == 0
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert sweep.escalate_overdue() == 1
        assert sweep.escalate_overdue() == 0  # a second sweep finds nothing more to do
    assert (_told(dana), _told(eli)) == (1, 0)
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        assert sweep.escalate_overdue() == 1
    assert (_told(dana), _told(eli)) == (2, 1)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        assert sweep.escalate_overdue() == 0
    targets = list(Escalation.objects.order_by("pk").values_list("target", "automatic"))
    assert targets == [("next_on_rota", True), ("clinical", True)]
    entries = AuditEntry.objects.filter(action=AuditAction.ESCALATE)
    assert [e.actor_pseudonym for e in entries] == ["Tandem", "Tandem"]


def test_the_organisation_sets_how_long_an_urgent_hold_may_wait(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User], organisation: Organisation
) -> None:
    SafetySettings.objects.create(organisation=organisation, escalate_after_minutes=3)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _hold(otter, topic)
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert sweep.escalate_overdue() == 1


def test_a_reviewed_or_taken_on_hold_never_escalates_by_itself(
    otter: User, skylark: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        reviewed = _hold(otter, topic)
        services.warn_person(
            moderator=on_duty,
            community=reviewed.community,
            subject=otter,
            reason="x",
            item=reviewed,
        )
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert sweep.escalate_overdue() == 0
    assert not Escalation.objects.exists()


def test_taking_on_an_escalation_stops_the_sweep_and_is_shown(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User], provider: User
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        item = _hold(otter, topic)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        sweep.escalate_overdue()
        escalation_services.acknowledge(user=clinicians[0], item=item)
        with pytest.raises(PermissionDenied):
            escalation_services.acknowledge(user=provider, item=item)
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        assert sweep.escalate_overdue() == 0
    escalation = Escalation.objects.get()
    assert escalation.acknowledged_by == clinicians[0]
    assert AuditEntry.objects.filter(action=AuditAction.ACKNOWLEDGE).count() == 1
    assert selectors.post_outcome(otter, item.post).escalations[0].taken_on


def test_two_sweeps_never_escalate_the_same_step_twice(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    stale = ReviewItem.objects.get(pk=item.pk)
    assert sweep._claim(item, sweep.STEP_NEXT_ON_ROTA)
    assert not sweep._claim(stale, sweep.STEP_NEXT_ON_ROTA)


def test_with_no_rota_an_overdue_hold_reaches_every_moderator_and_admin(
    otter: User, topic: Topic, on_duty: User, ada: User, make_member: Callable[..., User]
) -> None:
    other_mod = make_member(Role.MODERATOR, totp=True, pseudonym="Nia")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _hold(otter, topic)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert sweep.escalate_overdue() == 1
    assert _told(ada) == 1 and _told(other_mod) == 1 and _told(otter) == 0


def test_the_sweep_command_runs_once(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _hold(otter, topic)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        call_command("escalate_overdue")
    assert Escalation.objects.count() == 1


# --- Nobody on duty ----------------------------------------------------------------------------


def test_with_nobody_on_duty_the_author_is_told_and_the_rota_is_asked_at_once(
    otter: User,
    topic: Topic,
    mo: User,
    clinicians: list[User],
    crisis_line: CrisisContact,
) -> None:
    item = _hold(otter, topic)
    item.refresh_from_db()
    assert item.nobody_on_duty and item.escalation_step == sweep.STEP_CLINICAL
    assert all(_told(person) == 1 for person in clinicians)
    assert _told(mo, "moderation.high_risk") == 1  # every moderator, as before
    page = login_client(Client(), otter).get(f"/moderation/posts/{item.post_id}/outcome/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-nobody-on-duty" in html and "Nobody is reviewing posts right now." in html
    assert "Northside crisis line" in html and "0800 123 4567" in html


def test_when_someone_is_on_duty_the_author_is_not_told_nobody_is(
    otter: User, topic: Topic, on_duty: User, clinicians: list[User]
) -> None:
    item = _hold(otter, topic)
    page = login_client(Client(), otter).get(f"/moderation/posts/{item.post_id}/outcome/")
    assert "data-nobody-on-duty" not in page.content.decode()
    assert not Escalation.objects.exists()


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
