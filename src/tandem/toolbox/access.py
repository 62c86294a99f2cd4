"""Gates for the owner's own toolbox objects: fetch by id *for* a user, or raise Http404.

"Missing" and "someone else's" look the same. Reads of someone else's toolbox never come
through here: they go through ``tandem.care.access.get_owner_for_viewer`` first, which checks
the grant and writes the access log, and then use these gates with the owner it returned.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care.models import CareRelationship, RelationshipStatus
from tandem.toolbox.models import (
    Activity,
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
from tandem.toolbox.models.kept import UNDO_WINDOW, Undoable
from tandem.toolbox.selectors import visible_domains_query

# What a deleted row is called in the undo URL (``/toolbox/deleted/<kind>/<id>/``).
UNDO_KINDS: dict[str, type[Undoable]] = {
    "rating": StatusRating,
    "step": GoalStep,
    "activity": Activity,
    "person": NetworkMember,
}


def has_toolbox(user: User | AnonymousUser) -> bool:
    """True when ``user`` is an active service user: only service users own a toolbox."""
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(user=user, role=Role.SERVICE_USER).exists()
    )


def get_domain_for_owner(user: User, domain_id: int) -> LifeDomain:
    """Return a life domain ``user`` can use (a default, their organisation's or their own),
    else raise Http404."""
    domain = visible_domains_query(user).filter(pk=domain_id).first()
    if domain is None:
        raise Http404
    return domain


def get_personal_domain_for_owner(user: User, domain_id: int) -> LifeDomain:
    """Return one of ``user``'s own life domains (not a shared default), else raise Http404."""
    domain = LifeDomain.objects.filter(pk=domain_id, owner=user, archived_at__isnull=True).first()
    if domain is None:
        raise Http404
    return domain


def get_rating_for_owner(user: User, rating_id: int) -> StatusRating:
    """Return one of ``user``'s status ratings, else raise Http404."""
    rating = StatusRating.objects.select_related("domain").filter(pk=rating_id, owner=user).first()
    if rating is None:
        raise Http404
    return rating


def get_goal_for_owner(user: User, goal_id: int) -> Goal:
    """Return one of ``user``'s goals, else raise Http404."""
    goal = Goal.objects.select_related("domain").filter(pk=goal_id, owner=user).first()
    if goal is None:
        raise Http404
    return goal


def get_step_for_owner(user: User, step_id: int) -> GoalStep:
    """Return a step of one of ``user``'s goals, else raise Http404."""
    step = GoalStep.objects.select_related("goal").filter(pk=step_id, goal__owner=user).first()
    if step is None:
        raise Http404
    return step


def get_activity_for_owner(user: User, activity_id: int) -> Activity:
    """Return one of ``user``'s activities, else raise Http404."""
    activity = (
        Activity.objects.select_related("domain", "goal").filter(pk=activity_id, owner=user).first()
    )
    if activity is None:
        raise Http404
    return activity


def get_medication_for_owner(user: User, medication_id: int) -> Medication:
    """Return one of ``user``'s medications, else raise Http404."""
    medication = Medication.objects.filter(pk=medication_id, owner=user).first()
    if medication is None:
        raise Http404
    return medication


def get_network_member_for_owner(user: User, member_id: int) -> NetworkMember:
    """Return a person or service on ``user``'s network map, else raise Http404."""
    member = NetworkMember.objects.filter(pk=member_id, owner=user).first()
    if member is None:
        raise Http404
    return member


def get_practice_for_owner(user: User, practice_id: int) -> ExercisePractice:
    """Return one of ``user``'s exercise log entries, else raise Http404."""
    practice = ExercisePractice.objects.filter(pk=practice_id, owner=user).first()
    if practice is None:
        raise Http404
    return practice


def get_journal_entry_for_owner(user: User, entry_id: int) -> JournalEntry:
    """Return one of ``user``'s journal entries, else raise Http404."""
    entry = JournalEntry.objects.filter(pk=entry_id, owner=user).first()
    if entry is None:
        raise Http404
    return entry


def get_active_relationship_for_owner(user: User, relationship_id: int) -> CareRelationship:
    """Return one of ``user``'s active care relationships (to share with), else raise Http404."""
    relationship = (
        CareRelationship.objects.select_related("provider")
        .filter(pk=relationship_id, service_user=user, status=RelationshipStatus.ACTIVE)
        .first()
    )
    if relationship is None:
        raise Http404
    return relationship


def get_shared_journal_entry_for_viewer(viewer: User, owner: User, entry_id: int) -> JournalEntry:
    """Return ``owner``'s journal entry ``entry_id`` if ``viewer`` may read it, else Http404.

    Call only after ``get_owner_for_viewer(viewer, owner.pk, Module.JOURNAL)``. The owner sees
    every entry; a provider only entries shared with their active relationship.
    """
    entries = JournalEntry.objects.filter(pk=entry_id, owner=owner)
    if viewer.pk != owner.pk:
        entries = entries.filter(
            pk__in=JournalShare.objects.filter(
                relationship__provider=viewer,
                relationship__service_user=owner,
                relationship__status=RelationshipStatus.ACTIVE,
            ).values("entry_id")
        )
    entry = entries.first()
    if entry is None:
        raise Http404
    return entry


def get_domain_for_organisation_admin(organisation: Organisation, domain_id: str) -> LifeDomain:
    """Return a default life domain or one of ``organisation``'s own, else raise Http404.

    Call only after ``get_managed_organisation_for_admin`` has checked the admin.
    """
    if not domain_id.isdigit():
        raise Http404
    domain = (
        LifeDomain.objects.filter(pk=int(domain_id), owner__isnull=True, archived_at__isnull=True)
        .filter(Q(organisation__isnull=True) | Q(organisation=organisation))
        .first()
    )
    if domain is None:
        raise Http404
    return domain


def get_deleted_item_for_owner(user: User, kind: str, item_id: int) -> Undoable:
    """Return a row of ``user``'s deleted less than ``UNDO_WINDOW`` ago (so it can be brought
    back), else raise Http404: an unknown kind, someone else's, restored, or too late."""
    model = UNDO_KINDS.get(kind)
    if model is None:
        raise Http404
    owner_filter = Q(goal__owner=user) if model is GoalStep else Q(owner=user)
    item = model.all_objects.filter(  # type: ignore[attr-defined]
        owner_filter, pk=item_id, deleted_at__gte=timezone.now() - UNDO_WINDOW
    ).first()
    if item is None:
        raise Http404
    return item  # type: ignore[no-any-return]
