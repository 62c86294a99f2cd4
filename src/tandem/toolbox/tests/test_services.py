"""Domain rules of the toolbox, tested on the services directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Comment, Module, RelationshipStatus
from tandem.toolbox import selectors, services
from tandem.toolbox.models import (
    Circle,
    CrisisPlan,
    GoalStatus,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Quality,
    StatusRating,
)
from tandem.toolbox.tests.factories import (
    ActivityFactory,
    CrisisPlanFactory,
    ExercisePracticeFactory,
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    MedicationFactory,
    NetworkMemberFactory,
    PersonalDomainFactory,
    StatusRatingFactory,
    default_domain,
    share_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_user(make_member: Callable[..., User]) -> User:
    return make_member(Role.SERVICE_USER)


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test-only names
        return str(cursor.fetchone()[0])


# --- Life domains ----------------------------------------------------------------------------


def test_the_eight_default_domains_are_seeded_and_visible(service_user: User) -> None:
    labels = [domain.label for domain in selectors.visible_domains(service_user)]
    assert labels == [
        "Home",
        "Work and study",
        "Money",
        "Relationships and social network",
        "Physical health",
        "Mental health",
        "Leisure",
        "Daily living",
    ]


def test_a_person_can_add_and_remove_a_domain_of_their_own(
    service_user: User, other_user: User
) -> None:
    domain = services.add_personal_domain(owner=service_user, name="  Faith  ")
    assert domain.label == "Faith"
    assert selectors.visible_domains(service_user)[-1] == domain
    assert domain not in selectors.visible_domains(other_user)
    services.remove_personal_domain(owner=service_user, domain=domain)
    assert domain not in selectors.visible_domains(service_user)


def test_a_personal_domain_cannot_repeat_a_name(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_personal_domain(owner=service_user, name="money")
    assert "name" in error.value.message_dict


def test_a_personal_domain_needs_a_name(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.add_personal_domain(owner=service_user, name="   ")


def test_personal_domains_are_limited(service_user: User) -> None:
    PersonalDomainFactory.create_batch(services.MAX_PERSONAL_DOMAINS, owner=service_user)
    with pytest.raises(ValidationError):
        services.add_personal_domain(owner=service_user, name="One too many")


def test_removing_someone_elses_domain_is_refused(service_user: User, other_user: User) -> None:
    domain = PersonalDomainFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.remove_personal_domain(owner=service_user, domain=domain)


def test_an_organisation_can_hide_defaults_and_add_its_own(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    money = default_domain("money")
    services.set_default_domain_hidden(
        actor=org_admin, organisation=organisation, domain=money, hidden=True
    )
    own = services.add_organisation_domain(
        actor=org_admin, organisation=organisation, name="Housing support"
    )
    visible = selectors.visible_domains(service_user)
    assert money not in visible
    assert own in visible
    services.set_default_domain_hidden(
        actor=org_admin, organisation=organisation, domain=money, hidden=False
    )
    services.remove_organisation_domain(actor=org_admin, organisation=organisation, domain=own)
    visible = selectors.visible_domains(service_user)
    assert money in visible
    assert own not in visible


def test_another_organisations_domains_stay_out_of_sight(service_user: User) -> None:
    other_org = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
    foreign = LifeDomain.objects.create(organisation=other_org, name="Their domain")
    assert foreign not in selectors.visible_domains(service_user)


def test_only_admins_change_organisation_domains(
    service_user: User, organisation: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_organisation_domain(actor=service_user, organisation=organisation, name="X")
    with pytest.raises(PermissionDenied):
        services.set_default_domain_hidden(
            actor=service_user, organisation=organisation, domain=default_domain(), hidden=True
        )


def test_only_defaults_can_be_hidden(org_admin: User, organisation: Organisation) -> None:
    personal = PersonalDomainFactory.create()
    with pytest.raises(ValidationError):
        services.set_default_domain_hidden(
            actor=org_admin, organisation=organisation, domain=personal, hidden=True
        )


# --- Status ----------------------------------------------------------------------------------


def test_ratings_are_kept_as_history_and_notes_are_encrypted(service_user: User) -> None:
    first = services.record_status(
        owner=service_user, domain=default_domain(), rating=3, note="Hard week"
    )
    services.record_status(owner=service_user, domain=default_domain(), rating=7)
    assert StatusRating.objects.filter(owner=service_user).count() == 2
    assert "Hard week" not in _raw("toolbox_statusrating", "note", first.pk)


@pytest.mark.parametrize("rating", [-1, 11])
def test_ratings_outside_0_to_10_are_refused(service_user: User, rating: int) -> None:
    with pytest.raises(ValidationError) as error:
        services.record_status(owner=service_user, domain=default_domain(), rating=rating)
    assert "rating" in error.value.message_dict


@pytest.mark.parametrize("rating", [0, 10])
def test_ratings_at_the_ends_of_the_scale_are_fine(service_user: User, rating: int) -> None:
    status = services.record_status(owner=service_user, domain=default_domain(), rating=rating)
    assert status.rating == rating


def test_rating_someone_elses_domain_is_refused(service_user: User, other_user: User) -> None:
    with pytest.raises(ValidationError):
        services.record_status(
            owner=service_user, domain=PersonalDomainFactory.create(owner=other_user), rating=5
        )


def test_over_long_notes_are_refused(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.record_status(
            owner=service_user, domain=default_domain(), rating=5, note="x" * 501
        )


def test_deleting_a_rating_needs_the_owner(service_user: User, other_user: User) -> None:
    rating = StatusRatingFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.delete_status_rating(owner=service_user, rating=rating)
    services.delete_status_rating(owner=other_user, rating=rating)
    assert not StatusRating.objects.exists()


# --- Goals and steps -------------------------------------------------------------------------


def test_a_goal_keeps_its_steps_in_order_and_progress_follows_them(service_user: User) -> None:
    goal = services.create_goal(
        owner=service_user,
        domain=default_domain("work_study"),
        title="Find a course",
        why="I want to learn again",
        target_date=timezone.localdate() + timedelta(days=30),
        manual_progress=80,
        steps=["Look online", "", "Call the college", "Visit"],
    )
    steps = list(goal.steps.all())
    assert [s.text for s in steps] == ["Look online", "Call the college", "Visit"]
    assert goal.progress == 0  # with steps, the hand-set figure is ignored
    services.set_step_done(owner=service_user, step=steps[0], done=True)
    assert selectors.goals_for_owner(service_user).get().progress == 33
    assert "Find a course" not in _raw("toolbox_goal", "title", goal.pk)


def test_without_steps_progress_is_set_by_hand(service_user: User) -> None:
    goal = services.create_goal(
        owner=service_user, domain=default_domain(), title="Tidy up", manual_progress=40
    )
    assert selectors.goals_for_owner(service_user).get(pk=goal.pk).progress == 40


def test_a_goal_needs_a_title(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_goal(owner=service_user, domain=default_domain(), title="  ")
    assert "title" in error.value.message_dict


def test_progress_by_hand_stays_within_0_to_100(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.create_goal(
            owner=service_user, domain=default_domain(), title="x", manual_progress=101
        )


def test_over_long_steps_are_refused_with_their_number(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_goal(
            owner=service_user, domain=default_domain(), title="x", steps=["ok", "y" * 301]
        )
    assert "Step 2" in str(error.value.message_dict["steps"])


def test_too_many_steps_are_refused(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.create_goal(
            owner=service_user,
            domain=default_domain(),
            title="x",
            steps=[f"s{i}" for i in range(services.MAX_STEPS_PER_GOAL + 1)],
        )


def test_moving_a_goal_to_another_domain_moves_its_activities(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    activity = ActivityFactory.create(owner=service_user, goal=goal, domain=goal.domain)
    services.update_goal(
        owner=service_user,
        goal=goal,
        domain=default_domain("leisure"),
        title="Renamed",
        why="",
        target_date=None,
        manual_progress=0,
        status=GoalStatus.PAUSED,
    )
    activity.refresh_from_db()
    assert activity.domain == default_domain("leisure")
    goal.refresh_from_db()
    assert (goal.title, goal.status) == ("Renamed", GoalStatus.PAUSED)


def test_changing_someone_elses_goal_is_refused(service_user: User, other_user: User) -> None:
    goal = GoalFactory.create(owner=other_user)
    with pytest.raises(PermissionDenied):
        services.set_goal_status(owner=service_user, goal=goal, status=GoalStatus.DROPPED)
    with pytest.raises(PermissionDenied):
        services.add_step(owner=service_user, goal=goal, text="sneaky")
    with pytest.raises(PermissionDenied):
        services.delete_goal(owner=service_user, goal=goal)


def test_an_unknown_goal_status_is_refused(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    with pytest.raises(ValidationError):
        services.set_goal_status(owner=service_user, goal=goal, status="lost")


def test_steps_can_be_added_moved_and_deleted(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    first = services.add_step(owner=service_user, goal=goal, text="First")
    second = services.add_step(owner=service_user, goal=goal, text="Second")
    services.move_step(owner=service_user, step=second, up=True)
    assert [s.text for s in goal.steps.all()] == ["Second", "First"]
    services.move_step(owner=service_user, step=second, up=True)  # already at the top
    assert [s.text for s in goal.steps.all()] == ["Second", "First"]
    services.delete_step(owner=service_user, step=first)
    assert [s.text for s in goal.steps.all()] == ["Second"]


def test_step_changes_count_as_changes_to_the_goal(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user)
    before = goal.updated_at
    step = services.add_step(owner=service_user, goal=goal, text="Call")
    services.set_step_done(owner=service_user, step=step, done=True)
    goal.refresh_from_db()
    assert goal.updated_at > before
    step.refresh_from_db()
    assert step.done and step.done_at is not None


def test_deleting_a_goal_keeps_its_activities_and_drops_its_comments(
    service_user: User, provider: User
) -> None:
    goal = GoalFactory.create(owner=service_user)
    activity = ActivityFactory.create(owner=service_user, goal=goal)
    Comment.objects.create(
        owner=service_user, author=provider, module=Module.GOALS, item_id=goal.pk, body="Nice"
    )
    services.delete_goal(owner=service_user, goal=goal)
    activity.refresh_from_db()
    assert activity.goal is None
    assert not Comment.objects.exists()


# --- Activities ------------------------------------------------------------------------------


def test_an_activity_under_a_goal_takes_the_goals_domain(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    activity = services.log_activity(owner=service_user, description="Opened post", goal=goal)
    assert activity.domain == goal.domain
    assert activity.done_on == timezone.localdate()


def test_an_activity_needs_a_domain_or_a_goal(service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.log_activity(owner=service_user, description="Something")


def test_an_activity_cannot_mix_a_goal_with_another_domain(service_user: User) -> None:
    goal = GoalFactory.create(owner=service_user, domain=default_domain("money"))
    with pytest.raises(ValidationError) as error:
        services.log_activity(
            owner=service_user, description="x", goal=goal, domain=default_domain("home")
        )
    assert "goal" in error.value.message_dict


def test_an_activity_cannot_hang_on_someone_elses_goal(
    service_user: User, other_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.log_activity(
            owner=service_user, description="x", goal=GoalFactory.create(owner=other_user)
        )


def test_an_activity_can_be_changed_and_deleted(service_user: User) -> None:
    activity = ActivityFactory.create(owner=service_user)
    services.update_activity(
        owner=service_user,
        activity=activity,
        description="Swam",
        done_on=timezone.localdate(),
        domain=default_domain("physical_health"),
        goal=None,
    )
    activity.refresh_from_db()
    assert activity.description == "Swam"
    services.delete_activity(owner=service_user, activity=activity)
    assert not type(activity).objects.exists()


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


# --- Journal ---------------------------------------------------------------------------------


def test_journal_entries_are_private_and_encrypted(service_user: User, provider: User) -> None:
    entry = services.write_journal_entry(owner=service_user, title="Monday", body="Low today")
    assert "Low today" not in _raw("toolbox_journalentry", "body", entry.pk)
    share_with(provider, service_user, Module.JOURNAL)
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_a_journal_entry_needs_a_title_and_a_body(service_user: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.write_journal_entry(owner=service_user, title="", body="")
    assert {"title", "body"} <= set(error.value.message_dict)


def test_sharing_an_entry_reaches_only_that_provider(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    other_provider = make_member(Role.PROVIDER, totp=True)
    relationship = share_with(provider, service_user, Module.JOURNAL)
    share_with(other_provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    assert JournalShare.objects.count() == 1
    assert list(selectors.journal_shared_with(provider, service_user)) == [entry]
    assert not selectors.journal_shared_with(other_provider, service_user).exists()
    services.unshare_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_an_entry_cannot_be_shared_outside_the_care_team(
    service_user: User, other_user: User, provider: User
) -> None:
    foreign = share_with(provider, other_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    with pytest.raises(ValidationError):
        services.share_journal_entry(owner=service_user, entry=entry, relationship=foreign)
    ended = share_with(provider, service_user)
    ended.status = RelationshipStatus.ENDED
    ended.save()
    with pytest.raises(ValidationError):
        services.share_journal_entry(owner=service_user, entry=entry, relationship=ended)
    with pytest.raises(PermissionDenied):
        services.share_journal_entry(owner=other_user, entry=entry, relationship=foreign)


def test_an_ended_relationship_no_longer_sees_shared_entries(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    relationship.status = RelationshipStatus.ENDED
    relationship.save()
    assert not selectors.journal_shared_with(provider, service_user).exists()


def test_deleting_an_entry_deletes_its_shares_and_comments(
    service_user: User, provider: User
) -> None:
    relationship = share_with(provider, service_user, Module.JOURNAL)
    entry = JournalEntryFactory.create(owner=service_user)
    services.share_journal_entry(owner=service_user, entry=entry, relationship=relationship)
    Comment.objects.create(
        owner=service_user, author=provider, module=Module.JOURNAL, item_id=entry.pk, body="Hi"
    )
    services.edit_journal_entry(owner=service_user, entry=entry, title="T", body="B")
    services.delete_journal_entry(owner=service_user, entry=entry)
    assert not JournalEntry.objects.exists()
    assert not JournalShare.objects.exists()
    assert not Comment.objects.exists()


# --- latest_changes (for the caseload) -------------------------------------------------------


def test_latest_changes_reports_each_module_in_a_fixed_number_of_queries(
    service_user: User, other_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    StatusRatingFactory.create(owner=service_user)
    goal = GoalFactory.create(owner=service_user)
    GoalStepFactory.create(goal=goal)
    ActivityFactory.create(owner=service_user)
    MedicationFactory.create(owner=service_user)
    NetworkMemberFactory.create(owner=service_user)
    CrisisPlanFactory.create(owner=service_user)
    ExercisePracticeFactory.create(owner=service_user)
    private = JournalEntryFactory.create(owner=service_user)
    shared = JournalEntryFactory.create(owner=service_user)
    relationship = share_with(provider, service_user, Module.JOURNAL)
    services.share_journal_entry(owner=service_user, entry=shared, relationship=relationship)
    StatusRatingFactory.create(owner=other_user)

    with CaptureQueriesContext(connection) as queries:
        changes = selectors.latest_changes([service_user.pk, other_user.pk])
    assert len(queries) == 8
    # Every module the toolbox holds (questionnaires report their own changes).
    assert set(changes[service_user.pk]) == set(Module.values) - {Module.QUESTIONNAIRES}
    assert set(changes[other_user.pk]) == {Module.STATUS}
    assert changes[service_user.pk][Module.JOURNAL] >= shared.updated_at
    assert private.updated_at is not None

    someone_else = make_member(Role.PROVIDER, totp=True)
    by_provider = selectors.latest_changes([service_user.pk], provider=someone_else)
    assert Module.JOURNAL not in by_provider[service_user.pk]
    assert selectors.latest_changes([]) == {}
