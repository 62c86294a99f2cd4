from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataRightsConfig(AppConfig):
    name = "tandem.datarights"
    label = "datarights"
    verbose_name = _("Data rights")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from tandem.datarights import sources
        from tandem.datarights.services.deletion import cancel_deletion_on_login

        sources.register_all()
        # Logging in during the grace period is how a person takes a deletion back.
        user_logged_in.connect(cancel_deletion_on_login, dispatch_uid="datarights-cancel")
