"""allauth adapters: Tandem's rules for sign-up and two-step verification."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from tandem.accounts.selectors import role_summary_for_user
from tandem.core.fields import decrypt_text, encrypt_text


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Sign-up is by invitation only; the invitation flow creates accounts itself.
        return False


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def encrypt(self, text: str) -> str:
        # TOTP secrets are encrypted at rest with the same keys as health text.
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Refuse to remove the last TOTP or passkey of someone whose role requires one."""
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        if not role_summary_for_user(authenticator.user).needs_mfa:
            return True
        remaining: bool = (
            Authenticator.objects.filter(
                user_id=authenticator.user_id,
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
            )
            .exclude(pk=authenticator.pk)
            .exists()
        )
        return remaining
