from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tandem.accounts import services
from tandem.accounts.models import Invitation, Membership, Organisation, Role, User
from tandem.accounts.tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(
    admin: User,
    organisation: Organisation,
    email: str = "new@example.org",
    role: str = Role.SERVICE_USER,
    profession: str = "",
) -> services.IssuedInvitation:
    return services.invite_member(
        actor=admin, organisation=organisation, email=email, role=role, profession=profession
    )


def test_admin_invitation_stores_only_a_digest_of_the_token(
    org_admin: User, organisation: Organisation
) -> None:
    issued = _invite(org_admin, organisation, email="New@Example.org ")
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.org"
    assert issued.token not in invitation.token_hash
    assert invitation.token_hash == Invitation.hash_token(issued.token)
    expected = timezone.now() + timedelta(days=7)
    assert abs((invitation.expires_at - expected).total_seconds()) < 5


def test_service_user_cannot_invite(service_user: User, organisation: Organisation) -> None:
    with pytest.raises(PermissionDenied):
        _invite(service_user, organisation)
    assert not Invitation.objects.exists()


def test_admin_of_another_organisation_cannot_invite(make_member: Callable[..., User]) -> None:
    other = OrganisationFactory.create()
    admin = make_member(Role.ORG_ADMIN)
    with pytest.raises(PermissionDenied):
        _invite(admin, other)


def test_inviting_an_existing_member_with_the_same_role_is_refused(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    with pytest.raises(ValidationError) as error:
        _invite(org_admin, organisation, email=service_user.email.upper())
    assert "email" in error.value.message_dict


def test_a_new_invitation_replaces_an_open_one_for_the_same_address(
    org_admin: User, organisation: Organisation
) -> None:
    first = _invite(org_admin, organisation)
    second = _invite(org_admin, organisation)
    with pytest.raises(services.InvitationError) as problem:
        services.get_open_invitation(first.token)
    assert problem.value.reason == "revoked"
    assert services.get_open_invitation(second.token) == second.invitation


def test_accepting_creates_a_verified_account_with_the_invited_role(
    org_admin: User, organisation: Organisation
) -> None:
    issued = _invite(org_admin, organisation, role=Role.PROVIDER, profession="Psychologist")
    user = services.accept_invitation(
        token=issued.token,
        password="a long pass phrase 42",
        pseudonym="Heron",
        full_name="Hana Example",
    )
    assert user.check_password("a long pass phrase 42")
    assert EmailAddress.objects.get(user=user).verified
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (organisation, Role.PROVIDER)
    assert membership.verified_at is None, "a new provider stays unverified until an admin verifies"
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_by == user
    assert user.profession == "Psychologist"


@pytest.mark.parametrize(
    ("role", "profession", "message"),
    [
        (Role.PROVIDER, "", "Enter the care provider's profession"),
        (Role.PROVIDER, " \u200b ", "Enter the care provider's profession"),
        (Role.PROVIDER, "Nurse\u202e", "direction"),
        (Role.SERVICE_USER, "Nurse", "Only care providers are invited with a profession"),
        (Role.MODERATOR, "Nurse", "Only care providers are invited with a profession"),
    ],
)
def test_a_provider_is_invited_with_a_profession_and_nobody_else(
    org_admin: User, organisation: Organisation, role: str, profession: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message) as raised:
        _invite(org_admin, organisation, role=role, profession=profession)
    assert "profession" in raised.value.message_dict
    assert not Invitation.objects.exists()


def test_an_invitation_for_another_role_sets_no_profession(
    org_admin: User, organisation: Organisation
) -> None:
    issued = _invite(org_admin, organisation, role=Role.FACILITATOR)
    user = services.accept_invitation(
        token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
    )
    assert user.profession == ""


def test_an_invitation_works_only_once(org_admin: User, organisation: Organisation) -> None:
    issued = _invite(org_admin, organisation)
    services.accept_invitation(
        token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
    )
    with pytest.raises(services.InvitationError) as problem:
        services.accept_invitation(
            token=issued.token, password="a long pass phrase 42", pseudonym="Heron2"
        )
    assert problem.value.reason == "used"
    assert User.objects.filter(pseudonym__startswith="Heron").count() == 1


def test_an_expired_invitation_cannot_be_used(org_admin: User, organisation: Organisation) -> None:
    issued = _invite(org_admin, organisation)
    with (
        time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)),
        pytest.raises(services.InvitationError) as problem,
    ):
        services.accept_invitation(
            token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
        )
    assert problem.value.reason == "expired"
    assert not User.objects.filter(pseudonym="Heron").exists()


