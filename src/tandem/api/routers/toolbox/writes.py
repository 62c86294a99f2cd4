"""Changing one's own toolbox: ratings, goals with their steps, activities, journal entries.

Only the owner changes their toolbox, as on the pages (``gates.own_toolbox``: someone else's
id is a 404 and a security event). Each change reads its input with the page's form and calls
the page's service, so a rule changed there changes here; nothing here asks for fresh proof
of identity, as the pages do not for these. The answer is the item as it now is.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Status

from tandem.accounts.models import User
from tandem.api.routers.common import WRITE_REFUSALS, Id, checked, fields_named
from tandem.api.routers.toolbox import shapes
from tandem.api.routers.toolbox.gates import own_toolbox, router
from tandem.api.schemas import (
    ActivityIn,
    ActivityOut,
    GoalChangeIn,
    GoalDetailOut,
    GoalIn,
    JournalEntryChangeIn,
    JournalEntryIn,
    JournalEntryOut,
    RatingIn,
    RatingOut,
    StepChangeIn,
    StepIn,
)
from tandem.care.models import Module
from tandem.toolbox import access, selectors, services
from tandem.toolbox.forms import (
    ActivityForm,
    GoalCreateForm,
    GoalEditForm,
    JournalEntryForm,
    StatusForm,
    StepForm,
)
from tandem.toolbox.models import Goal

# The pages' form fields → the API's names for them, for the messages of a refusal.
NAMES = {"domain": "domain_id", "goal": "goal_id"}


def _goal_answer(goal: Goal, status: int = 200) -> Status[dict[str, Any]]:
    detail = selectors.goal_detail(goal.owner, goal)
    return Status(status, shapes.goal_detail(detail))


@router.post("/people/{owner_id}/status", response={201: RatingOut, **WRITE_REFUSALS})
def rating_create(request: HttpRequest, owner_id: Id, payload: RatingIn) -> Status[dict[str, Any]]:
    """Rate how things are in one life domain (0 to 10), with a note if wanted."""
    owner = own_toolbox(request, owner_id, Module.STATUS)
    with fields_named(NAMES):
        data = checked(
            StatusForm(
                {"domain": payload.domain_id, "rating": payload.rating, "note": payload.note},
                owner=owner,
            )
        )
        rating = services.record_status(
            owner=owner, domain=data["domain"], rating=data["rating"], note=data["note"]
        )
    return Status(201, shapes.rating(rating))


@router.post("/people/{owner_id}/goals", response={201: GoalDetailOut, **WRITE_REFUSALS})
def goal_create(request: HttpRequest, owner_id: Id, payload: GoalIn) -> Status[dict[str, Any]]:
    """Set a goal, with its first steps if wanted."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    form = GoalCreateForm(
        {
            "domain": payload.domain_id,
            "title": payload.title,
            "why": payload.why,
            "target_date": payload.target_date,
            "manual_progress": payload.manual_progress,
            "steps": "\n".join(payload.steps),
        },
        owner=owner,
    )
    with fields_named(NAMES):
        data = checked(form)
        goal = services.create_goal_from_form(owner=owner, data=data)
    return _goal_answer(goal, 201)


@router.patch("/people/{owner_id}/goals/{goal_id}", response={200: GoalDetailOut, **WRITE_REFUSALS})
def goal_change(
    request: HttpRequest, owner_id: Id, goal_id: Id, payload: GoalChangeIn
) -> Status[dict[str, Any]]:
    """Change a goal: its title, domain, why, target date, progress set by hand, or status
    (active, achieved, paused, dropped). Fields not sent keep their value."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    goal = access.get_goal_for_owner(owner, goal_id)
    sent = payload.dict(exclude_unset=True)
    if "domain_id" in sent:
        sent["domain"] = sent.pop("domain_id")
    with fields_named(NAMES):
        data = checked(GoalEditForm(GoalEditForm.values_of(goal) | sent, owner=owner))
        services.update_goal_from_form(owner=owner, goal=goal, data=data)
    return _goal_answer(goal)


@router.post(
    "/people/{owner_id}/goals/{goal_id}/steps", response={201: GoalDetailOut, **WRITE_REFUSALS}
)
def step_create(
    request: HttpRequest, owner_id: Id, goal_id: Id, payload: StepIn
) -> Status[dict[str, Any]]:
    """Add a step at the end of the goal's list; the answer is the goal with its steps."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    goal = access.get_goal_for_owner(owner, goal_id)
    with fields_named(NAMES):
        data = checked(StepForm({"text": payload.text}))
        services.add_step(owner=owner, goal=goal, text=data["text"])
    return _goal_answer(goal, 201)


