"""The toolbox through the test client: flows, bad input, the crisis plan's offline pieces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.care.models import Comment, Level, Module
from tandem.toolbox.models import (
    Activity,
    CrisisPlan,
    ExercisePractice,
    Goal,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    JournalShareFactory,
    MedicationFactory,
    StatusRatingFactory,
    default_domain,
    share_with,
)

pytestmark = pytest.mark.django_db


# --- Control panel and status ----------------------------------------------------------------


def test_the_control_panel_shows_status_process_and_goals_per_domain(
    owner_client: Client, service_user: User
) -> None:
    home = default_domain("home")
    StatusRatingFactory.create(owner=service_user, domain=home, rating=4)
    StatusRatingFactory.create(owner=service_user, domain=home, rating=6)
    goal = GoalFactory.create(owner=service_user, domain=home, title="Paint the kitchen")
    GoalStepFactory.create(goal=goal, done=True)
    GoalStepFactory.create(goal=goal)
    ActivityFactory.create(owner=service_user, domain=home, description="Bought paint")
    GoalFactory.create(owner=service_user, domain=home, title="Old plan", status="dropped")
    response = owner_client.get("/toolbox/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paint the kitchen" in html
    assert "50 % done" in html
    assert "Bought paint" in html
    assert "up from" in html
    assert "Old plan" not in html
    assert 'role="img"' in html  # the chart, with its title and description
    assert "Money" in html


def test_rating_a_domain_saves_it_and_returns_to_the_page(
    owner_client: Client, service_user: User
) -> None:
    money = default_domain("money")
    response = owner_client.post(
        "/toolbox/status/", {"domain": money.pk, "rating": "7", "note": "Paid a bill"}
    )
    assert response.status_code == 302
    rating = StatusRating.objects.get(owner=service_user)
    assert (rating.domain, rating.rating, rating.note) == (money, 7, "Paid a bill")


@pytest.mark.parametrize("rating", ["11", "-1", "seven", ""])
def test_a_bad_rating_is_refused_and_what_was_typed_is_kept(
    owner_client: Client, rating: str
) -> None:
    response = owner_client.post(
        "/toolbox/status/",
        {"domain": default_domain().pk, "rating": rating, "note": "Keep this note"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Keep this note" in html
    assert not StatusRating.objects.exists()


def test_an_over_long_note_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/status/", {"domain": default_domain().pk, "rating": "5", "note": "x" * 501}
    )
    assert response.status_code == 400
    assert b"at most 500 characters" in response.content


def test_rating_from_a_domain_page(owner_client: Client, service_user: User) -> None:
    leisure = default_domain("leisure")
    response = owner_client.post(f"/toolbox/domains/{leisure.pk}/", {"rating": "9"})
    assert response.status_code == 302
    assert StatusRating.objects.get(owner=service_user).domain == leisure
    assert owner_client.get(f"/toolbox/domains/{leisure.pk}/").status_code == 200


def test_a_person_adds_a_life_domain_of_their_own(owner_client: Client, service_user: User) -> None:
    response = owner_client.post("/toolbox/domains/", {"name": "Music"})
    assert response.status_code == 302
    domain = LifeDomain.objects.get(owner=service_user)
    assert "Music" in owner_client.get("/toolbox/").content.decode()
    duplicate = owner_client.post("/toolbox/domains/", {"name": "music"})
    assert duplicate.status_code == 400
    assert owner_client.post(f"/toolbox/domains/{domain.pk}/remove/").status_code == 302
    domain.refresh_from_db()
    assert domain.archived_at is not None


def test_a_rating_can_be_deleted(owner_client: Client, service_user: User) -> None:
    rating = StatusRatingFactory.create(owner=service_user)
    assert owner_client.post(f"/toolbox/status/{rating.pk}/delete/").status_code == 302
    assert not StatusRating.objects.exists()


# --- Goals -----------------------------------------------------------------------------------


def test_setting_a_goal_with_steps_and_working_through_them(
    owner_client: Client, service_user: User
) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/",
        {
            "title": "Join a walking group",
            "domain": default_domain("physical_health").pk,
            "why": "Fresh air and people",
            "target_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
            "steps": "Find a group\nCall them\nGo once",
        },
    )
    goal = Goal.objects.get(owner=service_user)
    assert response.status_code == 302
    assert response["Location"] == f"/toolbox/goals/{goal.pk}/"
    steps = list(goal.steps.all())
    assert [s.text for s in steps] == ["Find a group", "Call them", "Go once"]
    owner_client.post(f"/toolbox/steps/{steps[0].pk}/toggle/", {"done": "1"})
    owner_client.post(f"/toolbox/steps/{steps[2].pk}/move/", {"direction": "up"})
    owner_client.post(f"/toolbox/goals/{goal.pk}/", {"text": "Buy boots"})
    page = owner_client.get(f"/toolbox/goals/{goal.pk}/").content.decode()
    assert "25 % done" in page
    assert page.index("Go once") < page.index("Call them") < page.index("Buy boots")
    owner_client.post(f"/toolbox/steps/{steps[1].pk}/delete/")
    assert not GoalStep.objects.filter(pk=steps[1].pk).exists()


def test_a_goal_without_a_title_is_refused_and_the_rest_is_kept(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/",
        {"title": "", "domain": default_domain().pk, "why": "Because I want to", "steps": "One"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My goal: This field is required." in html
    assert "Because I want to" in html
    assert not Goal.objects.exists()


def test_an_over_long_goal_title_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/goals/create/", {"title": "x" * 201, "domain": default_domain().pk}
    )
    assert response.status_code == 400
    assert not Goal.objects.exists()


def test_the_goal_form_starts_with_the_domain_from_the_control_panel(
    owner_client: Client,
) -> None:
    money = default_domain("money")
    html = owner_client.get(f"/toolbox/goals/create/?domain={money.pk}").content.decode()
    assert f'<option value="{money.pk}" selected>' in html


def test_editing_a_goal_and_marking_it_achieved(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    assert owner_client.get(f"/toolbox/goals/{goal.pk}/edit/").status_code == 200
    response = owner_client.post(
        f"/toolbox/goals/{goal.pk}/edit/",
        {
            "title": "Done it",
            "domain": goal.domain_id,
            "manual_progress": "100",
            "status": "achieved",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.manual_progress) == ("Done it", "achieved", 100)
    listing = owner_client.get("/toolbox/goals/?status=achieved").content.decode()
    assert "Done it" in listing
    assert "Done it" not in owner_client.get("/toolbox/goals/").content.decode()


def test_bad_progress_is_refused_on_edit(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/goals/{goal.pk}/edit/",
        {"title": "x", "domain": goal.domain_id, "manual_progress": "150", "status": "active"},
    )
    assert response.status_code == 400


def test_deleting_a_goal_asks_first(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    confirm = owner_client.get(f"/toolbox/goals/{goal.pk}/delete/")
    assert b"Yes, delete" in confirm.content
    assert Goal.objects.exists()
    assert owner_client.post(f"/toolbox/goals/{goal.pk}/delete/").status_code == 302
    assert not Goal.objects.exists()


def test_provider_comments_on_a_goal_and_the_owner_answers(
    owner_client: Client, provider_client: Client, service_user: User, provider: User
) -> None:
    share_with(provider, service_user, Module.GOALS, level=Level.COMMENT)
    goal = GoalFactory.create(owner=service_user)
    base = f"/people/{service_user.pk}/goals/{goal.pk}"
    assert b"Add comment" in provider_client.get(f"{base}/").content
    response = provider_client.post(f"{base}/comments/", {"body": "Great first step"})
    assert response.status_code == 302
    empty = provider_client.post(f"{base}/comments/", {"body": ""})
    assert empty.status_code == 400
    page = owner_client.get(f"/toolbox/goals/{goal.pk}/").content.decode()
    assert "Great first step" in page
    answer = owner_client.post(f"/toolbox/goals/{goal.pk}/comments/", {"body": "Thank you"})
    assert answer.status_code == 302
    assert list(Comment.objects.values_list("author_id", flat=True)) == [
        provider.pk,
        service_user.pk,
    ]
    assert "Thank you" in provider_client.get(f"{base}/").content.decode()
    assert "2 comments" in provider_client.get(f"/people/{service_user.pk}/goals/").content.decode()


def test_an_over_long_comment_is_refused(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    response = owner_client.post(f"/toolbox/goals/{goal.pk}/comments/", {"body": "x" * 2001})
    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- Activities ------------------------------------------------------------------------------


def test_logging_an_activity_for_a_goal(owner_client: Client, service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    page = owner_client.get(f"/toolbox/activities/?goal={goal.pk}").content.decode()
    assert f'<option value="{goal.pk}" selected>' in page
    response = owner_client.post(
        "/toolbox/activities/",
        {
            "description": "Opened the letters",
            "done_on": timezone.localdate().isoformat(),
            "goal": goal.pk,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(owner=service_user)
    assert (activity.goal, activity.domain) == (goal, goal.domain)


def test_an_activity_without_domain_or_goal_is_refused(owner_client: Client) -> None:
    response = owner_client.post(
        "/toolbox/activities/",
        {"description": "Walked", "done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert b"Choose a life domain, or a goal." in response.content
    assert b"Walked" in response.content


def test_an_activity_can_be_changed_and_deleted(owner_client: Client, service_user: User) -> None:
    activity = ActivityFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/activities/{activity.pk}/edit/",
        {
            "description": "Cycled",
            "done_on": timezone.localdate().isoformat(),
            "domain": default_domain("leisure").pk,
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.description == "Cycled"
    owner_client.post(f"/toolbox/activities/{activity.pk}/delete/")
    assert not Activity.objects.exists()


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


# --- Journal ---------------------------------------------------------------------------------


def test_writing_sharing_and_unsharing_a_journal_entry(
    owner_client: Client, provider_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL, level=Level.COMMENT)
    response = owner_client.post(
        "/toolbox/journal/create/",
        {"title": "A better day", "body": "I *went out*.\n\n<script>alert(1)</script>"},
    )
    entry = JournalEntry.objects.get(owner=service_user)
    assert response["Location"] == f"/toolbox/journal/{entry.pk}/"
    page = owner_client.get(f"/toolbox/journal/{entry.pk}/").content.decode()
    assert "<em>went out</em>" in page
    assert "<script>alert" not in page
    assert "Only you. This entry is private." in page

    shared_path = f"/people/{service_user.pk}/journal/{entry.pk}/"
    assert provider_client.get(shared_path).status_code == 404
    owner_client.post(f"/toolbox/journal/{entry.pk}/share/", {"relationship": relationship.pk})
    assert JournalShare.objects.filter(entry=entry, relationship=relationship).exists()
    assert "A better day" in provider_client.get(shared_path).content.decode()
    comment = provider_client.post(f"{shared_path}comments/", {"body": "Glad to read this"})
    assert comment.status_code == 302
    assert "Glad to read this" in owner_client.get(f"/toolbox/journal/{entry.pk}/").content.decode()

    owner_client.post(f"/toolbox/journal/{entry.pk}/unshare/{relationship.pk}/")
    assert provider_client.get(shared_path).status_code == 404


def test_sharing_with_someone_outside_the_care_team_is_refused(
    owner_client: Client, service_user: User, provider: User
) -> None:
    entry = JournalEntryFactory.create(owner=service_user)
    response = owner_client.post(f"/toolbox/journal/{entry.pk}/share/", {"relationship": "999"})
    assert response.status_code == 400
    assert not JournalShare.objects.exists()


def test_a_journal_entry_without_a_body_is_refused(owner_client: Client) -> None:
    response = owner_client.post("/toolbox/journal/create/", {"title": "Only a title"})
    assert response.status_code == 400
    assert b'value="Only a title"' in response.content


def test_the_journal_list_says_who_sees_each_entry(
    owner_client: Client, service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    JournalShareFactory.create(
        entry=JournalEntryFactory.create(owner=service_user, title="Shared one"),
        relationship=relationship,
    )
    JournalEntryFactory.create(owner=service_user, title="Private one")
    html = owner_client.get("/toolbox/journal/").content.decode()
    assert "Shared with Real Name" in html or f"Shared with {provider.get_full_name()}" in html
    assert "Private" in html


def test_editing_and_deleting_a_journal_entry(owner_client: Client, service_user: User) -> None:
    entry = JournalEntryFactory.create(owner=service_user)
    response = owner_client.post(
        f"/toolbox/journal/{entry.pk}/edit/", {"title": "New title", "body": "New body"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "New title"
    assert b"Yes, delete" in owner_client.get(f"/toolbox/journal/{entry.pk}/delete/").content
    owner_client.post(f"/toolbox/journal/{entry.pk}/delete/")
    assert not JournalEntry.objects.exists()


# --- Pagination and the organisation's domains -----------------------------------------------


def test_lists_paginate_at_50(owner_client: Client, service_user: User) -> None:
    ActivityFactory.create_batch(51, owner=service_user)
    first = owner_client.get("/toolbox/activities/").content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in owner_client.get("/toolbox/activities/?page=2").content.decode()


def test_an_admin_changes_the_organisations_life_domains(
    org_admin: User, organisation: Organisation, service_user: User, owner_client: Client
) -> None:
    admin = Client()
    admin.force_login(org_admin)
    path = f"/toolbox/organisations/{organisation.pk}/domains/"
    assert admin.get(path).status_code == 200
    admin.post(path, {"action": "hide", "domain": default_domain("money").pk})
    admin.post(path, {"action": "add", "name": "Housing"})
    bad = admin.post(path, {"action": "add", "name": ""})
    assert bad.status_code == 400
    html = owner_client.get("/toolbox/").content.decode()
    assert "Housing" in html
    assert ">Money<" not in html
    assert owner_client.get(path).status_code == 404
