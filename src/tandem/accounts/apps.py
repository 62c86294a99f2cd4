from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connect the receivers: login bookkeeping; the saved copy of the crisis contacts.
        from tandem.accounts import crisis_cache, signals  # noqa: F401
        from tandem.accounts.adapters import MFA_ENCRYPTED_VALUE_SOURCES
        from tandem.core.encrypted_values import register_encrypted_value_source

        # Two-step verification secrets are encrypted outside any EncryptedTextField: make
        # rotate_encryption_key re-encrypt and check them too.
        for source in MFA_ENCRYPTED_VALUE_SOURCES:
            register_encrypted_value_source(source)
