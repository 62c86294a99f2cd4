from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "tandem.messaging"
    label = "messaging"
    verbose_name = _("Secure messaging")

    def ready(self) -> None:
        from tandem.messaging import selectors, signals  # noqa: F401 - connects the receivers
        from tandem.notifications.scopes import register_scope

        register_scope(selectors.THREAD_SCOPE, selectors.thread_ids_for_user)

        from tandem.care.triage import register_message_source
        from tandem.messaging.triage import SOURCE

        # The caseload's triage (unread, waiting, last contact) without care importing us.
        register_message_source(SOURCE)
