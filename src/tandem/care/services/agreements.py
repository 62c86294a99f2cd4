"""The agreement of a care relationship: one side proposes a change, the other accepts or
declines it, the proposer may withdraw it. The accepted version stays in force until then.

Every step locks the relationship's ``Agreement`` row first, so two answers to one proposal
(or a proposal and an answer) are taken one after the other; the second sees the first's
outcome and is refused as stale (``AgreementConflictError``, a 409 for the views).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.accounts.models import User
from tandem.care.access import check_is_verified_provider
from tandem.care.agreement_models import COMPARED
from tandem.care.agreement_selectors import agreement_state, review_is_due
from tandem.care.models import (
    Agreement,
    AgreementVersion,
    CareRelationship,
    RelationshipStatus,
    VersionStatus,
)
from tandem.core.change_record import ChangeKind, record_change
from tandem.notifications.services import notify

KIND_PROPOSED = "care.agreement_proposed"
KIND_DECIDED = "care.agreement_decided"
KIND_REVIEW_DUE = "care.agreement_review_due"


class AgreementConflictError(ValidationError):
    """The agreement changed since the person read it (the other side proposed, decided or
    withdrew meanwhile): nothing was saved."""


def _check_member(actor: User, relationship: CareRelationship) -> None:
    """PermissionDenied unless ``actor`` is a participant of an active relationship."""
    if not relationship.is_active:
        raise PermissionDenied
    if actor.pk == relationship.provider_id:
        check_is_verified_provider(actor)
    elif actor.pk != relationship.service_user_id:
        raise PermissionDenied


def _other_side(relationship: CareRelationship, actor: User) -> User:
    if actor.pk == relationship.service_user_id:
        return relationship.provider
    return relationship.service_user


def _lock(relationship: CareRelationship) -> Agreement:
    agreement, _created = Agreement.objects.select_for_update().get_or_create(
        relationship=relationship
    )
    return agreement


def open_proposal(relationship: CareRelationship) -> AgreementVersion | None:
    return AgreementVersion.objects.filter(
        relationship=relationship, status=VersionStatus.PROPOSED
    ).first()


def _url(relationship: CareRelationship) -> str:
    return reverse("care:relationship-detail", kwargs={"relationship_id": relationship.pk}) + (
        "#agreement"
    )


def _next_number(relationship: CareRelationship) -> int:
    top = AgreementVersion.objects.filter(relationship=relationship).aggregate(n=Max("number"))
    return (top["n"] or 0) + 1


def start_agreement(*, relationship: CareRelationship) -> Agreement:
    """Give a newly active relationship Tandem's starting agreement as version 1, in force
    until the two agree on their own (idempotent: an existing agreement is kept)."""
    with transaction.atomic():
        agreement = _lock(relationship)
        if agreement.version_id is not None:
            return agreement
        now = timezone.now()
        version = AgreementVersion(
            relationship=relationship,
            number=_next_number(relationship),
            status=VersionStatus.ACCEPTED,
            proposed_at=now,
            decided_at=now,
            review_due_at=now + timedelta(weeks=agreement.review_every_weeks),
            **agreement.terms(),
        )
        version.full_clean(exclude=["relationship"])
        version.save()
        agreement.version = version
        agreement.save(update_fields=["version", "updated_at"])
    return agreement


def propose_agreement_change(
    *,
    actor: User,
    relationship: CareRelationship,
    purpose: str,
    reply_within_days: int,
    not_for: str,
    crisis_section: str,
    review_every_weeks: int,
    seen_state: str | None = None,
) -> AgreementVersion:
    """Propose new terms; the version in force stays until the other side accepts.

    Revising one's own open proposal replaces it (the old one is withdrawn). Raise
    AgreementConflictError when the other side has a proposal waiting, or when ``seen_state``
    (from ``agreement_state``) no longer matches; ValidationError for values out of range,
    and for a proposal that changes nothing (unless the review is due: agreeing to keep the
    terms is then the review).
    """
    _check_member(actor, relationship)
    terms = {
        "purpose": purpose.strip(),
        "reply_within_days": reply_within_days,
        "not_for": not_for.strip(),
        "crisis_section": crisis_section.strip(),
        "review_every_weeks": review_every_weeks,
    }
    with transaction.atomic():
        agreement = _lock(relationship)
        current = open_proposal(relationship)
        if seen_state is not None and seen_state != agreement_state(agreement, current):
            raise AgreementConflictError(
                _("The agreement changed while you were writing. Nothing was saved yet."),
                code="stale",
            )
        if current is not None and current.proposed_by_id != actor.pk:
            raise AgreementConflictError(
                _("%(name)s has proposed a change. Accept or decline it first.")
                % {"name": _other_side(relationship, actor).get_full_name()},
                code="other_proposal",
            )
        if terms == agreement.terms() and not review_is_due(agreement):
            raise ValidationError(
                _("This is the agreement as it stands. Change something to propose it."),
                code="unchanged",
            )
        now = timezone.now()
        if current is not None:
            current.status = VersionStatus.WITHDRAWN
            current.decided_by, current.decided_at = actor, now
            current.save(update_fields=["status", "decided_by", "decided_at"])
        version = AgreementVersion(
            relationship=relationship,
            number=_next_number(relationship),
            proposed_by=actor,
            proposed_at=now,
            # The service user's own choice is not proposed: it comes from the agreement
            # in force (and follows it if they change it meanwhile, see set_risk_alert).
            tell_care_team_on_risk=agreement.tell_care_team_on_risk,
            **terms,
        )
        version.full_clean(exclude=["relationship", "proposed_by"])
        version.save()
        notify(
            recipient=_other_side(relationship, actor),
            actor=actor,
            kind=KIND_PROPOSED,
            url=_url(relationship),
            title=_("%(name)s proposed a change to your agreement")
            % {"name": actor.get_full_name()},
        )
    return version


def _decide(actor: User, version: AgreementVersion) -> tuple[Agreement, CareRelationship]:
    """Lock the agreement and check ``version`` is still open; the caller checks who."""
    relationship = version.relationship
    _check_member(actor, relationship)
    agreement = _lock(relationship)
    version.refresh_from_db()
    if not version.is_open:
        raise AgreementConflictError(
            _("This proposal was already %(outcome)s. Nothing was changed.")
            % {"outcome": version.get_status_display().lower()},
            code="stale",
        )
    return agreement, relationship


def _agreement_values(agreement: Agreement) -> dict[str, int | None]:
    """What the change record keeps of an agreement: its version and numbers, never the
    written terms (they can hold health details)."""
    return {
        "version": agreement.version.number if agreement.version else None,
        "reply_within_days": agreement.reply_within_days,
        "review_every_weeks": agreement.review_every_weeks,
    }


def accept_agreement_change(*, actor: User, version: AgreementVersion) -> Agreement:
    """The other side accepts a proposal: it is in force from now, and the review date
    starts again."""
    with transaction.atomic():
        agreement, relationship = _decide(actor, version)
        if version.proposed_by_id == actor.pk:
            raise PermissionDenied
        now = timezone.now()
        before = _agreement_values(agreement)
        version.status = VersionStatus.ACCEPTED
        version.decided_by, version.decided_at = actor, now
        version.review_due_at = now + timedelta(weeks=version.review_every_weeks)
        # Accepting a proposal never changes the service user's own choice.
        version.tell_care_team_on_risk = agreement.tell_care_team_on_risk
        version.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "review_due_at",
                "tell_care_team_on_risk",
            ]
        )
        for name in COMPARED:
            setattr(agreement, name, getattr(version, name))
        agreement.version = version
        agreement.save()
        record_change(
            actor=actor,
            kind=ChangeKind.AGREEMENT_CHANGED,
            subject_id=relationship.service_user_id,
            target=agreement,
            before=before,
            after={**_agreement_values(agreement), "provider": relationship.provider_id},
        )
        _tell_proposer(actor, version, relationship, _("%(name)s accepted your agreement change"))
    return agreement


def set_risk_alert(*, actor: User, relationship: CareRelationship, on: bool) -> Agreement:
    """The service user turns on (or off) "tell my care team when an answer suggests I may be
    at risk". It is their consent to share, so it is in force at once, without the provider's
    acceptance (withdrawing it never waits for anyone): a new version, proposed and accepted
    by them, with every other term as in force and the same review date. An open proposal
    follows the choice, so accepting it later does not undo it. Nothing changes (and no
    version is made) when the choice is already ``on``."""
    _check_member(actor, relationship)
    if actor.pk != relationship.service_user_id:
        raise PermissionDenied
    with transaction.atomic():
        agreement = _lock(relationship)
        if agreement.tell_care_team_on_risk == on:
            return agreement
        if agreement.version_id is None:
            start_agreement(relationship=relationship)
            agreement.refresh_from_db()
        in_force = agreement.version
        now = timezone.now()
        before = _agreement_values(agreement)
        version = AgreementVersion(
            relationship=relationship,
            number=_next_number(relationship),
            status=VersionStatus.ACCEPTED,
            proposed_by=actor,
            proposed_at=now,
            decided_by=actor,
            decided_at=now,
            # A change of one's own choice is not a review: the date and its reminder stay.
            review_due_at=agreement.review_due_at,
            review_reminded_at=in_force.review_reminded_at if in_force else None,
            **{**agreement.compared(), "tell_care_team_on_risk": on},
        )
        version.full_clean(exclude=["relationship", "proposed_by", "decided_by"])
        version.save()
        AgreementVersion.objects.filter(
            relationship=relationship, status=VersionStatus.PROPOSED
        ).update(tell_care_team_on_risk=on)
        agreement.tell_care_team_on_risk = on
        agreement.version = version
        agreement.save(update_fields=["tell_care_team_on_risk", "version", "updated_at"])
        record_change(
            actor=actor,
            kind=ChangeKind.AGREEMENT_CHANGED,
            subject_id=relationship.service_user_id,
            target=agreement,
            before={**before, "tell_care_team_on_risk": not on},
            after={
                **_agreement_values(agreement),
                "tell_care_team_on_risk": on,
                "provider": relationship.provider_id,
            },
        )
    return agreement


def decline_agreement_change(*, actor: User, version: AgreementVersion) -> AgreementVersion:
    """The other side declines a proposal: the version in force stays as it is."""
    with transaction.atomic():
        _agreement, relationship = _decide(actor, version)
        if version.proposed_by_id == actor.pk:
            raise PermissionDenied
        version.status = VersionStatus.DECLINED
        version.decided_by, version.decided_at = actor, timezone.now()
        version.save(update_fields=["status", "decided_by", "decided_at"])
        _tell_proposer(actor, version, relationship, _("%(name)s declined your agreement change"))
    return version


def withdraw_agreement_change(*, actor: User, version: AgreementVersion) -> AgreementVersion:
    """The proposer takes their proposal back; nobody else may."""
    with transaction.atomic():
        _decide(actor, version)
        if version.proposed_by_id != actor.pk:
            raise PermissionDenied
        version.status = VersionStatus.WITHDRAWN
        version.decided_by, version.decided_at = actor, timezone.now()
        version.save(update_fields=["status", "decided_by", "decided_at"])
    return version


def _tell_proposer(
    actor: User, version: AgreementVersion, relationship: CareRelationship, title: str
) -> None:
    if version.proposed_by is None:
        return
    notify(
        recipient=version.proposed_by,
        actor=actor,
        kind=KIND_DECIDED,
        url=_url(relationship),
        title=title % {"name": actor.get_full_name()},
    )


def send_review_reminders(*, now: datetime | None = None) -> int:
    """Tell both sides of every active relationship whose agreement is due for review, once
    per accepted version; return how many agreements were reminded.

    Idempotent and safe to run twice at once: each version is claimed with a conditional
    update (``review_reminded_at`` still empty) in the same transaction as its notifications.
    """
    now = now or timezone.now()
    due = (
        Agreement.objects.filter(
            relationship__status=RelationshipStatus.ACTIVE,
            version__review_due_at__lte=now,
            version__review_reminded_at__isnull=True,
        )
        .select_related("relationship__service_user", "relationship__provider")
        .order_by("pk")
    )
    sent = 0
    for agreement in due:
        assert agreement.version_id is not None  # noqa: S101 - filtered on above
        with transaction.atomic():
            claimed = AgreementVersion.objects.filter(
                pk=agreement.version_id, review_reminded_at__isnull=True
            ).update(review_reminded_at=now)
            if not claimed:
                continue
            relationship = agreement.relationship
            for recipient, other in (
                (relationship.service_user, relationship.provider),
                (relationship.provider, relationship.service_user),
            ):
                notify(
                    recipient=recipient,
                    kind=KIND_REVIEW_DUE,
                    url=_url(relationship),
                    title=_("Time to review your agreement with %(name)s")
                    % {"name": other.get_full_name()},
                )
        sent += 1
    return sent
