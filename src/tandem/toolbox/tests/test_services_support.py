"""Toolbox services: medications, the network, the crisis plan and exercise practice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.toolbox import selectors, services
from tandem.toolbox.models import (
    Circle,
    CrisisPlan,
    Quality,
)
from tandem.toolbox.tests.factories import (
    ExercisePracticeFactory,
    MedicationFactory,
)
from tandem.toolbox.tests.helpers_services import _raw

pytestmark = pytest.mark.django_db


# --- Medications -----------------------------------------------------------------------------


def test_a_medication_cannot_stop_before_it_started(service_user: User) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.add_medication(
            owner=service_user,
            name="Sertraline",
            started_on=today,
            stopped_on=today - timedelta(days=1),
        )
    assert "stopped_on" in error.value.message_dict


def test_a_medication_is_current_until_stopped(service_user: User) -> None:
    medication = services.add_medication(
        owner=service_user, name="Sertraline", dose="50 mg", effects="Less anxious"
    )
    assert list(selectors.current_medications(service_user)) == [medication]
    assert "Sertraline" not in _raw("toolbox_medication", "name", medication.pk)
    services.stop_medication(owner=service_user, medication=medication)
    assert list(selectors.past_medications(service_user)) == [medication]
    assert not selectors.current_medications(service_user).exists()


def test_a_medication_can_be_changed_and_deleted(service_user: User, other_user: User) -> None:
    medication = MedicationFactory.create(owner=service_user)
    services.update_medication(
        owner=service_user,
        medication=medication,
        name="New name",
        dose="",
        schedule="",
        purpose="",
        effects="",
        notes="",
        started_on=None,
        stopped_on=None,
    )
    medication.refresh_from_db()
    assert medication.name == "New name"
    with pytest.raises(PermissionDenied):
        services.delete_medication(owner=other_user, medication=medication)
    services.delete_medication(owner=service_user, medication=medication)


# --- Network ---------------------------------------------------------------------------------


def test_network_members_need_a_known_circle(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.add_network_member(
            owner=service_user, name="Mum", circle="far away", quality=Quality.SUPPORTIVE
        )


def test_network_members_can_be_added_changed_and_removed(service_user: User) -> None:
    member = services.add_network_member(
        owner=service_user, name="Mum", circle=Circle.INNER, quality=Quality.MIXED
    )
    services.update_network_member(
        owner=service_user,
        member=member,
        name="Mum",
        relationship="Mother",
        contact="07700 900000",
        circle=Circle.MIDDLE,
        quality=Quality.STRAINED,
    )
    member.refresh_from_db()
    assert (member.circle, member.quality) == (Circle.MIDDLE, Quality.STRAINED)
    services.delete_network_member(owner=service_user, member=member)
    assert not type(member).objects.exists()


# --- Crisis plan -----------------------------------------------------------------------------


def test_the_crisis_plan_is_encrypted_at_rest(service_user: User) -> None:
    plan = services.save_crisis_plan(
        owner=service_user, sections={"warning_signs": "Not sleeping", "reasons_for_living": "Kit"}
    )
    assert "Not sleeping" not in _raw("toolbox_crisisplan", "warning_signs", plan.pk)
    assert "Kit" not in _raw("toolbox_crisisplan", "reasons_for_living", plan.pk)
    services.save_crisis_plan(owner=service_user, sections={"coping_alone": "Music"})
    plan = CrisisPlan.objects.get(owner=service_user)
    assert (plan.warning_signs, plan.coping_alone) == ("Not sleeping", "Music")


def test_crisis_plan_sections_have_a_length_limit(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.save_crisis_plan(owner=service_user, sections={"warning_signs": "x" * 3001})


def test_unknown_crisis_plan_sections_are_refused(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.save_crisis_plan(owner=service_user, sections={"owner_id": "2"})


# --- Exercises -------------------------------------------------------------------------------


def test_practice_is_logged_for_library_exercises_only(service_user: User) -> None:
    services.log_practice(owner=service_user, exercise="box-breathing", helped=4, note="Calmer")
    with pytest.raises(ValidationError):
        services.log_practice(owner=service_user, exercise="made-up", helped=4)
    with pytest.raises(ValidationError):
        services.log_practice(owner=service_user, exercise="box-breathing", helped=6)
    summary = selectors.practice_summaries(service_user)["box-breathing"]
    assert (summary.times, summary.average_helped) == (1, 4)


def test_deleting_practice_needs_the_owner(service_user: User, other_user: User) -> None:
    practice = ExercisePracticeFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.delete_practice(owner=service_user, practice=practice)
