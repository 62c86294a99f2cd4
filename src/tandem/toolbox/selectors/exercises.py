"""The exercise log and a summary per exercise."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, QuerySet

from tandem.accounts.models import User
from tandem.toolbox.models import ExercisePractice


def practice_for_owner(owner: User) -> QuerySet[ExercisePractice]:
    return ExercisePractice.objects.filter(owner=owner).order_by("-practised_at", "-id")


@dataclass(frozen=True)
class PracticeSummary:
    times: int
    average_helped: float | None


def practice_summaries(owner: User) -> dict[str, PracticeSummary]:
    """How often the owner did each exercise and how much it helped on average (one query)."""
    return {
        row["exercise"]: PracticeSummary(times=row["times"], average_helped=row["average"])
        for row in ExercisePractice.objects.filter(owner=owner)
        .values("exercise")
        .annotate(times=Count("id"), average=Avg("helped"))
        .order_by()
    }
