from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "tandem.moderation"
    label = "moderation"
    verbose_name = _("Moderation and safety")

    def ready(self) -> None:
        from tandem.moderation.selectors import MODERATION_SCOPE, moderated_community_ids
        from tandem.notifications.scopes import register_scope

        # Notifications for moderators stay visible only while they still moderate there.
        register_scope(MODERATION_SCOPE, moderated_community_ids)
