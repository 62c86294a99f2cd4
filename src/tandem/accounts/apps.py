from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Connect the receivers: login bookkeeping; the saved copy of the crisis contacts.
        from tandem.accounts import crisis_cache, signals  # noqa: F401
