"""What the API sends of a toolbox's items: the same for a read and for the answer to a change."""

from __future__ import annotations

from typing import Any

from tandem.core.markdown import render_markdown
from tandem.toolbox.models import Activity, Goal, GoalStep, JournalEntry, StatusRating
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
