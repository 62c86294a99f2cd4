"""Changing one's own toolbox through the API: the pages' forms and services (their checks,
their messages), the owner only (someone else's id is a 404 and a security event, whatever
their grants), and the answers as the reads give them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.api.tests.conftest import ApiClient, token_for
from tandem.care.models import AccessLogEntry, CareRelationship, Grant, Level, Module, SecurityEvent
from tandem.toolbox.models import Activity, Goal, GoalStatus, GoalStep, JournalEntry, StatusRating
from tandem.toolbox.tests.factories import (
    GoalFactory,
    GoalStepFactory,
    JournalEntryFactory,
    PersonalDomainFactory,
    default_domain,
)

pytestmark = pytest.mark.django_db


def _url(owner: User | int, path: str) -> str:
    owner_id = owner if isinstance(owner, int) else owner.pk
    return f"/api/v1/people/{owner_id}/{path}"


def _patch(client: ApiClient, path: str, data: object) -> Any:
    return client.patch(path, data, content_type="application/json")


def test_the_owner_sets_a_goal_ticks_off_a_step_and_marks_it_achieved(
    service_user: User,
) -> None:
    client = ApiClient(token_for(service_user))
    domains = client.get(_url(service_user, "domains")).json()
    home = next(d for d in domains if d["id"] == default_domain("home").pk)
    made = client.post_json(
        _url(service_user, "goals"),
        {
            "domain_id": home["id"],
            "title": "  Walk every day ",
            "why": "Air",
            "target_date": str(timezone.localdate() + timedelta(days=30)),
            "steps": ["Find shoes", "  ", "Walk to the park"],
        },
    )
    assert made.status_code == 201, made.content
    goal = made.json()
    assert (goal["title"], goal["domain"], goal["progress"]) == ("Walk every day", home["label"], 0)
    assert [s["text"] for s in goal["steps"]] == ["Find shoes", "Walk to the park"]

    first = goal["steps"][0]["id"]
    ticked = _patch(client, _url(service_user, f"goals/{goal['id']}/steps/{first}"), {"done": True})
    assert ticked.status_code == 200
    assert ticked.json()["progress"] == 50
    assert GoalStep.objects.get(pk=first).done

    added = client.post_json(_url(service_user, f"goals/{goal['id']}/steps"), {"text": "Rest"})
    assert added.status_code == 201
    assert [s["text"] for s in added.json()["steps"]][-1] == "Rest"

    done = _patch(client, _url(service_user, f"goals/{goal['id']}"), {"status": "achieved"})
    assert done.status_code == 200
    stored = Goal.objects.get(pk=goal["id"])
    # Only the status changed; what was not sent kept its value.
    assert (stored.status, stored.title, stored.why) == (
        GoalStatus.ACHIEVED,
        "Walk every day",
        "Air",
    )
    assert client.get(_url(service_user, f"goals/{goal['id']}")).json() == done.json()


def test_a_goal_without_steps_takes_its_progress_by_hand(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    goal = GoalFactory.create(owner=service_user)
    changed = _patch(client, _url(service_user, f"goals/{goal.pk}"), {"manual_progress": 40})
    assert changed.json()["progress"] == 40
    refused = _patch(client, _url(service_user, f"goals/{goal.pk}"), {"manual_progress": 140})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert list(refused.json()["fields"]) == ["manual_progress"]


def test_the_pages_checks_refuse_bad_goals_naming_the_field_sent(
    service_user: User, make_member: Callable[..., User]
) -> None:
    client = ApiClient(token_for(service_user))
    someone_elses = PersonalDomainFactory.create(owner=make_member())
    past = str(timezone.localdate() - timedelta(days=1))
    cases = [
        ({"domain_id": someone_elses.pk, "title": "Mine"}, "domain_id"),
        ({"domain_id": default_domain().pk, "title": "  "}, "title"),
        ({"domain_id": default_domain().pk, "title": "Late", "target_date": past}, "target_date"),
    ]
    for body, field in cases:
        response = client.post_json(_url(service_user, "goals"), body)
        assert response.status_code == 400, body
        assert field in response.json()["fields"], response.json()
    # A step is one line: the schema says so, as the page's form takes a step per line.
    two_lines = {"domain_id": default_domain().pk, "title": "T", "steps": ["a\nb"]}
    assert client.post_json(_url(service_user, "goals"), two_lines).status_code == 422
    assert not Goal.objects.exists()


def test_the_owner_rates_a_domain_and_a_rating_past_10_is_refused(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    domain = default_domain("work_study").pk
    made = client.post_json(
        _url(service_user, "status"), {"domain_id": domain, "rating": 7, "note": "Better"}
    )
    assert made.status_code == 201
    assert (made.json()["rating"], made.json()["domain_id"]) == (7, domain)
    assert client.get(_url(service_user, "status")).json()["items"] == [made.json()]
    refused = client.post_json(_url(service_user, "status"), {"domain_id": domain, "rating": 11})
    assert refused.status_code == 400
    assert "rating" in refused.json()["fields"]
    assert StatusRating.objects.count() == 1


def test_activities_are_logged_for_today_under_a_goal_or_a_domain(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    goal = GoalFactory.create(owner=service_user, domain=default_domain("physical_health"))
    made = client.post_json(
        _url(service_user, "activities"), {"description": "Walked", "goal_id": goal.pk}
    )
    assert made.status_code == 201
    assert made.json()["done_on"] == str(timezone.localdate())
    assert made.json()["domain_id"] == goal.domain_id  # the goal's domain
    changed = client.put(
        _url(service_user, f"activities/{made.json()['id']}"),
        {"description": "Walked far", "domain_id": default_domain("home").pk},
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert Activity.objects.get().description == "Walked far"
    neither = client.post_json(_url(service_user, "activities"), {"description": "Something"})
    assert neither.status_code == 400
    assert "domain_id" in neither.json()["fields"]
    tomorrow = str(timezone.localdate() + timedelta(days=1))
    future = client.post_json(
        _url(service_user, "activities"),
        {"description": "Later", "domain_id": default_domain().pk, "done_on": tomorrow},
    )
    assert future.status_code == 400
    assert "done_on" in future.json()["fields"]
    listed = client.get(_url(service_user, "activities")).json()
    assert [a["description"] for a in listed["items"]] == ["Walked far"]


def test_the_owner_writes_and_changes_a_journal_entry(service_user: User) -> None:
    client = ApiClient(token_for(service_user))
    made = client.post_json(
        _url(service_user, "journal"), {"title": "Monday", "body": "A *good* day"}
    )
    assert made.status_code == 201
    assert made.json()["body_html"] == "<p>A <em>good</em> day</p>\n"
    entry_id = made.json()["id"]
    changed = _patch(client, _url(service_user, f"journal/{entry_id}"), {"title": "Tuesday"})
    assert changed.status_code == 200
    entry = JournalEntry.objects.get(pk=entry_id)
    assert (entry.title, entry.body) == ("Tuesday", "A *good* day")
    blank = _patch(client, _url(service_user, f"journal/{entry_id}"), {"body": "   "})
    assert blank.status_code == 400
    assert "body" in blank.json()["fields"]
    too_long = client.post_json(_url(service_user, "journal"), {"title": "x" * 201, "body": "b"})
    assert too_long.status_code == 422
    assert JournalEntry.objects.count() == 1


def test_a_provider_with_every_grant_changes_nothing_and_the_attempt_is_a_security_event(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner, provider = relationship.service_user, relationship.provider
    for module in (Module.GOALS, Module.JOURNAL, Module.STATUS):
        grant(relationship, module, Level.COMMENT)
    goal = GoalFactory.create(owner=owner, title="Mine")
    step = GoalStepFactory.create(goal=goal)
    entry = JournalEntryFactory.create(owner=owner, title="Private")
    client = ApiClient(token_for(provider))
    attempts = [
        client.post_json(_url(owner, "goals"), {"domain_id": goal.domain_id, "title": "Theirs"}),
        _patch(client, _url(owner, f"goals/{goal.pk}"), {"title": "Changed"}),
        client.post_json(_url(owner, f"goals/{goal.pk}/steps"), {"text": "More"}),
        _patch(client, _url(owner, f"goals/{goal.pk}/steps/{step.pk}"), {"done": True}),
        client.post_json(_url(owner, "status"), {"domain_id": goal.domain_id, "rating": 1}),
        client.post_json(_url(owner, "journal"), {"title": "T", "body": "B"}),
        _patch(client, _url(owner, f"journal/{entry.pk}"), {"title": "Changed"}),
        client.post_json(_url(owner, "activities"), {"description": "D", "goal_id": goal.pk}),
        client.get(_url(owner, "domains")),
    ]
    assert [a.status_code for a in attempts] == [404] * len(attempts)
    goal.refresh_from_db()
    step.refresh_from_db()
    entry.refresh_from_db()
    assert (goal.title, step.done, entry.title) == ("Mine", False, "Private")
    assert Goal.objects.count() == 1
    assert not StatusRating.objects.exists()
    assert not Activity.objects.exists()
    assert SecurityEvent.objects.filter(viewer=provider).count() == len(attempts)
    assert not AccessLogEntry.objects.exists()


def test_other_peoples_ids_under_ones_own_toolbox_are_404(
    service_user: User, make_member: Callable[..., User]
) -> None:
    other = make_member()
    theirs = GoalFactory.create(owner=other)
    their_step = GoalStepFactory.create(goal=theirs)
    their_entry = JournalEntryFactory.create(owner=other)
    mine = GoalFactory.create(owner=service_user)
    my_other_goal = GoalFactory.create(owner=service_user)
    my_step = GoalStepFactory.create(goal=my_other_goal)
    client = ApiClient(token_for(service_user))
    answers = [
        _patch(client, _url(service_user, f"goals/{theirs.pk}"), {"title": "Mine now"}),
        client.post_json(_url(service_user, f"goals/{theirs.pk}/steps"), {"text": "x"}),
        _patch(
            client, _url(service_user, f"goals/{mine.pk}/steps/{their_step.pk}"), {"done": True}
        ),
        # A step of another of one's own goals is not found under this one.
        _patch(client, _url(service_user, f"goals/{mine.pk}/steps/{my_step.pk}"), {"done": True}),
        _patch(client, _url(service_user, f"journal/{their_entry.pk}"), {"title": "x"}),
        client.get(_url(service_user, f"goals/{theirs.pk}")),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    # An activity towards someone else's goal: the form offers only one's own goals.
    refused = client.post_json(
        _url(service_user, "activities"), {"description": "D", "goal_id": theirs.pk}
    )
    assert refused.status_code == 400
    assert "goal_id" in refused.json()["fields"]
    assert not GoalStep.objects.filter(done=True).exists()


def test_people_without_a_toolbox_have_nothing_to_change(make_member: Callable[..., User]) -> None:
    provider = make_member(Role.PROVIDER, totp=True)
    client = ApiClient(token_for(provider))
    made = client.post_json(_url(provider, "journal"), {"title": "T", "body": "B"})
    assert made.status_code == 404
    assert not JournalEntry.objects.exists()


def test_a_provider_reads_a_goal_with_its_steps_logged_as_a_read_of_that_goal(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    owner = relationship.service_user
    grant(relationship, Module.GOALS, Level.VIEW)
    goal = GoalFactory.create(owner=owner, title="Sleep better")
    GoalStepFactory.create(goal=goal, text="No screens", done=True)
    GoalStepFactory.create(goal=goal, text="Same bedtime")
    read = ApiClient(token_for(relationship.provider)).get(_url(owner, f"goals/{goal.pk}"))
    assert read.status_code == 200
    assert (read.json()["progress"], len(read.json()["steps"])) == (50, 2)
    entry = AccessLogEntry.objects.get()
    assert (entry.module, entry.item_kind, entry.item_id) == (Module.GOALS, "goal", goal.pk)
