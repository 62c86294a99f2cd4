"""The toolbox's modules, for their owner and, through the care gate, for the care team.

Every read starts with ``care.access.get_module_access_for_viewer``, the pages' one door: the
owner always passes; anyone else needs a verified provider's active relationship and a grant
(or an open joint session showing the module), and each allowed read goes to the owner's
access log as a page read does; a refusal is a 404 and a security event. Owner ids are
people's ids; a service user passes their own (``GET /me``).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from tandem.accounts.models import Role, User
from tandem.accounts.requests import roles_of
from tandem.api.routers.common import REFUSALS, Id, PageNumber, paged, person
from tandem.api.schemas import (
    CrisisPlanOut,
    CrisisPlanSectionOut,
    GoalOut,
    JournalEntryOut,
    MedicationOut,
    NetworkMemberOut,
    Page,
    RatingOut,
)
from tandem.care.access import ModuleAccess, get_module_access_for_viewer
from tandem.care.models import Module
from tandem.core.markdown import render_markdown
from tandem.toolbox import selectors
from tandem.toolbox.models import Goal, JournalEntry, Medication, NetworkMember, StatusRating

router = Router(tags=["Toolbox"])


def _module(request: HttpRequest, owner_id: Id, module: str) -> ModuleAccess:
    """The care gate's answer for this read; the owner needs a toolbox (service users only:
    for anyone else the toolbox pages do not exist either)."""
    seen = get_module_access_for_viewer(person(request), owner_id, module)
    if seen.is_owner and not roles_of(request).has(Role.SERVICE_USER):
        raise Http404
    return seen


@router.get("/people/{owner_id}/status", response={200: Page[RatingOut], **REFUSALS})
def status(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Status ratings, newest first."""
    owner = _module(request, owner_id, Module.STATUS).owner

    def shape(rating: StatusRating) -> dict[str, Any]:
        return {
            "id": rating.pk,
            "domain": rating.domain.label,
            "rating": rating.rating,
            "note": rating.note,
            "recorded_at": rating.recorded_at,
        }

    return paged(selectors.ratings_for_owner(owner), page, shape)


@router.get("/people/{owner_id}/goals", response={200: Page[GoalOut], **REFUSALS})
def goals(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Goals with their progress, most recently changed first."""
    owner = _module(request, owner_id, Module.GOALS).owner

    def shape(goal: Goal) -> dict[str, Any]:
        return {
            "id": goal.pk,
            "domain": goal.domain.label,
            "title": goal.title,
            "why": goal.why,
            "status": goal.status,
            "target_date": goal.target_date,
            "progress": goal.progress,
            "updated_at": goal.updated_at,
        }

    return paged(selectors.goals_for_owner(owner), page, shape)


@router.get("/people/{owner_id}/medications", response={200: list[MedicationOut], **REFUSALS})
def medications(request: HttpRequest, owner_id: Id) -> list[dict[str, Any]]:
    """Current medications first, then past ones (as the page lists them)."""
    owner = _module(request, owner_id, Module.MEDICATIONS).owner
    today = timezone.localdate()

    def shape(medication: Medication) -> dict[str, Any]:
        return {
            "id": medication.pk,
            "name": medication.name,
            "dose": medication.dose,
            "schedule": medication.schedule,
            "purpose": medication.purpose,
            "effects": medication.effects,
            "notes": medication.notes,
            "started_on": medication.started_on,
            "stopped_on": medication.stopped_on,
            "current": medication.stopped_on is None or medication.stopped_on > today,
        }

    current = selectors.current_medications(owner)
    past = selectors.past_medications(owner)
    return [shape(m) for m in current] + [shape(m) for m in past]


@router.get("/people/{owner_id}/network", response={200: Page[NetworkMemberOut], **REFUSALS})
def network(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """People and services on the network map, inner circle first."""
    owner = _module(request, owner_id, Module.NETWORK).owner

    def shape(member: NetworkMember) -> dict[str, Any]:
        return {
            "id": member.pk,
            "name": member.name,
            "relationship": member.relationship,
            "contact": member.contact,
            "circle": member.circle,
            "quality": member.quality,
        }

    return paged(selectors.network_for_owner(owner), page, shape)


@router.get("/people/{owner_id}/crisis-plan", response={200: CrisisPlanOut, **REFUSALS})
def crisis_plan(request: HttpRequest, owner_id: Id) -> dict[str, Any]:
    """The seven sections of the crisis plan with their prompts (empty text when not written).

    The organisation's crisis contacts are not personal data: the crisis page has them."""
    owner: User = _module(request, owner_id, Module.CRISIS_PLAN).owner
    plan = selectors.crisis_plan_for_owner(owner)
    return {
        "owner_id": owner.pk,
        "sections": [
            CrisisPlanSectionOut(key=s.key, title=s.title, prompt=s.prompt, text=s.text)
            for s in selectors.crisis_plan_sections(plan)
        ],
        "updated_at": plan.updated_at if plan is not None else None,
    }


@router.get("/people/{owner_id}/journal", response={200: Page[JournalEntryOut], **REFUSALS})
def journal(request: HttpRequest, owner_id: Id, page: PageNumber = 1) -> dict[str, Any]:
    """Journal entries, newest first: all of them for the owner; for a care provider only the
    entries shared with their relationship (and only with the journal grant)."""
    seen = _module(request, owner_id, Module.JOURNAL)
    entries = (
        selectors.journal_for_owner(seen.owner)
        if seen.is_owner
        else selectors.journal_shared_with(person(request), seen.owner)
    )

    def shape(entry: JournalEntry) -> dict[str, Any]:
        return {
            "id": entry.pk,
            "title": entry.title,
            "body": entry.body,
            "body_html": str(render_markdown(entry.body)),
            "created_at": entry.created_at,
            "updated_at": entry.updated_at,
        }

    return paged(entries, page, shape)
