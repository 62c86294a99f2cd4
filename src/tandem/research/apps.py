from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "tandem.research"
    label = "research"
    verbose_name = _("Research analytics")

    def ready(self) -> None:
        # The apps that see what people do sit below research and cannot import it: they call
        # core.usage.record, and this sink keeps the events of people who consented.
        from django.contrib.auth.signals import user_logged_in

        from tandem.core.personal_data import register_personal_data
        from tandem.core.usage import register_sink
        from tandem.research import signals
        from tandem.research.personal_data import SOURCE
        from tandem.research.sink import write_event

        register_sink(write_event)
        # A person's studies in their export; on erasure, withdrawn from every study.
        register_personal_data(SOURCE)
        user_logged_in.connect(signals.record_login, dispatch_uid="research-login")
