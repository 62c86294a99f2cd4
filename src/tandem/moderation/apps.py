from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "tandem.moderation"
    label = "moderation"
    verbose_name = _("Moderation and safety")

    def ready(self) -> None:
        # The forum never imports moderation (issue 14): moderation screens its posts, bars
        # suspended members and adds its hints to its pages through the forum's hooks.
        from tandem.forum import hooks
        from tandem.moderation import posting, rules
        from tandem.moderation.forum_hooks import ForumPageHints, ForumTrustRules

        hooks.register_post_screen(posting.ForumScreen())
        hooks.register_membership_bar("moderation.suspension", rules.SUSPENSION_BAR)
        hooks.register_page_hints(ForumPageHints())
        hooks.register_trust_rules(ForumTrustRules())

        from tandem.moderation.selectors import MODERATION_SCOPE, moderated_community_ids
        from tandem.notifications.scopes import register_scope

        # Notifications for moderators stay visible only while they still moderate there.
        register_scope(MODERATION_SCOPE, moderated_community_ids)
        # Escalation notices stay visible while the person may still read the item.
        from tandem.moderation.escalation.selectors import ESCALATION_SCOPE, escalated_item_ids

        register_scope(ESCALATION_SCOPE, escalated_item_ids)
        # Conversations between moderators and a post's author are messaging threads of kind
        # "moderation", with moderation's rules (moderation.outreach.kind).
        from tandem.messaging.kinds import register_kind
        from tandem.moderation.outreach.kind import ModerationThreads

        register_kind(ModerationThreads())
