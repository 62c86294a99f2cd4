"""Journal entries: the owner's, those shared with a provider, and sharing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tandem.accounts.models import User
from tandem.care.models import CareRelationship, Grant, Level, Module, RelationshipStatus
from tandem.toolbox.models import JournalEntry, JournalShare


def journal_for_owner(owner: User) -> QuerySet[JournalEntry]:
    """The owner's entries, newest first, with whom each is shared (one extra query a page)."""
    return (
        JournalEntry.objects.filter(owner=owner)
        .prefetch_related(
            Prefetch(
                "shares",
                queryset=JournalShare.objects.select_related("relationship__provider").order_by(
                    "shared_at", "id"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )


def journal_shared_with(viewer: User, owner: User) -> QuerySet[JournalEntry]:
    """``owner``'s entries shared with ``viewer``'s active care relationship."""
    return JournalEntry.objects.filter(
        owner=owner,
        pk__in=JournalShare.objects.filter(
            relationship__provider=viewer,
            relationship__service_user=owner,
            relationship__status=RelationshipStatus.ACTIVE,
        ).values("entry_id"),
    ).order_by("-created_at", "-id")


@dataclass(frozen=True)
class ShareTarget:
    relationship: CareRelationship
    can_see_journal: bool  # the provider holds a journal grant, so a share reaches them


def share_targets(owner: User) -> list[ShareTarget]:
    """The owner's active care relationships, each with whether its provider may read shared
    journal entries (one query)."""
    relationships = (
        CareRelationship.objects.filter(service_user=owner, status=RelationshipStatus.ACTIVE)
        .select_related("provider")
        .annotate(
            journal_level=Coalesce(
                Subquery(
                    Grant.objects.filter(relationship=OuterRef("pk"), module=Module.JOURNAL).values(
                        "level"
                    )[:1],
                    output_field=IntegerField(),
                ),
                Value(Level.NONE),
            )
        )
        .order_by("provider__full_name", "provider__pseudonym", "id")
    )
    return [
        ShareTarget(
            relationship=relationship,
            can_see_journal=relationship.journal_level >= Level.VIEW,
        )
        for relationship in relationships
    ]


def shares_of_entry(entry: JournalEntry) -> list[JournalShare]:
    return list(
        JournalShare.objects.filter(entry=entry)
        .select_related("relationship__provider")
        .order_by("shared_at", "id")
    )
