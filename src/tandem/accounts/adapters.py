"""allauth adapters: Tandem's rules for sign-up and two-step verification."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.accounts import throttling
from tandem.accounts.language import language_for_email
from tandem.accounts.selectors import role_summary_for_user
from tandem.core.encrypted_values import EncryptedRow, EncryptedValueSource, RotatedRow
from tandem.core.fields import DecryptionError, decrypt_text, encrypt_text

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Sign-up is by invitation only; the invitation flow creates accounts itself.
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits and session list read the address the way Axes does.
        return throttling.client_ip(request)

    # allauth calls pre_authenticate, then Django's authenticate (where Axes checks the pair
    # lock), then authentication_failed when no user came back. This replaces allauth's own
    # login_failed limit, which is switched off in settings.
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login = throttling.normalise_login(credentials.get("email"))
        wait = throttling.login_wait_seconds(login=login, ip=throttling.client_ip(request))
        if wait:
            # Refused before the password is checked, so waiting out the delay is the only way
            # on; and uncounted, so hammering does not lengthen it.
            raise ValidationError(_login_wait_message(wait), code="login_slowed")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        if user is not None:
            # Whoever typed the right password needs no guessing, so the count can start over.
            throttling.clear_login_failures(
                login=throttling.normalise_login(credentials.get("email"))
            )
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        if getattr(request, "axes_locked_out", False):
            # Axes stopped this address for this account: its attempts must not slow the
            # account down for the person elsewhere.
            return
        throttling.record_login_failure(
            login=throttling.normalise_login(credentials.get("email")),
            ip=throttling.client_ip(request),
        )

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Every allauth email (password reset, confirming an address, "no account here") is
        # written in the recipient's language (accounts.language), not in the language of the
        # request that sent it: anyone can ask for a reset of anyone's password.
        with translation.override(language_for_email(email)):
            super().send_mail(template_prefix, email, context)

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        super().set_password(user, password)
        # A reset proves the person holds the email, and a guesser who knew the old password
        # no longer does: the person may log in at once (the lockout pages say so).
        throttling.lift_login_limits(email=user.get_username(), user_id=user.pk)


def _login_wait_message(seconds: int) -> str:
    if seconds < 60:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return _(
        "There have been many wrong passwords for this email address, so to keep the account "
        "safe, logging in is slowed down for a while. Please wait %(wait)s, then try again. "
        "If you have forgotten your password, you can reset it, and if this keeps happening, "
        "your care service or organisation can help."
    ) % {"wait": wait}


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def encrypt(self, text: str) -> str:
        # Secrets in allauth's Authenticator.data are encrypted at rest with the same keys as
        # health text. Every value this encrypts must be in MFA_ENCRYPTED_VALUE_SOURCES below,
        # or rotate_encryption_key leaves it on the old key.
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        """Decrypt a TOTP secret or recovery-code seed.

        If no configured key opens it (an old key was removed before the rotation finished),
        the person gets a page saying two-step verification cannot be checked now and to
        contact an admin, instead of a server error, and the operator gets an error log line.
        """
        try:
            return decrypt_text(encrypted_text)
        except DecryptionError:
            _log_undecryptable_secret(encrypted_text)
            request = context.request
            if request is None:  # outside a request (a command, a task): nobody to show a page
                raise
            raise ImmediateHttpResponse(
                render(request, "accounts/two_step_unavailable.html", status=503)
            ) from None

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


def _log_undecryptable_secret(encrypted_text: str) -> None:
    # Name the authenticator and its owner (ids only), never the secret or its ciphertext.
    found = (
        Authenticator.objects.filter(Q(data__secret=encrypted_text) | Q(data__seed=encrypted_text))
        .values_list("pk", "type", "user_id")
        .first()
    )
    whose = "authenticator {} ({}) of user {}".format(*found) if found else "an authenticator"
    logger.error(
        "Two-step verification unavailable: the secret of %s cannot be decrypted with any key "
        "in TANDEM_ENCRYPTION_KEYS. Was an old key removed before 'rotate_encryption_key "
        "--check' passed? Put that key back after the primary key and run "
        "rotate_encryption_key.",
        whose,
    )


# --- Key rotation -----------------------------------------------------------------------------
# Where allauth keeps what MFAAdapter.encrypt made (allauth.mfa, 65.x): TOTP.activate stores
# data["secret"], RecoveryCodes.activate data["seed"], and RecoveryCodes reads data
# ["migrated_codes"] (a list, written by migrations from other MFA libraries) through decrypt
# too. Passkeys (WebAuthn) store nothing encrypted. Registered in AccountsConfig.ready().


def _authenticator_source(name: str, type_: str, keys: Sequence[str]) -> EncryptedValueSource:
    def rows() -> models.QuerySet[Any, EncryptedRow]:
        lookups = (f"data__{key}" for key in keys)
        queryset: models.QuerySet[Any, EncryptedRow] = Authenticator.objects.filter(
            type=type_
        ).values_list("pk", *lookups)
        return queryset

    def write(changed: Sequence[RotatedRow]) -> None:
        new_values = dict(changed)
        # The rotation has locked these rows, so reading their data again here is safe.
        authenticators = list(Authenticator.objects.filter(pk__in=new_values))
        for authenticator in authenticators:
            for key, value in zip(keys, new_values[authenticator.pk], strict=True):
                if key in authenticator.data:
                    authenticator.data[key] = value
        Authenticator.objects.bulk_update(authenticators, ["data"])

    return EncryptedValueSource(
        name=name, columns=tuple(f"data.{key}" for key in keys), rows=rows, write=write
    )


MFA_ENCRYPTED_VALUE_SOURCES = (
    _authenticator_source("mfa.Authenticator TOTP secret", Authenticator.Type.TOTP, ["secret"]),
    _authenticator_source(
        "mfa.Authenticator recovery codes",
        Authenticator.Type.RECOVERY_CODES,
        ["seed", "migrated_codes"],
    ),
)
