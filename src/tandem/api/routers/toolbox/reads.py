"""Reading the toolbox's modules, for their owner and, through the care gate, for the care team.

Every read starts with the care gate (``gates.module_access``, ``gates.item_access``), the
pages' one door: the owner always passes; anyone else needs a verified provider's active
relationship and a grant (or an open joint session showing the module), and each allowed read
goes to the owner's access log as a page read does; a refusal is a 404 and a security event.
Owner ids are people's ids; a service user passes their own (``GET /me``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from tandem.accounts.models import User
from tandem.api.routers.common import REFUSALS, Id, PageNumber, paged, person
from tandem.api.routers.toolbox import shapes
from tandem.api.routers.toolbox.gates import item_access, module_access, own_toolbox, router
from tandem.api.schemas import (
    ActivityOut,
    CrisisPlanOut,
    DomainOut,
    GoalDetailOut,
    GoalOut,
    JournalEntryOut,
    MedicationOut,
    NetworkMemberOut,
    Page,
    RatingOut,
)
from tandem.care.models import Module
from tandem.toolbox import access, selectors
from tandem.toolbox.selectors.access_log import GOAL


@router.get("/people/{owner_id}/domains", response={200: list[DomainOut], **REFUSALS})
def domains(request: HttpRequest, owner_id: Id) -> list[dict[str, Any]]:
    """The owner's life domains, in their order: the ids to rate and to set goals in. For the
    owner only (the care team reads each item's domain with the item)."""
    owner = own_toolbox(request, owner_id, Module.STATUS)
    return [{"id": d.pk, "label": d.label} for d in selectors.visible_domains(owner)]


@router.get("/people/{owner_id}/status", response={200: Page[RatingOut], **REFUSALS})
def status(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Status ratings, newest first."""
    owner = module_access(request, owner_id, Module.STATUS).owner
    return paged(selectors.ratings_for_owner(owner), page, shapes.rating)


@router.get("/people/{owner_id}/goals", response={200: Page[GoalOut], **REFUSALS})
def goals(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Goals with their progress, most recently changed first."""
    owner = module_access(request, owner_id, Module.GOALS).owner
    return paged(selectors.goals_for_owner(owner), page, shapes.goal)


@router.get("/people/{owner_id}/goals/{goal_id}", response={200: GoalDetailOut, **REFUSALS})
def goal_detail(request: HttpRequest, owner_id: Id, goal_id: Id) -> dict[str, Any]:
    """A goal with its steps (the step ids to tick off), logged as a read of that goal when
    someone else reads it, as the goal's page is."""
    read = item_access(
        request,
        owner_id,
        Module.GOALS,
        kind=GOAL,
        fetch=lambda owner: access.get_goal_for_owner(owner, goal_id),
    )
    return shapes.goal_detail(selectors.goal_detail(read.seen.owner, read.item))


@router.get("/people/{owner_id}/activities", response={200: Page[ActivityOut], **REFUSALS})
def activities(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Things the owner did, newest first (part of the goals module, as on the pages)."""
    owner = module_access(request, owner_id, Module.GOALS).owner
    return paged(selectors.activities_for_owner(owner), page, shapes.activity)


@router.get("/people/{owner_id}/medications", response={200: list[MedicationOut], **REFUSALS})
def medications(request: HttpRequest, owner_id: Id) -> list[dict[str, Any]]:
    """Current medications first, then past ones (as the page lists them)."""
    owner = module_access(request, owner_id, Module.MEDICATIONS).owner
    today = timezone.localdate()
    current = selectors.current_medications(owner)
    past = selectors.past_medications(owner)
    return [shapes.medication(m, today) for m in [*current, *past]]


@router.get("/people/{owner_id}/network", response={200: Page[NetworkMemberOut], **REFUSALS})
def network(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """People and services on the network map, inner circle first."""
    owner = module_access(request, owner_id, Module.NETWORK).owner
    return paged(selectors.network_for_owner(owner), page, shapes.network_member)


@router.get("/people/{owner_id}/crisis-plan", response={200: CrisisPlanOut, **REFUSALS})
def crisis_plan(request: HttpRequest, owner_id: Id) -> dict[str, Any]:
    """The seven sections of the crisis plan with their prompts (empty text when not written).

    The organisation's crisis contacts are not personal data: the crisis page has them."""
    owner: User = module_access(request, owner_id, Module.CRISIS_PLAN).owner
    return shapes.crisis_plan(owner, selectors.crisis_plan_for_owner(owner))


@router.get("/people/{owner_id}/journal", response={200: Page[JournalEntryOut], **REFUSALS})
def journal(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Journal entries, newest first: all of them for the owner; for a care provider only the
    entries shared with their relationship (and only with the journal grant)."""
    seen = module_access(request, owner_id, Module.JOURNAL)
    entries = (
        selectors.journal_for_owner(seen.owner)
        if seen.is_owner
        else selectors.journal_shared_with(person(request), seen.owner)
    )
    return paged(entries, page, shapes.journal_entry)