@pytest.mark.parametrize("token", ["", "forged-token", "x" * 500])
def test_a_forged_token_is_invalid(db: None, token: str) -> None:
    with pytest.raises(services.InvitationError) as problem:
        services.get_open_invitation(token)
    assert problem.value.reason == "invalid"


def test_pseudonyms_are_unique_ignoring_case(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    issued = _invite(org_admin, organisation)
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(
            token=issued.token,
            password="a long pass phrase 42",
            pseudonym=service_user.pseudonym.upper(),
        )
    assert "pseudonym" in error.value.message_dict
    assert services.get_open_invitation(issued.token) == issued.invitation, (
        "a failed attempt must not use up the link"
    )


def test_send_invitation_email_carries_the_link_and_no_health_text(
    org_admin: User, organisation: Organisation
) -> None:
    issued = _invite(org_admin, organisation)
    services.send_invitation_email(
        issued=issued, accept_url=f"https://tandem.example/invitations/accept/{issued.token}/"
    )
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert issued.token in message.body
    assert organisation.name in message.subject


def test_admin_verifies_a_provider(org_admin: User, make_member: Callable[..., User]) -> None:
    provider = make_member(Role.PROVIDER)
    membership = Membership.objects.get(user=provider)
    Membership.objects.filter(pk=membership.pk).update(verified_at=None)
    membership.refresh_from_db()
    services.verify_provider(actor=org_admin, membership=membership)
    membership.refresh_from_db()
    assert membership.verified_at is not None
    assert membership.verified_by == org_admin


def test_only_providers_are_verified(org_admin: User, service_user: User) -> None:
    with pytest.raises(ValidationError):
        services.verify_provider(
            actor=org_admin, membership=Membership.objects.get(user=service_user)
        )


def test_provider_cannot_verify_themselves(provider: User) -> None:
    with pytest.raises(PermissionDenied):
        services.verify_provider(actor=provider, membership=Membership.objects.get(user=provider))


def test_change_pseudonym_refuses_a_taken_name(
    service_user: User, make_member: Callable[..., User]
) -> None:
    other = make_member(pseudonym="Otter")
    with pytest.raises(ValidationError):
        services.change_pseudonym(user=service_user, pseudonym="otter")
    services.change_pseudonym(
        user=other, pseudonym="OTTER"
    )  # changing case of one's own name is fine
    other.refresh_from_db()
    assert other.pseudonym == "OTTER"


def test_deactivation_ends_every_session(
    org_admin: User,
    service_user: User,
    organisation: Organisation,
    client_factory: Callable[[], Client],
) -> None:
    from tandem.conftest import login_client

    login_client(client_factory(), service_user)
    login_client(client_factory(), service_user)
    assert Session.objects.count() == 2
    services.deactivate_user(actor=org_admin, organisation=organisation, user=service_user)
    service_user.refresh_from_db()
    assert not service_user.is_active
    assert Session.objects.count() == 0


def test_admin_cannot_deactivate_themselves(org_admin: User, organisation: Organisation) -> None:
    with pytest.raises(ValidationError):
        services.deactivate_user(actor=org_admin, organisation=organisation, user=org_admin)


def test_crisis_contacts_are_replaced_in_order(org_admin: User, organisation: Organisation) -> None:
    services.set_crisis_contacts(
        actor=org_admin,
        organisation=organisation,
        contacts=[{"name": "A", "phone": "1"}, {"name": "B", "phone": "2"}],
    )
    services.set_crisis_contacts(
        actor=org_admin,
        organisation=organisation,
        contacts=[{"name": "C", "phone": "3"}, {"name": "A", "phone": "1"}],
    )
    assert list(organisation.crisis_contacts.values_list("name", flat=True)) == ["C", "A"]


def test_only_admins_change_crisis_contacts(service_user: User, organisation: Organisation) -> None:
    with pytest.raises(PermissionDenied):
        services.set_crisis_contacts(actor=service_user, organisation=organisation, contacts=[])


def test_inviting_an_address_that_already_has_an_account_is_refused(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    with pytest.raises(ValidationError) as error:
        _invite(org_admin, organisation, email=service_user.email, role=Role.MODERATOR)
    assert "already has a Tandem account" in str(error.value)


def test_accepting_fails_clearly_when_the_address_got_an_account_meanwhile(
    org_admin: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    issued = _invite(org_admin, organisation)
    make_member(email="new@example.org")
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(
            token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
        )
    assert "email" in error.value.message_dict


@pytest.mark.parametrize("token", ["", "x" * 101])
def test_accepting_with_an_empty_or_overlong_token_is_invalid(db: None, token: str) -> None:
    with pytest.raises(services.InvitationError) as problem:
        services.accept_invitation(token=token, password="a long pass phrase 42", pseudonym="Heron")
    assert problem.value.reason == "invalid"
    assert not User.objects.exists()


def test_an_invitation_revoked_while_it_is_being_accepted_counts_as_used(
    org_admin: User, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The invitation is read, then locked: what another request did in between wins."""
    issued = _invite(org_admin, organisation)
    read_open_invitation = services.get_open_invitation_by_hash

    def read_then_revoke_elsewhere(token_hash: str) -> Invitation:
        invitation = read_open_invitation(token_hash)
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
        return invitation

    monkeypatch.setattr(services, "get_open_invitation_by_hash", read_then_revoke_elsewhere)
    with pytest.raises(services.InvitationError) as problem:
        services.accept_invitation(
            token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
        )
    assert problem.value.reason == "used"
    assert not User.objects.filter(email="new@example.org").exists()


def test_a_display_name_taken_by_a_concurrent_sign_up_is_refused_as_taken(
    org_admin: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone else takes the name after the checks passed and before the insert."""
    issued = _invite(org_admin, organisation)
    full_clean = User.full_clean

    def clean_then_lose_the_race(user: User, *args: object, **kwargs: object) -> None:
        full_clean(user, *args, **kwargs)  # type: ignore[arg-type]
        if user.email == "new@example.org":  # the invited person, not the quicker one
            make_member(pseudonym="heron", email="quicker@example.org")

    monkeypatch.setattr(User, "full_clean", clean_then_lose_the_race)
    with pytest.raises(ValidationError) as error:
        services.accept_invitation(
            token=issued.token, password="a long pass phrase 42", pseudonym="Heron"
        )
    assert "pseudonym" in error.value.message_dict
    issued.invitation.refresh_from_db()
    assert issued.invitation.accepted_at is None, "the invitation stays open for another try"
    assert not User.objects.filter(email="new@example.org").exists()


def test_admin_adds_a_role_once(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    first = services.add_role(
        actor=org_admin, organisation=organisation, user=service_user, role=Role.FACILITATOR
    )
    again = services.add_role(
        actor=org_admin, organisation=organisation, user=service_user, role=Role.FACILITATOR
    )
    assert first == again
    assert set(Membership.objects.filter(user=service_user).values_list("role", flat=True)) == {
        Role.SERVICE_USER,
        Role.FACILITATOR,
    }


def test_only_admins_add_roles(
    provider: User, organisation: Organisation, service_user: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.add_role(
            actor=provider, organisation=organisation, user=service_user, role=Role.MODERATOR
        )
    assert not Membership.objects.filter(user=service_user, role=Role.MODERATOR).exists()


def test_update_profile_saves_the_trimmed_name_and_profession(service_user: User) -> None:
    services.update_profile(
        user=service_user, full_name="  Sam Example ", profession=" Community nurse "
    )
    service_user.refresh_from_db()
    assert (service_user.full_name, service_user.profession) == ("Sam Example", "Community nurse")


def test_admin_cannot_deactivate_someone_outside_their_organisation(
    org_admin: User, organisation: Organisation
) -> None:
    stranger = UserFactory.create()
    with pytest.raises(PermissionDenied):
        services.deactivate_user(actor=org_admin, organisation=organisation, user=stranger)
    stranger.refresh_from_db()
    assert stranger.is_active
