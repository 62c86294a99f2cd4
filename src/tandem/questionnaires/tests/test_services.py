"""Schedules and check-in reminders, drafts and the demo seed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tandem.accounts.models import User
from tandem.care.models import Grant, Level, Module
from tandem.notifications.models import Notification
from tandem.questionnaires import catalogue, services
from tandem.questionnaires.instruments import INSTRUMENTS
from tandem.questionnaires.models import Response, Schedule, Unit
from tandem.questionnaires.tests.factories import make_response
from tandem.toolbox.selectors.goals import goal_timeline

pytestmark = pytest.mark.django_db

START = date(2026, 1, 5)


def test_due_on_follows_the_schedule() -> None:
    schedule = Schedule(every=2, unit=Unit.WEEKS, starts_on=START)
    assert schedule.due_on(START - timedelta(days=1)) is None
    assert schedule.due_on(START) == START
    assert schedule.due_on(START + timedelta(days=13)) == START
    assert schedule.due_on(START + timedelta(days=14)) == START + timedelta(days=14)
    assert Schedule(every=3, unit=Unit.DAYS, starts_on=START).due_on(
        START + timedelta(days=7)
    ) == START + timedelta(days=6)


def test_a_due_check_in_is_notified_once_content_free_and_a_missed_one_not_again(
    service_user: User,
) -> None:
    services.set_schedule(
        owner=service_user, instrument=INSTRUMENTS["phq9"], every=1, unit=Unit.WEEKS,
        starts_on=START,
    )  # fmt: skip
    assert services.send_check_in_reminders(today=START) == 1
    assert services.send_check_in_reminders(today=START + timedelta(days=3)) == 0
    notification = Notification.objects.get()
    assert notification.title == "You have a check-in due"
    assert "PHQ" not in notification.title and notification.url == "/questionnaires/"
    # Missed: the next one is told about once when it comes due, the old one never again.
    assert services.send_check_in_reminders(today=START + timedelta(days=7)) == 1
    assert services.send_check_in_reminders(today=START + timedelta(days=8)) == 0


def test_an_answered_check_in_is_not_notified(service_user: User) -> None:
    today = timezone.localdate()
    services.set_schedule(
        owner=service_user, instrument=INSTRUMENTS["gad7"], every=2, unit=Unit.WEEKS,
        starts_on=today,
    )  # fmt: skip
    make_response(service_user, "gad7")
    assert services.send_check_in_reminders(today=today) == 0


def test_submit_refuses_missing_items_and_unoffered_values(service_user: User) -> None:
    phq9 = INSTRUMENTS["phq9"]
    with pytest.raises(ValidationError) as missing:
        services.submit_response(
            owner=service_user, instrument=phq9, answers={"1": 1}, client_key="a"
        )
    assert "item_9" in missing.value.message_dict
    with pytest.raises(ValidationError) as bad:
        services.save_draft(owner=service_user, instrument=phq9, answers={"1": 4})
    assert "item_1" in bad.value.message_dict
    assert not Response.objects.exists()


def test_seed_demo_gives_skylark_history_a_schedule_and_pat_a_view_grant() -> None:
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    sam = User.objects.get(email="sam@demo.tandem")
    pat = User.objects.get(email="pat@demo.tandem")
    counts = {
        key: Response.objects.filter(owner=sam, instrument=key).count()
        for key in ("phq9", "gad7", "who5")
    }
    assert counts == {"phq9": 13, "gad7": 13, "who5": 13}
    oldest = Response.objects.filter(owner=sam).order_by("submitted_at").first()
    assert oldest is not None and oldest.submitted_at is not None
    assert timezone.now() - oldest.submitted_at > timedelta(days=160)
    assert Schedule.objects.filter(owner=sam, instrument="phq9").exists()
    grant = Grant.objects.get(relationship__provider=pat, module=Module.QUESTIONNAIRES)
    assert grant.level == Level.VIEW
    # Ada's questionnaire made in the portal, offered to Skylark; goals beside her scores.
    assert [i.title for i in catalogue.offered_to(sam)] == ["Sleep this week"]
    marks = goal_timeline(sam)
    assert any(m.status == "paused" for m in marks)
    assert all(timezone.now() - m.at > timedelta(weeks=8) for m in marks)
    # Her notes on two points: one shared with her care team, one kept to herself.
    notes = {r.note: r.note_shared for r in Response.objects.filter(owner=sam) if r.note}
    assert notes == {"A hard fortnight: my sister was in hospital.": True, "Slept badly.": False}


def test_the_reminder_command_sends_once(service_user: User) -> None:
    services.set_schedule(
        owner=service_user, instrument=INSTRUMENTS["who5"], every=1, unit=Unit.DAYS,
        starts_on=timezone.localdate(),
    )  # fmt: skip
    call_command("send_check_in_reminders", verbosity=0)
    call_command("send_check_in_reminders", verbosity=0)
    assert Notification.objects.filter(recipient=service_user).count() == 1