@router.patch(
    "/people/{owner_id}/goals/{goal_id}/steps/{step_id}",
    response={200: GoalDetailOut, **WRITE_REFUSALS},
)
def step_change(
    request: HttpRequest, owner_id: Id, goal_id: Id, step_id: Id, payload: StepChangeIn
) -> Status[dict[str, Any]]:
    """Tick a step off (``done: true``) or undo that; the goal's progress follows its steps."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    step = access.get_step_for_owner(owner, step_id)
    if step.goal_id != goal_id:
        # The step of another of the person's goals: not found at this address.
        raise Http404
    services.set_step_done(owner=owner, step=step, done=payload.done)
    return _goal_answer(step.goal)


def _activity_form(payload: ActivityIn, owner: User) -> ActivityForm:
    return ActivityForm(
        {
            "description": payload.description,
            # Today unless said otherwise, as the page's form starts.
            "done_on": payload.done_on or timezone.localdate(),
            "domain": payload.domain_id,
            "goal": payload.goal_id,
        },
        owner=owner,
    )


@router.post("/people/{owner_id}/activities", response={201: ActivityOut, **WRITE_REFUSALS})
def activity_create(
    request: HttpRequest, owner_id: Id, payload: ActivityIn
) -> Status[dict[str, Any]]:
    """Log something the owner did, towards a goal (and so in its domain) or in a domain."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    with fields_named(NAMES):
        data = checked(_activity_form(payload, owner))
        activity = services.log_activity(
            owner=owner,
            description=data["description"],
            done_on=data["done_on"],
            domain=data["domain"],
            goal=data["goal"],
        )
    return Status(201, shapes.activity(activity))


@router.put(
    "/people/{owner_id}/activities/{activity_id}", response={200: ActivityOut, **WRITE_REFUSALS}
)
def activity_change(
    request: HttpRequest, owner_id: Id, activity_id: Id, payload: ActivityIn
) -> Status[dict[str, Any]]:
    """Change a logged activity (send all of it, as the page's form does)."""
    owner = own_toolbox(request, owner_id, Module.GOALS)
    activity = access.get_activity_for_owner(owner, activity_id)
    with fields_named(NAMES):
        data = checked(_activity_form(payload, owner))
        services.update_activity(
            owner=owner,
            activity=activity,
            description=data["description"],
            done_on=data["done_on"],
            domain=data["domain"],
            goal=data["goal"],
        )
    return Status(200, shapes.activity(activity))


@router.post("/people/{owner_id}/journal", response={201: JournalEntryOut, **WRITE_REFUSALS})
def journal_create(
    request: HttpRequest, owner_id: Id, payload: JournalEntryIn
) -> Status[dict[str, Any]]:
    """Write a journal entry. Only its owner sees it until they share it (in Tandem)."""
    owner = own_toolbox(request, owner_id, Module.JOURNAL)
    data = checked(JournalEntryForm({"title": payload.title, "body": payload.body}))
    entry = services.write_journal_entry(owner=owner, title=data["title"], body=data["body"])
    return Status(201, shapes.journal_entry(entry))


@router.patch(
    "/people/{owner_id}/journal/{entry_id}", response={200: JournalEntryOut, **WRITE_REFUSALS}
)
def journal_change(
    request: HttpRequest, owner_id: Id, entry_id: Id, payload: JournalEntryChangeIn
) -> Status[dict[str, Any]]:
    """Change a journal entry's title or text (fields not sent keep their value). Anyone it
    is shared with sees the change."""
    owner = own_toolbox(request, owner_id, Module.JOURNAL)
    entry = access.get_journal_entry_for_owner(owner, entry_id)
    current = {"title": entry.title, "body": entry.body}
    data = checked(JournalEntryForm(current | payload.dict(exclude_unset=True)))
    services.edit_journal_entry(owner=owner, entry=entry, title=data["title"], body=data["body"])
    return Status(200, shapes.journal_entry(entry))
