from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "tandem.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from tandem.api.personal_data import SOURCE
        from tandem.core.personal_data import register_personal_data

        # The person's tokens (names and dates) go into their data export (docs/data-rights.md).
        register_personal_data(SOURCE)
