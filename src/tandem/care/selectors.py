"""Reads about care relationships, shaped for the pages and modules that need them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils.functional import Promise

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care.models import (
    AccessLogEntry,
    Agreement,
    CareRelationship,
    CareRequest,
    Comment,
    Grant,
    JointSession,
    Level,
    Module,
    Outcome,
    RelationshipStatus,
    SecurityEvent,
)

# Lazy labels: translated when shown, in the language of the request.
StrOrPromise = str | Promise

MODULE_LABELS: dict[str, StrOrPromise] = dict(Module.choices)
LEVEL_LABELS: dict[int, StrOrPromise] = dict(Level.choices)


def comments_for_items(owner: User, module: str, item_ids: list[int]) -> dict[int, list[Comment]]:
    """Comments on ``owner``'s items of ``module``, oldest first, keyed by item id (one query).

    Every requested id is a key, with an empty list when nobody has commented on it. The
    caller has already checked through ``get_owner_for_viewer`` that the viewer may see them.
    """
    found: dict[int, list[Comment]] = {item_id: [] for item_id in item_ids}
    if not item_ids:
        return found
    for comment in Comment.objects.filter(
        owner=owner, module=module, item_id__in=item_ids
    ).select_related("author"):
        found[comment.item_id].append(comment)
    return found


def agreement_for(service_user: User, provider: User) -> Agreement | None:
    """The agreement of the active relationship between the two, or None (one query)."""
    return (
        Agreement.objects.filter(
            relationship__service_user=service_user,
            relationship__provider=provider,
            relationship__status=RelationshipStatus.ACTIVE,
        )
        .select_related("relationship")
        .first()
    )


# --- Shares ------------------------------------------------------------------------------------


def module_url(owner_id: int, module: str) -> str:
    """Where a provider reads ``module`` of service user ``owner_id`` (a toolbox page)."""
    # The toolbox owns this route; a plain path keeps the care app independent of its names.
    return f"/people/{owner_id}/{module}/"


@dataclass(frozen=True)
class Share:
    """One module a provider may see, and how."""

    owner_id: int
    module: str
    label: StrOrPromise
    level: int
    level_label: StrOrPromise

    @property
    def can_comment(self) -> bool:
        return self.level >= Level.COMMENT

    @property
    def url(self) -> str:
        return module_url(self.owner_id, self.module)


def shares_of(owner_id: int, grants: list[Grant]) -> list[Share]:
    levels = {grant.module: grant.level for grant in grants if grant.level > Level.NONE}
    return [
        Share(
            owner_id=owner_id,
            module=module,
            label=MODULE_LABELS[module],
            level=levels[module],
            level_label=LEVEL_LABELS[levels[module]],
        )
        for module in Module.values
        if module in levels
    ]


def with_grants(relationships: QuerySet[CareRelationship]) -> QuerySet[CareRelationship]:
    return relationships.prefetch_related(
        # No ``to_attr``: ``relationship.grants.all()`` reads the prefetched rows, typed.
        Prefetch("grants", queryset=Grant.objects.order_by("id"))
    )


# --- Service user's side -----------------------------------------------------------------------


@dataclass(frozen=True)
class CareTeam:
    active: list[CareRelationship]
    pending: list[CareRelationship]
    past: list[CareRelationship]


def care_team_for_service_user(user: User) -> CareTeam:
    """``user``'s providers: current, waiting for an answer, and past (one query)."""
    relationships = list(
        CareRelationship.objects.filter(service_user=user)
        .exclude(status=RelationshipStatus.DECLINED)
        .select_related("provider")
        .order_by("-created_at", "-id")
    )
    return CareTeam(
        active=[r for r in relationships if r.status == RelationshipStatus.ACTIVE],
        pending=[r for r in relationships if r.status == RelationshipStatus.PENDING],
        past=[
            r
            for r in relationships
            if r.status == RelationshipStatus.ENDED and r.started_at is not None
        ],
    )


