"""Dates that cannot be right are refused, next to their field, keeping what was typed: no
activity in the future, no new goal's target in the past, no medication started or stopped in
the future. "Today" is the organisation's (``timezone.localdate()``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.toolbox import services
from tandem.toolbox.models import Activity, Goal, Medication
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    GoalFactory,
    MedicationFactory,
    default_domain,
)

pytestmark = pytest.mark.django_db


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=2)).isoformat()


def _yesterday() -> str:
    return (timezone.localdate() - timedelta(days=2)).isoformat()


def _field_error(html: str, field: str, text: str) -> bool:
    """The message is inside the field's group (its error list follows the label)."""
    start = html.find(f'id="id_{field}_error"')
    return start != -1 and text in html[start : start + 400]


def test_an_activity_in_the_future_is_refused_next_to_the_date(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/activities/",
        {"description": "Ran 5 km", "done_on": "2031-05-01", "domain": default_domain().pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "done_on", "This date is in the future")
    assert "Ran 5 km" in html and 'value="2031-05-01"' in html  # nothing typed is lost
    assert not Activity.objects.exists()


def test_an_activity_moved_into_the_future_is_refused(
    owner_client: Client, service_user: User
) -> None:
    activity = ActivityFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/activities/{activity.pk}/edit/",
        {"description": "Cycled", "done_on": _tomorrow(), "domain": default_domain().pk},
    )
    assert response.status_code == 400
    assert "This date is in the future" in response.content.decode()


def test_a_new_goal_with_a_target_in_the_past_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/",
        {
            "title": "Sleep before midnight",
            "domain": default_domain().pk,
            "target_date": "2001-01-01",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "target_date", "cannot be in the past")
    assert "Sleep before midnight" in html
    assert not Goal.objects.exists()


def test_an_existing_goal_keeps_a_target_that_has_passed(
    owner_client: Client, service_user: User
) -> None:
    goal = GoalFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/goals/{goal.pk}/edit/",
        {
            "title": "Late but going",
            "domain": goal.domain_id,
            "target_date": _yesterday(),
            "manual_progress": "50",
            "status": "active",
        },
    )
    assert response.status_code == 302


def test_a_medication_started_in_the_future_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/medications/create/", {"name": "Sertraline", "started_on": "2035-01-01"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _field_error(html, "started_on", "This date is in the future")
    assert "Sertraline" in html
    assert not Medication.objects.exists()


def test_a_medication_stopped_in_the_future_is_refused(
    owner_client: Client, service_user: User
) -> None:
    medication = MedicationFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/medications/{medication.pk}/edit/",
        {"name": "Sertraline", "stopped_on": _tomorrow()},
    )
    assert response.status_code == 400
    assert _field_error(response.content.decode(), "stopped_on", "This date is in the future")


def test_a_year_that_is_a_slip_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/activities/",
        {"description": "Walked", "done_on": "0202-05-01", "domain": default_domain().pk},
    )
    assert response.status_code == 400
    assert "too long ago" in response.content.decode()


def test_services_refuse_the_same_dates(service_user: User) -> None:
    future = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as activity_error:
        services.log_activity(
            owner=service_user, description="x", done_on=future, domain=default_domain()
        )
    assert "done_on" in activity_error.value.message_dict
    with pytest.raises(ValidationError) as goal_error:
        services.create_goal(
            owner=service_user, domain=default_domain(), title="x", target_date=date(2001, 1, 1)
        )
    assert "target_date" in goal_error.value.message_dict
    with pytest.raises(ValidationError) as medication_error:
        services.add_medication(owner=service_user, name="x", started_on=future)
    assert "started_on" in medication_error.value.message_dict


def test_today_is_the_organisations_day_not_utcs(
    owner_client: Client, organisation: Organisation
) -> None:
    organisation.time_zone = "Pacific/Kiritimati"  # UTC+14
    organisation.save(update_fields=["time_zone"])
    # 20:00 UTC on 1 March is already 2 March in the organisation's time zone.
    with time_machine.travel(datetime(2026, 3, 1, 20, 0, tzinfo=UTC), tick=False):
        response = owner_client.post(
            "/toolbox/activities/",
            {"description": "Walked", "done_on": "2026-03-02", "domain": default_domain().pk},
        )
        assert response.status_code == 302
        refused = owner_client.post(
            "/toolbox/activities/",
            {"description": "Walked", "done_on": "2026-03-03", "domain": default_domain().pk},
        )
        assert refused.status_code == 400
