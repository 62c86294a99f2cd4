"""Reads of an agreement for the relationship page and the history page.

The caller has opened the relationship through ``access.get_relationship_for_member``.
``agreement_for`` (messaging's read of the reply time) stays in ``care.selectors``: it reads
``Agreement``, which holds the accepted version's terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care.agreement_diff import FieldDiff, diff_terms
from tandem.care.models import (
    Agreement,
    AgreementVersion,
    CareRelationship,
    Grant,
    Level,
    Module,
    RelationshipStatus,
    VersionStatus,
)
from tandem.care.selectors import module_url


@dataclass(frozen=True)
class AgreementSection:
    """The agreement as one person sees it on the relationship page."""

    agreement: Agreement | None
    proposal: AgreementVersion | None
    # What the proposal changes, from the version in force; only the changed fields.
    changes: list[FieldDiff]
    # The viewer proposed it (may withdraw), or the other side did (may accept or decline).
    mine: bool
    review_due: bool
    # Where the viewer reads the service user's crisis plan, or "" when they may not.
    crisis_plan_url: str
    state: str


def agreement_state(agreement: Agreement | None, proposal: AgreementVersion | None) -> str:
    """A token for what a person saw: the version in force and the open proposal. A form
    carries it back, so a change made meanwhile is noticed instead of overwritten."""
    in_force = agreement.version_id if agreement is not None else None
    return f"{in_force or 0}:{proposal.pk if proposal is not None else 0}"


def review_is_due(agreement: Agreement, now: datetime | None = None) -> bool:
    return agreement.review_due_at <= (now or timezone.now())


def crisis_plan_url(relationship: CareRelationship, viewer: User) -> str:
    """The service user's own crisis plan page; for the provider, the shared page only while
    the person shares their crisis plan with them (the same grant the page itself checks)."""
    if viewer.pk == relationship.service_user_id:
        return reverse("toolbox:crisis-plan")
    shared = Grant.objects.filter(
        relationship=relationship, module=Module.CRISIS_PLAN, level__gte=Level.VIEW
    ).exists()
    if relationship.is_active and shared:
        return module_url(relationship.service_user_id, Module.CRISIS_PLAN)
    return ""


def agreement_section(relationship: CareRelationship, viewer: User) -> AgreementSection:
    """The agreement in force, the open proposal with its changes, and what ``viewer`` may
    do (three queries)."""
    agreement = (
        Agreement.objects.filter(relationship=relationship).select_related("version").first()
    )
    proposal = (
        AgreementVersion.objects.filter(relationship=relationship, status=VersionStatus.PROPOSED)
        .select_related("proposed_by")
        .first()
    )
    changes: list[FieldDiff] = []
    if proposal is not None:
        # Only what the proposal itself changes: the service user's own choices are copied
        # into it from the agreement in force and are never part of the proposal.
        before = agreement.terms() if agreement is not None else {}
        changes = [d for d in diff_terms(before, proposal.terms()) if d.changed]
    return AgreementSection(
        agreement=agreement,
        proposal=proposal,
        changes=changes,
        mine=proposal is not None and proposal.proposed_by_id == viewer.pk,
        review_due=agreement is not None and review_is_due(agreement),
        crisis_plan_url=crisis_plan_url(relationship, viewer),
        state=agreement_state(agreement, proposal),
    )


def get_version_of(relationship: CareRelationship, version_id: int) -> AgreementVersion:
    """A version of ``relationship``'s agreement (the caller opened the relationship through
    the access gate), else Http404."""
    version = (
        AgreementVersion.objects.filter(relationship=relationship, pk=version_id)
        .select_related("relationship__service_user", "relationship__provider", "proposed_by")
        .first()
    )
    if version is None:
        raise Http404
    return version


@dataclass(frozen=True)
class HistoryEntry:
    version: AgreementVersion
    # What this version changed from the accepted version before it (empty for the first).
    changes: list[FieldDiff]
    in_force: bool


def agreement_history(relationship: CareRelationship) -> list[HistoryEntry]:
    """Every version, newest first, each compared with the version that was in force when
    it was proposed (two queries)."""
    versions = list(
        AgreementVersion.objects.filter(relationship=relationship).select_related(
            "proposed_by", "decided_by"
        )
    )
    in_force_id = (
        Agreement.objects.filter(relationship=relationship)
        .values_list("version_id", flat=True)
        .first()
    )
    entries = []
    accepted: AgreementVersion | None = None
    for version in versions:
        changes = []
        if accepted is not None:
            changes = [d for d in diff_terms(accepted.compared(), version.compared()) if d.changed]
        entries.append(
            HistoryEntry(version=version, changes=changes, in_force=version.pk == in_force_id)
        )
        if version.status == VersionStatus.ACCEPTED:
            accepted = version
    return entries[::-1]


def relationships_telling_on_risk(service_user: User) -> list[CareRelationship]:
    """The active relationships of ``service_user`` whose agreement in force says to tell the
    care team when an answer suggests they may be at risk, and whose provider may be told
    (an active account, verified as a provider in the relationship's organisation: the rule
    of the care gates and of ``notify.visible_relationship_ids``). One query."""
    verified = Membership.objects.filter(
        user=OuterRef("provider"),
        organisation=OuterRef("organisation"),
        role=Role.PROVIDER,
        verified_at__isnull=False,
    )
    return list(
        CareRelationship.objects.filter(
            service_user=service_user,
            status=RelationshipStatus.ACTIVE,
            agreement__tell_care_team_on_risk=True,
            provider__is_active=True,
        )
        .filter(Exists(verified))
        .select_related("provider", "service_user")
        .order_by("pk")
    )
