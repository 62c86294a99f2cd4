"""The recovery toolbox: every module, each a list of rows."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from tandem.core.personal_data import Erasure, ExportData, PersonalDataSource
from tandem.datarights.sources.rows import rows
from tandem.toolbox.models import (
    Activity,
    CrisisPlan,
    ExercisePractice,
    Goal,
    GoalStatusChange,
    GoalStep,
    JournalEntry,
    JournalShare,
    LifeDomain,
    Medication,
    NetworkMember,
    StatusRating,
)


def export(user: AbstractBaseUser) -> ExportData:
    owner = user.pk
    return {
        "life_domains": rows(LifeDomain.objects.filter(owner_id=owner).order_by("pk")),
        "status_ratings": rows(StatusRating._base_manager.filter(owner_id=owner).order_by("pk")),
        "goals": rows(Goal.objects.filter(owner_id=owner).order_by("pk")),
        "goal_steps": rows(GoalStep._base_manager.filter(goal__owner_id=owner).order_by("pk")),
        # Each goal's statuses with the day it took each (its first row is its start).
        "goal_history": rows(
            GoalStatusChange.objects.filter(goal__owner_id=owner).order_by("changed_at", "pk")
        ),
        "activities": rows(Activity._base_manager.filter(owner_id=owner).order_by("pk")),
        "medications": rows(Medication.objects.filter(owner_id=owner).order_by("pk")),
        "network": rows(NetworkMember._base_manager.filter(owner_id=owner).order_by("pk")),
        "crisis_plan": rows(CrisisPlan.objects.filter(owner_id=owner)),
        "exercise_practice": rows(ExercisePractice.objects.filter(owner_id=owner).order_by("pk")),
        "journal": rows(JournalEntry.objects.filter(owner_id=owner).order_by("pk")),
        "journal_shares": rows(JournalShare.objects.filter(entry__owner_id=owner).order_by("pk")),
    }


def erase(erasure: Erasure) -> None:
    # Goals, activities and ratings protect their life domain: they go first, then the
    # domains, so the account's own deletion is not refused.
    owner = erasure.user.pk
    for model in (StatusRating, Activity, Goal):
        model._base_manager.filter(owner_id=owner).delete()
    LifeDomain.objects.filter(owner_id=owner).delete()


SOURCE = PersonalDataSource(
    name="toolbox",
    description=(
        "Your recovery toolbox: life domains, status ratings, goals with their steps and "
        "their history (goal_history: each status a goal took, and when), activities, "
        "medications, network, crisis plan, exercise practice, and your journal with whom "
        "each entry was shared."
    ),
    export=export,
    erase=erase,
    order=30,
)
