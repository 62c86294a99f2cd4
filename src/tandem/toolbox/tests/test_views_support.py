"""The toolbox through the test client: medications, the network, the crisis plan's online and offline pieces, exercises."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.care.models import Module
from tandem.toolbox.models import (
    CrisisPlan,
    ExercisePractice,
    Medication,
    NetworkMember,
)
from tandem.toolbox.tests.factories import (
    CrisisPlanFactory,
    MedicationFactory,
    share_with,
)

pytestmark = pytest.mark.django_db


# --- Medications -----------------------------------------------------------------------------


def test_adding_stopping_and_deleting_a_medication(
    owner_client: Client, service_user: User
) -> None:
    response = owner_client.post(
        "/toolbox/medications/create/",
        {"name": "Quetiapine", "dose": "25 mg", "schedule": "At night", "effects": "Sleepy"},
    )
    assert response.status_code == 302
    medication = Medication.objects.get(owner=service_user)
    owner_client.post(f"/toolbox/medications/{medication.pk}/stop/")
    medication.refresh_from_db()
    assert medication.stopped_on == timezone.localdate()
    page = owner_client.get("/toolbox/medications/").content.decode()
    assert "No current medications." in page
    assert page.index('id="past"') < page.rindex("Quetiapine")
    owner_client.post(f"/toolbox/medications/{medication.pk}/delete/")
    assert not Medication.objects.exists()


def test_a_medication_stopped_before_it_started_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/medications/create/",
        {"name": "Lithium", "started_on": "2026-03-10", "stopped_on": "2026-03-01"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be before the date you started" in html
    assert 'value="Lithium"' in html
    assert 'value="2026-03-01"' in html
    assert not Medication.objects.exists()


def test_editing_a_medication(owner_client: Client, service_user: User) -> None:
    medication = MedicationFactory.create(owner=service_user)
    assert owner_client.get(f"/toolbox/medications/{medication.pk}/edit/").status_code == 200
    response = owner_client.post(
        f"/toolbox/medications/{medication.pk}/edit/", {"name": "Renamed", "dose": "5 mg"}
    )
    assert response.status_code == 302
    medication.refresh_from_db()
    assert (medication.name, medication.dose) == ("Renamed", "5 mg")


# --- Network ---------------------------------------------------------------------------------


def test_the_network_map_and_list(owner_client: Client, service_user: User) -> None:
    response = owner_client.post(
        "/toolbox/network/",
        {"name": "Aunt Jo", "relationship": "Aunt", "circle": "inner", "quality": "strained"},
    )
    assert response.status_code == 302
    member = NetworkMember.objects.get(owner=service_user)
    html = owner_client.get("/toolbox/network/").content.decode()
    assert '<title id="map-title">' in html
    assert "<rect" in html  # strained people are squares on the map
    assert html.count("Aunt Jo") >= 2  # on the map and in the list
    edit = owner_client.post(
        f"/toolbox/network/{member.pk}/edit/",
        {"name": "Aunt Jo", "circle": "outer", "quality": "supportive"},
    )
    assert edit.status_code == 302
    owner_client.post(f"/toolbox/network/{member.pk}/delete/")
    assert not NetworkMember.objects.exists()


def test_a_network_member_needs_a_name_and_a_circle(owner_client: Client) -> None:
    response = owner_client.post("/toolbox/network/", {"name": "", "relationship": "GP"})
    assert response.status_code == 400
    assert b'value="GP"' in response.content


# --- Crisis plan -----------------------------------------------------------------------------


def test_writing_and_reading_the_crisis_plan(
    owner_client: Client, service_user: User, organisation: Organisation
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Night line")
    assert b"Write my crisis plan" in owner_client.get("/toolbox/crisis-plan/").content
    response = owner_client.post(
        "/toolbox/crisis-plan/edit/",
        {"warning_signs": "Not sleeping\nSkipping meals", "reasons_for_living": "My dog"},
    )
    assert response.status_code == 302
    html = owner_client.get("/toolbox/crisis-plan/").content.decode()
    assert "<li>Skipping meals</li>" in html
    assert "Night line" in html
    assert "data-offline-plan" in html
    assert "crisis-plan.js" in html
    assert CrisisPlan.objects.get(owner=service_user).reasons_for_living == "My dog"


def test_an_over_long_crisis_plan_section_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/crisis-plan/edit/", {"warning_signs": "x" * 3001, "coping_alone": "Walk"}
    )
    assert response.status_code == 400
    assert b"Walk" in response.content


def test_every_page_links_a_service_user_to_their_crisis_plan(
    owner_client: Client, provider_client: Client
) -> None:
    for path in ("/", "/account/", "/toolbox/goals/"):
        assert b'href="/toolbox/crisis-plan/"' in owner_client.get(path).content
    assert b"My crisis plan" not in provider_client.get("/").content


def test_the_print_and_offline_views(owner_client: Client, service_user: User) -> None:
    CrisisPlanFactory.create(owner=service_user)
    printed = owner_client.get("/toolbox/crisis-plan/print/").content.decode()
    assert "print-columns" in printed
    offline = owner_client.get("/toolbox/crisis-plan/offline/")
    html = offline.content.decode()
    assert offline.status_code == 200
    assert "Not sleeping" in html
    assert "csrfmiddlewaretoken" not in html  # a kept copy must not carry a form token
    assert "/accounts/logout/" not in html
    assert "<script>" not in html


def test_the_service_worker_is_served_from_the_root_with_a_narrow_scope(
    owner_client: Client,
) -> None:
    response = owner_client.get("/crisis-plan-sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/toolbox/crisis-plan/"
    body = response.content.decode()
    assert "caches.open" in body
    assert 'addEventListener("fetch"' in body


def test_the_service_worker_needs_a_login() -> None:
    response = Client().get("/crisis-plan-sw.js")
    assert response.status_code == 302


def test_a_provider_reads_the_crisis_plan_without_the_offline_controls(
    provider_client: Client, service_user: User, provider: User
) -> None:
    CrisisPlanFactory.create(owner=service_user)
    share_with(provider, service_user, Module.CRISIS_PLAN)
    html = provider_client.get(f"/people/{service_user.pk}/crisis_plan/").content.decode()
    assert "Not sleeping" in html
    assert "data-offline-plan" not in html
    assert "/toolbox/crisis-plan/edit/" not in html


# --- Exercises -------------------------------------------------------------------------------


def test_doing_an_exercise_and_logging_it(owner_client: Client, service_user: User) -> None:
    page = owner_client.get("/toolbox/exercises/box-breathing/").content.decode()
    assert "Hold your breath" in page
    response = owner_client.post(
        "/toolbox/exercises/box-breathing/", {"helped": "4", "note": "Calmer"}
    )
    assert response.status_code == 302
    practice = ExercisePractice.objects.get(owner=service_user)
    assert (practice.exercise, practice.helped, practice.note) == ("box-breathing", 4, "Calmer")
    assert "helped 4.0 out of 5" in owner_client.get("/toolbox/exercises/").content.decode()
    owner_client.post(f"/toolbox/exercises/practice/{practice.pk}/delete/")
    assert not ExercisePractice.objects.exists()


def test_the_library_has_sleep_mindfulness_and_breathing(owner_client: Client) -> None:
    html = owner_client.get("/toolbox/exercises/").content.decode()
    for category in ("Sleep", "Mindfulness", "Breathing"):
        assert category in html


def test_a_bad_practice_rating_is_refused(owner_client: Client) -> None:
    response = owner_client.post("/toolbox/exercises/body-scan/", {"helped": "9", "note": "Hmm"})
    assert response.status_code == 400
    assert b"Hmm" in response.content
    assert owner_client.get("/toolbox/exercises/no-such-thing/").status_code == 404
