"""The service user's own choice in the agreement: tell the care team when a questionnaire
answer suggests they may be at risk. In force at once, kept in the versions and the history,
never proposed or undone by the provider."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tandem.accounts.models import Membership, Role, User
from tandem.care import services
from tandem.care.agreement_selectors import (
    agreement_history,
    agreement_section,
    relationships_telling_on_risk,
)
from tandem.care.models import Agreement, AgreementVersion, CareRelationship, VersionStatus
from tandem.care.services.agreements import set_risk_alert
from tandem.conftest import login_client
from tandem.core.change_record import ChangeRecord

pytestmark = pytest.mark.django_db

TERMS: dict[str, object] = {
    "purpose": "Goals before meetings.",
    "reply_within_days": 2,
    "not_for": "Emergencies.",
    "crisis_section": "Use my crisis plan.",
    "review_every_weeks": 12,
}


def _agreement(relationship: CareRelationship) -> Agreement:
    return Agreement.objects.select_related("version").get(relationship=relationship)


def test_the_choice_is_off_by_default(relationship: CareRelationship) -> None:
    agreement = _agreement(relationship)
    assert agreement.tell_care_team_on_risk is False
    assert agreement.version is not None and agreement.version.tell_care_team_on_risk is False
    assert relationships_telling_on_risk(relationship.service_user) == []


def test_the_service_user_turns_it_on_at_once_as_a_new_version_in_the_history(
    relationship: CareRelationship,
) -> None:
    user = relationship.service_user
    before = _agreement(relationship)
    assert before.version is not None
    set_risk_alert(actor=user, relationship=relationship, on=True)
    agreement = _agreement(relationship)
    version = agreement.version
    assert version is not None and agreement.tell_care_team_on_risk is True
    assert (version.number, version.status, version.tell_care_team_on_risk) == (
        2,
        VersionStatus.ACCEPTED,
        True,
    )
    assert version.proposed_by == user and version.decided_by == user
    # Every other term as in force, and the review date is not moved by it.
    assert version.terms() == before.version.terms()
    assert version.review_due_at == before.version.review_due_at
    newest = agreement_history(relationship)[0]
    assert newest.in_force
    assert [change.name for change in newest.changes] == ["tell_care_team_on_risk"]
    assert [p.text for p in newest.changes[0].pieces if p.kind != "same"] == ["No", "Yes"]
    assert relationships_telling_on_risk(user) == [relationship]
    record = ChangeRecord.objects.filter(kind="agreement.changed").latest("pk")
    assert record.before["tell_care_team_on_risk"] is False
    assert record.after["tell_care_team_on_risk"] is True
    # The same choice again changes nothing and makes no version.
    set_risk_alert(actor=user, relationship=relationship, on=True)
    assert AgreementVersion.objects.filter(relationship=relationship).count() == 2


def test_turning_it_off_needs_nobodys_acceptance(relationship: CareRelationship) -> None:
    user = relationship.service_user
    set_risk_alert(actor=user, relationship=relationship, on=True)
    set_risk_alert(actor=user, relationship=relationship, on=False)
    assert _agreement(relationship).tell_care_team_on_risk is False
    assert relationships_telling_on_risk(user) == []
    assert not AgreementVersion.objects.filter(status=VersionStatus.PROPOSED).exists()


def test_only_the_service_user_makes_the_choice(relationship: CareRelationship) -> None:
    with pytest.raises(PermissionDenied):
        set_risk_alert(actor=relationship.provider, relationship=relationship, on=True)
    assert _agreement(relationship).tell_care_team_on_risk is False


def test_a_proposal_never_carries_or_undoes_the_choice(relationship: CareRelationship) -> None:
    user, provider = relationship.service_user, relationship.provider
    proposal = services.propose_agreement_change(
        actor=provider,
        relationship=relationship,
        **{**TERMS, "reply_within_days": 5},  # type: ignore[arg-type]
    )
    assert proposal.tell_care_team_on_risk is False
    # Turned on while the proposal waits: the proposal follows, and its diff is unchanged.
    set_risk_alert(actor=user, relationship=relationship, on=True)
    section = agreement_section(relationship, user)
    assert section.proposal is not None and section.proposal.tell_care_team_on_risk is True
    assert "tell_care_team_on_risk" not in [change.name for change in section.changes]
    services.accept_agreement_change(actor=user, version=proposal)
    agreement = _agreement(relationship)
    assert agreement.reply_within_days == 5 and agreement.tell_care_team_on_risk is True


def test_only_a_verified_provider_of_an_active_relationship_may_be_told(
    relationship: CareRelationship,
) -> None:
    user = relationship.service_user
    set_risk_alert(actor=user, relationship=relationship, on=True)
    Membership.objects.filter(user=relationship.provider, role=Role.PROVIDER).update(
        verified_at=None
    )
    assert relationships_telling_on_risk(user) == []


@pytest.fixture
def as_user(client_factory: Callable[[], Client]) -> Callable[[User], Client]:
    return lambda user: login_client(client_factory(), user)


def test_the_agreement_page_offers_the_choice_to_the_service_user_only(
    as_user: Callable[[User], Client], relationship: CareRelationship
) -> None:
    page = f"/care/relationships/{relationship.pk}/"
    version_id = _agreement(relationship).version_id
    sam, pat = as_user(relationship.service_user), as_user(relationship.provider)
    html = sam.get(page).content.decode()
    assert "data-risk-alert" in html and f"/agreement/{version_id}/risk-alert-on/" in html
    provider_html = pat.get(page).content.decode()
    assert "data-risk-alert>" not in provider_html and "risk-alert-on" not in provider_html
    # The provider cannot set it through the form's address either.
    refused = pat.post(f"{page}agreement/{version_id}/risk-alert-on/")
    assert refused.status_code == 403
    assert _agreement(relationship).tell_care_team_on_risk is False
    done = sam.post(f"{page}agreement/{version_id}/risk-alert-on/")
    assert done.status_code == 302
    assert _agreement(relationship).tell_care_team_on_risk is True
    # Both sides read it in the agreement in force, and in the history.
    assert "data-risk-alert-choice>Yes (the service user" in pat.get(page).content.decode()
    history = sam.get(f"{page}agreement/history/").content.decode()
    assert "own choice: in force at once" in history
    # An old form (the version it named is no longer in force) still does what it says.
    sam.post(f"{page}agreement/{version_id}/risk-alert-off/")
    assert _agreement(relationship).tell_care_team_on_risk is False


def test_the_choice_of_another_relationships_version_is_404(
    as_user: Callable[[User], Client],
    relationship: CareRelationship,
    make_member: Callable[..., User],
) -> None:
    other = CareRelationship.objects.create(
        service_user=make_member(Role.SERVICE_USER),
        provider=relationship.provider,
        organisation=relationship.organisation,
        status="active",
    )
    services.start_agreement(relationship=other)
    other_version = _agreement(other).version_id
    sam = as_user(relationship.service_user)
    response = sam.post(
        f"/care/relationships/{relationship.pk}/agreement/{other_version}/risk-alert-on/"
    )
    assert response.status_code == 404
    assert _agreement(relationship).tell_care_team_on_risk is False
