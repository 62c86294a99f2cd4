"""What the API sends of a toolbox's items: the same for a read and for the answer to a change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.markdown import render_markdown
from tandem.toolbox import selectors
from tandem.toolbox.models import (
    Activity,
    CrisisPlan,
    Goal,
    GoalStep,
    JournalEntry,
    Medication,
    NetworkMember,
    StatusRating,
)
from tandem.toolbox.selectors import GoalDetail


def rating(item: StatusRating) -> dict[str, Any]:
    return {
        "id": item.pk,
        "domain": item.domain.label,
        "domain_id": item.domain_id,
        "rating": item.rating,
        "note": item.note,
        "recorded_at": item.recorded_at,
    }


def goal(item: Goal, *, progress: int | None = None) -> dict[str, Any]:
    """``progress`` when the caller worked it out (a goal's page does, from its steps);
    else the goal's own (needs the selectors' annotations)."""
    return {
        "id": item.pk,
        "domain": item.domain.label,
        "domain_id": item.domain_id,
        "title": item.title,
        "why": item.why,
        "status": item.status,
        "target_date": item.target_date,
        "progress": item.progress if progress is None else progress,
        "updated_at": item.updated_at,
    }


def step(item: GoalStep) -> dict[str, Any]:
    return {"id": item.pk, "text": item.text, "done": item.done, "done_at": item.done_at}


def goal_detail(detail: GoalDetail) -> dict[str, Any]:
    return {
        **goal(detail.goal, progress=detail.progress),
        "steps": [step(each) for each in detail.steps],
    }


def activity(item: Activity) -> dict[str, Any]:
    return {
        "id": item.pk,
        "description": item.description,
        "done_on": item.done_on,
        "domain": item.domain.label,
        "domain_id": item.domain_id,
        "goal_id": item.goal_id,
    }


def journal_entry(item: JournalEntry) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "body": item.body,
        "body_html": str(render_markdown(item.body)),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def medication(item: Medication, today: date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    return {
        "id": item.pk,
        "name": item.name,
        "dose": item.dose,
        "schedule": item.schedule,
        "purpose": item.purpose,
        "effects": item.effects,
        "notes": item.notes,
        "started_on": item.started_on,
        "stopped_on": item.stopped_on,
        "current": item.stopped_on is None or item.stopped_on > today,
    }


def network_member(item: NetworkMember) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.name,
        "relationship": item.relationship,
        "contact": item.contact,
        "circle": item.circle,
        "quality": item.quality,
    }


def crisis_plan(owner: User, plan: CrisisPlan | None) -> dict[str, Any]:
    """The seven sections with their prompts (empty text when not written)."""
    return {
        "owner_id": owner.pk,
        "sections": [
            {"key": s.key, "title": s.title, "prompt": s.prompt, "text": s.text}
            for s in selectors.crisis_plan_sections(plan)
        ],
        "updated_at": plan.updated_at if plan is not None else None,
    }
