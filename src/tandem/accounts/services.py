"""Every change of state for people, organisations and invitations."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tandem.accounts.access import check_can_manage_organisation
from tandem.accounts.language import language_for_email
from tandem.accounts.models import (
    CrisisContact,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)
from tandem.accounts.selectors import pseudonym_taken
from tandem.accounts.signals import sessions_ended
from tandem.core.change_record import ChangeKind, record_change

logger = logging.getLogger(__name__)


class InvitationError(Exception):
    """Why an invitation token cannot be used; ``reason`` picks the page the person sees."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # shown once, in the email; only its digest is stored


def invite_member(
    *,
    actor: User,
    organisation: Organisation,
    email: str,
    role: str,
    profession: str = "",
) -> IssuedInvitation:
    """Create an invitation and email its link. Only organisation admins may invite.

    An open invitation for the same address and role is revoked first, so only the newest
    link works. Raise ValidationError when the address already belongs to a member with
    that role, or when ``profession`` is missing for a care provider or given for anyone else
    (``Invitation.clean``).
    """
    check_can_manage_organisation(actor, organisation)
    email = email.strip().lower()
    if Membership.objects.filter(
        organisation=organisation, user__email__iexact=email, role=role
    ).exists():
        raise ValidationError(
            {"email": _("This person is already a member with that role.")}, code="member"
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "This email address already has a Tandem account, so an invitation "
                    "cannot create another one."
                )
            },
            code="account_exists",
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation,
            email__iexact=email,
            role=role,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation(
            organisation=organisation,
            email=email,
            role=role,
            profession=profession,
            token_hash=Invitation.hash_token(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.TANDEM_INVITATION_DAYS),
        )
        invitation.full_clean()
        invitation.save()
    return IssuedInvitation(invitation=invitation, token=token)


def send_invitation_email(*, issued: IssuedInvitation, accept_url: str) -> None:
    """Email the invitation link. The email names the organisation, never anyone's health.

    Written in the organisation's language for new people (the invitee has no account yet),
    never in the language of the admin who sent it.
    """
    invitation = issued.invitation
    organisation = invitation.organisation
    with translation.override(language_for_email(invitation.email, organisation)):
        context = {
            "organisation": organisation,
            "role": invitation.get_role_display(),
            "accept_url": accept_url,
            "days": settings.TANDEM_INVITATION_DAYS,
        }
        send_mail(
            subject=_("You are invited to join %(org)s on Tandem") % {"org": organisation.name},
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )


def revoke_invitation(*, actor: User, invitation: Invitation) -> None:
    check_can_manage_organisation(actor, invitation.organisation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])


def get_open_invitation(token: str) -> Invitation:
    """Return the invitation for ``token`` or raise InvitationError saying why it cannot be used."""
    if not token or len(token) > 100:
        raise InvitationError("invalid")
    return get_open_invitation_by_hash(Invitation.hash_token(token))


def get_open_invitation_by_hash(token_hash: str) -> Invitation:
    """Like ``get_open_invitation``, from the token's SHA-256: what the session keeps between
    opening the emailed link and accepting, so the raw token is never stored anywhere."""
    if not token_hash:
        raise InvitationError("invalid")
    invitation = (
        Invitation.objects.select_related("organisation").filter(token_hash=token_hash).first()
    )
    if invitation is None:
        raise InvitationError("invalid")
    if invitation.accepted_at is not None:
        raise InvitationError("used")
    if invitation.revoked_at is not None:
        raise InvitationError("revoked")
    if invitation.is_expired:
        raise InvitationError("expired")
    return invitation


def accept_invitation(
    *,
    token: str,
    password: str,
    pseudonym: str,
    full_name: str = "",
) -> User:
    """Create the account for an open invitation and mark its email verified.

    The token itself proves the person received the email, so the address is verified.
    The invitation is locked while it is used, so two tabs cannot both accept it.
    """
    if not token or len(token) > 100:
        raise InvitationError("invalid")
    return accept_invitation_by_hash(
        token_hash=Invitation.hash_token(token),
        password=password,
        pseudonym=pseudonym,
        full_name=full_name,
    )