def active_care_providers(service_user_id: int) -> list[User]:
    """The verified, active providers in an active care relationship with the person (one
    query): who can be asked to help when moderators escalate a post of theirs."""
    return list(
        User.objects.filter(
            is_active=True,
            caseload__service_user_id=service_user_id,
            caseload__status=RelationshipStatus.ACTIVE,
            memberships__role=Role.PROVIDER,
            memberships__verified_at__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )


@dataclass(frozen=True)
class SharingRow:
    """One provider's row of the sharing table: module → level, every module present."""

    relationship: CareRelationship
    levels: dict[str, int]


def sharing_for_service_user(user: User) -> list[SharingRow]:
    """What each current provider of ``user`` may see, for the sharing page (two queries)."""
    relationships = with_grants(
        CareRelationship.objects.filter(service_user=user, status=RelationshipStatus.ACTIVE)
        .select_related("provider")
        .order_by("started_at", "id")
    )
    rows = []
    for relationship in relationships:
        levels = {module: int(Level.NONE) for module in Module.values}
        for grant in relationship.grants.all():
            levels[grant.module] = grant.level
        rows.append(SharingRow(relationship=relationship, levels=levels))
    return rows


def access_log_for_owner(
    owner: User,
    *,
    viewer_id: int | None = None,
    module: str = "",
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[AccessLogEntry]:
    """Every allowed read of ``owner``'s data by someone else, newest first, by one viewer, of
    one module, between two days (inclusive, in the current time zone: the person's) when
    asked. Refused attempts are security events for the admins, never shown here."""
    entries = AccessLogEntry.objects.filter(owner=owner, outcome=Outcome.ALLOWED)
    if viewer_id is not None:
        entries = entries.filter(viewer_id=viewer_id)
    if module:
        entries = entries.filter(module=module)
    if start is not None:
        entries = entries.filter(created_at__date__gte=start)
    if end is not None:
        entries = entries.filter(created_at__date__lte=end)
    return entries.select_related("viewer").order_by("-created_at", "-id")


def access_log_viewers(owner: User) -> list[User]:
    """The people who may appear in ``owner``'s access log, for its "who" filter: the providers
    of their relationships that were ever active (only they can have read anything), by name."""
    relationships = CareRelationship.objects.filter(
        service_user=owner, status__in=[RelationshipStatus.ACTIVE, RelationshipStatus.ENDED]
    ).values("provider_id")
    return list(User.objects.filter(pk__in=relationships).order_by("full_name", "pk"))


def security_events_for_organisation(organisation: Organisation) -> QuerySet[SecurityEvent]:
    """Refused reads in which the person who tried, or the person whose data it was, is a
    member of ``organisation``; newest first."""
    members = Membership.objects.filter(organisation=organisation).values("user_id")
    return (
        SecurityEvent.objects.filter(Q(viewer_id__in=members) | Q(owner_id__in=members))
        .select_related("viewer", "owner")
        .order_by("-created_at", "-id")
    )


# --- Relationship page -------------------------------------------------------------------------


@dataclass(frozen=True)
class RelationshipPage:
    relationship: CareRelationship
    agreement: Agreement | None
    shares: list[Share]
    open_session: JointSession | None
    past_sessions: list[JointSession]


def relationship_page(relationship: CareRelationship) -> RelationshipPage:
    """What the relationship page shows to either side (three queries)."""
    agreement = Agreement.objects.filter(relationship=relationship).first()
    grants = list(Grant.objects.filter(relationship=relationship))
    sessions = list(
        JointSession.objects.filter(relationship=relationship)
        .select_related("note_updated_by")
        .order_by("-started_at", "-id")
    )
    open_session = next((s for s in sessions if s.is_open), None)
    return RelationshipPage(
        relationship=relationship,
        agreement=agreement,
        shares=shares_of(relationship.service_user_id, grants),
        open_session=open_session,
        past_sessions=[s for s in sessions if s is not open_session],
    )


# --- Provider's side ---------------------------------------------------------------------------
# The caseload and a person's overview: care/caseload.py.


def sent_requests_for_provider(provider: User) -> QuerySet[CareRequest]:
    """Requests ``provider`` sent that have not been accepted or withdrawn.

    A declined request, or one to an address that matched nobody, stays listed like any
    other: the provider must not learn which addresses exist or who said no.
    """
    return (
        CareRequest.objects.filter(provider=provider, withdrawn_at__isnull=True)
        .exclude(relationship__started_at__isnull=False)
        .order_by("-created_at", "-id")
    )
