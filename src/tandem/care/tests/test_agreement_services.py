"""The agreement as a real agreement: versions, proposals the other side answers, the terms
in force until then, the review reminder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import selectors, services
from tandem.care.agreement_selectors import agreement_history, agreement_section
from tandem.care.models import (
    Agreement,
    AgreementVersion,
    CareRelationship,
    VersionStatus,
)
from tandem.notifications.models import Notification

TERMS: dict[str, object] = {
    "purpose": "Goals before meetings.",
    "reply_within_days": 2,
    "not_for": "Emergencies.",
    "crisis_section": "Use my crisis plan.",
    "review_every_weeks": 12,
}


def _propose(actor: User, relationship: CareRelationship, **changes: object) -> AgreementVersion:
    values = {**TERMS, **changes}
    return services.propose_agreement_change(actor=actor, relationship=relationship, **values)  # type: ignore[arg-type]


def _in_force(relationship: CareRelationship) -> Agreement:
    found = selectors.agreement_for(relationship.service_user, relationship.provider)
    assert found is not None
    return found


def test_a_new_relationship_starts_with_tandems_agreement_as_version_1(
    relationship: CareRelationship,
) -> None:
    agreement = Agreement.objects.select_related("version").get(relationship=relationship)
    version = agreement.version
    assert version is not None
    assert (version.number, version.status, version.proposed_by) == (1, "accepted", None)
    assert version.review_due_at == version.decided_at + timedelta(weeks=12)  # type: ignore[operator]
    assert "crisis plan" in agreement.crisis_section
    # Starting it again keeps it.
    assert services.start_agreement(relationship=relationship).version == version


def test_a_proposal_leaves_the_accepted_version_in_force_until_the_other_side_accepts(
    relationship: CareRelationship,
) -> None:
    user, provider = relationship.service_user, relationship.provider
    proposal = _propose(provider, relationship, reply_within_days=5)
    assert proposal.status == VersionStatus.PROPOSED and proposal.number == 2
    assert proposal.proposed_by == provider
    # Messaging's read of the reply time: still the accepted version's.
    assert _in_force(relationship).reply_within_days == 2
    told = Notification.objects.get(recipient=user, kind="care.agreement_proposed")
    assert told.url.endswith(f"/care/relationships/{relationship.pk}/#agreement")
    assert "Pat" in told.title or provider.get_full_name() in told.title

    agreement = services.accept_agreement_change(actor=user, version=proposal)
    proposal.refresh_from_db()
    assert proposal.status == VersionStatus.ACCEPTED and proposal.decided_by == user
    assert agreement.version == proposal
    assert _in_force(relationship).reply_within_days == 5
    assert _in_force(relationship).crisis_section == "Use my crisis plan."
    assert proposal.review_due_at == proposal.decided_at + timedelta(weeks=12)  # type: ignore[operator]
    assert Notification.objects.filter(recipient=provider, kind="care.agreement_decided").exists()


def test_declining_keeps_the_version_in_force(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    proposal = _propose(user, relationship, purpose="Everything, at any hour.")
    services.decline_agreement_change(actor=provider, version=proposal)
    proposal.refresh_from_db()
    assert proposal.status == VersionStatus.DECLINED and proposal.decided_by == provider
    assert _in_force(relationship).purpose == ""
    assert Notification.objects.filter(recipient=user, kind="care.agreement_decided").exists()


def test_only_the_other_side_answers_and_only_the_proposer_withdraws(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    user, provider = relationship.service_user, relationship.provider
    outsider = make_member(Role.PROVIDER)
    proposal = _propose(user, relationship, reply_within_days=3)
    for actor, decide in (
        (user, services.accept_agreement_change),
        (user, services.decline_agreement_change),
        (provider, services.withdraw_agreement_change),
        (outsider, services.accept_agreement_change),
    ):
        with pytest.raises(PermissionDenied):
            decide(actor=actor, version=proposal)
    services.withdraw_agreement_change(actor=user, version=proposal)
    proposal.refresh_from_db()
    assert proposal.status == VersionStatus.WITHDRAWN
    assert _in_force(relationship).reply_within_days == 2


def test_one_open_proposal_per_relationship(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    _propose(user, relationship, reply_within_days=3)
    with pytest.raises(services.AgreementConflictError):
        _propose(provider, relationship, reply_within_days=4)
    # The database says so too, whatever the services do.
    with pytest.raises(IntegrityError), transaction.atomic():
        AgreementVersion.objects.create(
            relationship=relationship, number=9, proposed_by=provider, proposed_at=timezone.now()
        )


def test_revising_my_proposal_withdraws_the_old_one(relationship: CareRelationship) -> None:
    user = relationship.service_user
    first = _propose(user, relationship, reply_within_days=3)
    second = _propose(user, relationship, reply_within_days=4)
    first.refresh_from_db()
    assert first.status == VersionStatus.WITHDRAWN
    assert (second.number, second.status) == (3, VersionStatus.PROPOSED)


def test_a_proposal_from_a_stale_page_is_a_conflict(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    seen = agreement_section(relationship, user).state
    mine = _propose(user, relationship, reply_within_days=3, seen_state=seen)
    seen = agreement_section(relationship, user).state
    services.accept_agreement_change(actor=provider, version=mine)
    # Revising the proposal the other side has just accepted: nothing is saved.
    with pytest.raises(services.AgreementConflictError):
        _propose(user, relationship, reply_within_days=6, seen_state=seen)
    assert AgreementVersion.objects.filter(relationship=relationship).count() == 2


def test_answering_a_proposal_twice_is_a_conflict(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    proposal = _propose(user, relationship, reply_within_days=3)
    stale = AgreementVersion.objects.get(pk=proposal.pk)
    services.withdraw_agreement_change(actor=user, version=proposal)
    with pytest.raises(services.AgreementConflictError):
        services.accept_agreement_change(actor=provider, version=stale)
    assert _in_force(relationship).reply_within_days == 2


def test_an_unchanged_proposal_is_refused_unless_the_review_is_due(
    relationship: CareRelationship,
) -> None:
    user, provider = relationship.service_user, relationship.provider
    services.accept_agreement_change(actor=provider, version=_propose(user, relationship))
    with pytest.raises(ValidationError):
        _propose(user, relationship)
    AgreementVersion.objects.filter(relationship=relationship, status="accepted").update(
        review_due_at=timezone.now() - timedelta(days=1)
    )
    keep = _propose(user, relationship)
    assert agreement_section(relationship, provider).changes == []
    services.accept_agreement_change(actor=provider, version=keep)
    assert not agreement_section(relationship, provider).review_due


@pytest.mark.parametrize(
    "changes",
    [
        {"purpose": "x" * 2001},
        {"not_for": "x" * 1001},
        {"crisis_section": "x" * 2001},
        {"reply_within_days": 0},
        {"reply_within_days": 21},
        {"review_every_weeks": 53},
    ],
)
def test_agreement_values_must_be_in_range(
    relationship: CareRelationship, changes: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        _propose(relationship.service_user, relationship, **changes)
    assert not AgreementVersion.objects.filter(status="proposed").exists()


def test_only_the_pair_of_an_active_relationship_proposes(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        _propose(make_member(Role.PROVIDER), relationship)
    Membership.objects.filter(user=relationship.provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        _propose(relationship.provider, relationship)
    services.end_relationship(actor=relationship.service_user, relationship=relationship)
    relationship.refresh_from_db()
    with pytest.raises(PermissionDenied):
        _propose(relationship.service_user, relationship)
    assert selectors.agreement_for(relationship.service_user, relationship.provider) is None


def test_purpose_and_crisis_section_are_stored_encrypted(relationship: CareRelationship) -> None:
    proposal = _propose(
        relationship.service_user,
        relationship,
        purpose="my depression",
        crisis_section="call my sister",
    )
    services.accept_agreement_change(actor=relationship.provider, version=proposal)
    with connection.cursor() as cursor:
        for table in ("care_agreement", "care_agreementversion"):
            cursor.execute(f"SELECT purpose, crisis_section FROM {table}")  # noqa: S608
            for purpose, crisis in cursor.fetchall():
                assert "depression" not in purpose and "sister" not in crisis


def test_history_compares_each_version_with_the_one_in_force_before_it(
    relationship: CareRelationship,
) -> None:
    user, provider = relationship.service_user, relationship.provider
    declined = _propose(user, relationship, reply_within_days=9)
    services.decline_agreement_change(actor=provider, version=declined)
    accepted = _propose(provider, relationship, not_for="Emergencies and medication changes.")
    services.accept_agreement_change(actor=user, version=accepted)
    entries = agreement_history(relationship)
    assert [e.version.number for e in entries] == [3, 2, 1]
    assert [e.in_force for e in entries] == [True, False, False]
    # Version 3 against version 1 (version 2 was declined): its words, not the 9 days.
    changed = {d.name for d in entries[0].changes}
    assert "not_for" in changed and "reply_within_days" not in changed
    assert {d.name for d in entries[1].changes} >= {"reply_within_days"}


def test_review_reminders_go_to_both_sides_once(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    version = Agreement.objects.get(relationship=relationship).version
    assert version is not None
    assert services.send_review_reminders() == 0
    assert version.review_due_at is not None
    later = version.review_due_at + timedelta(minutes=1)
    assert services.send_review_reminders(now=later) == 1
    assert services.send_review_reminders(now=later + timedelta(days=1)) == 0
    reminded = Notification.objects.filter(kind="care.agreement_review_due")
    assert sorted(n.recipient_id for n in reminded) == sorted([user.pk, provider.pk])
    version.refresh_from_db()
    assert version.review_reminded_at == later
    # An accepted change starts a new review period, with a reminder of its own later.
    services.accept_agreement_change(
        actor=provider, version=_propose(user, relationship, review_every_weeks=4)
    )
    assert services.send_review_reminders(now=timezone.now() + timedelta(weeks=4, days=1)) == 1


def test_no_review_reminder_after_the_relationship_ended(relationship: CareRelationship) -> None:
    services.end_relationship(actor=relationship.service_user, relationship=relationship)
    assert services.send_review_reminders(now=timezone.now() + timedelta(weeks=13)) == 0