def accept_invitation_by_hash(
    *,
    token_hash: str,
    password: str,
    pseudonym: str,
    full_name: str = "",
) -> User:
    """``accept_invitation`` from the token's SHA-256 (what the session keeps)."""
    with transaction.atomic():
        invitation = get_open_invitation_by_hash(token_hash)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_open:
            raise InvitationError("used")
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                {"email": _("An account with this email address already exists. Please log in.")}
            )
        if pseudonym_taken(pseudonym):
            raise ValidationError({"pseudonym": _("That display name is taken. Try another.")})
        user = User(
            email=invitation.email,
            full_name=full_name.strip(),
            pseudonym=pseudonym,
            language=invitation.organisation.default_language,
            # A provider's badge says what the admin who invited them wrote; they can change
            # it on their account page.
            profession=invitation.profession,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError as exc:
            # A concurrent sign-up took the name between our check and the insert.
            raise ValidationError(
                {"pseudonym": _("That display name is taken. Try another.")}
            ) from exc
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Membership.objects.create(
            user=user, organisation=invitation.organisation, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    logger.info("Invitation %s accepted", invitation.pk)
    return user


def add_role(*, actor: User, organisation: Organisation, user: User, role: str) -> Membership:
    check_can_manage_organisation(actor, organisation)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if created:
            record_change(
                actor=actor,
                kind=ChangeKind.ROLE_ADDED,
                subject_id=user.pk,
                target=membership,
                after={"role": role, "organisation": organisation.pk},
            )
    return membership


def verify_provider(*, actor: User, membership: Membership) -> Membership:
    """Mark a provider as verified by an organisation admin of the same organisation."""
    check_can_manage_organisation(actor, membership.organisation)
    if membership.role != Role.PROVIDER:
        raise ValidationError(_("Only care providers need verifying."))
    if membership.verified_at is None:
        with transaction.atomic():
            membership.verified_at = timezone.now()
            membership.verified_by = actor
            membership.save(update_fields=["verified_at", "verified_by"])
            record_change(
                actor=actor,
                kind=ChangeKind.PROVIDER_VERIFIED,
                subject_id=membership.user_id,
                target=membership,
                before={"verified": False},
                after={"verified": True, "organisation": membership.organisation_id},
            )
    return membership


def change_pseudonym(*, user: User, pseudonym: str) -> User:
    pseudonym = pseudonym.strip()
    if pseudonym_taken(pseudonym, exclude_user=user):
        raise ValidationError({"pseudonym": _("That display name is taken. Try another.")})
    user.pseudonym = pseudonym
    user.full_clean(exclude=["password"])
    user.save(update_fields=["pseudonym"])
    return user


def update_profile(*, user: User, full_name: str, profession: str) -> User:
    user.full_name = full_name.strip()
    user.profession = profession.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "profession"])
    return user


def end_all_sessions(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete every session of ``user`` except ``keep_session_key``; return how many ended."""
    keys = list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", flat=True)
    )
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(session_key__in=keys).delete()
    sessions_ended.send(sender=User, user=user)
    return len(keys)


def deactivate_user(*, actor: User, organisation: Organisation, user: User) -> None:
    """Switch an account off: it can no longer log in and every open session ends at once."""
    check_can_manage_organisation(actor, organisation)
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied
    if user == actor:
        raise ValidationError(_("You cannot deactivate your own account here."))
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        end_all_sessions(user=user)


def set_crisis_contacts(
    *, actor: User, organisation: Organisation, contacts: list[dict[str, str]]
) -> list[CrisisContact]:
    """Replace the organisation's crisis contacts with ``contacts`` in the given order."""
    check_can_manage_organisation(actor, organisation)
    with transaction.atomic():
        organisation.crisis_contacts.all().delete()
        created = []
        for position, data in enumerate(contacts):
            contact = CrisisContact(organisation=organisation, position=position, **data)
            contact.full_clean()
            contact.save()
            created.append(contact)
    return created


def set_mfa_policy(*, actor: User, organisation: Organisation, required_for_everyone: bool) -> None:
    check_can_manage_organisation(actor, organisation)
    organisation.require_mfa_for_everyone = required_for_everyone
    organisation.save(update_fields=["require_mfa_for_everyone"])


def set_language(*, user: User, language: str) -> None:
    """``language`` is one of settings.LANGUAGES, or "" to follow the browser."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language from the list.")})
    user.language = language
    user.save(update_fields=["language"])


def set_default_language(*, actor: User, organisation: Organisation, language: str) -> None:
    """The language new people of ``organisation`` start with (they can change it)."""
    check_can_manage_organisation(actor, organisation)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"default_language": _("Choose a language from the list.")})
    organisation.default_language = language
    organisation.save(update_fields=["default_language"])
