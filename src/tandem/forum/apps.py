from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "tandem.forum"
    label = "forum"
    verbose_name = _("Peer-support forums")

    def ready(self) -> None:
        from tandem.forum import selectors
        from tandem.notifications.scopes import register_scope

        register_scope(selectors.COMMUNITY_SCOPE, selectors.community_ids_for_member)
        register_scope(selectors.CIRCLE_SCOPE, selectors.circle_ids_for_member)
