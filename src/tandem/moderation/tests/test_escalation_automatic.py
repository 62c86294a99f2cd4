"""The second tier, by itself: urgent holds nobody reviews escalate along the rota, and nobody on
duty means the author is told so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import CrisisContact, Organisation, Role, User
from tandem.conftest import login_client
from tandem.forum.models import Topic
from tandem.moderation import selectors, services
from tandem.moderation.escalation import services as escalation_services
from tandem.moderation.escalation import sweep
from tandem.moderation.models import AuditAction, AuditEntry, Escalation, ReviewItem, SafetySettings
from tandem.moderation.tests.helpers_escalation import _hold, _told

pytestmark = pytest.mark.django_db


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
