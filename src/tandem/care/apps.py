from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "tandem.care"
    label = "care"
    verbose_name = _("Care team and sharing")

    def ready(self) -> None:
        from tandem.care.notify import (
            ASK_SCOPE,
            RELATIONSHIP_SCOPE,
            visible_relationship_ids,
            waiting_ask_ids,
        )
        from tandem.notifications.scopes import register_scope

        # Care-team notifications disappear when the relationship they are about does.
        register_scope(RELATIONSHIP_SCOPE, visible_relationship_ids)
        # A person's ask is told to the provider only while it waits for his answer.
        register_scope(ASK_SCOPE, waiting_ask_ids)

        # The access log names the joint session whose notes were read, as it names goals.
        from tandem.care.access_log import JOINT_SESSION_KIND, register_item_kind

        register_item_kind(JOINT_SESSION_KIND)
