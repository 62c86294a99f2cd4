from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "tandem.forum"
    label = "forum"
    verbose_name = _("Peer-support forums")

    def ready(self) -> None:
        from tandem.forum import selectors
        from tandem.notifications.scopes import register_scope

        # Plain id lists from one lean query each: the unread badge on every page asks.
        register_scope(selectors.COMMUNITY_SCOPE, selectors.member_community_scope_ids)
        register_scope(selectors.CIRCLE_SCOPE, selectors.member_circle_scope_ids)
