"""Moderation's views, one module per part; see each module and ``docs/views.md`` for when a
view is a function and when a class. ``urls.py`` imports from here; the escalation and
identity views (their own packages) re-render the item and person pages through
``render_item`` and ``render_person``."""

from tandem.moderation.views.audit import audit_log
from tandem.moderation.views.community import (
    CommunitySettingsView,
    rule_stats,
    slow_mode,
    watched_word_create,
    watched_word_delete,
)
from tandem.moderation.views.dashboard import duty, home
from tandem.moderation.views.items import (
    item_act,
    item_detail,
    item_reach_out,
    queue,
    render_item,
)
from tandem.moderation.views.members import (
    PostReportView,
    about_me,
    message_detail,
    my_trust,
    post_outcome,
)
from tandem.moderation.views.people import (
    note_create,
    person_detail,
    render_person,
    sanction_lift,
    trust_set,
)

__all__ = [
    "CommunitySettingsView",
    "PostReportView",
    "about_me",
    "audit_log",
    "duty",
    "home",
    "item_act",
    "item_detail",
    "item_reach_out",
    "message_detail",
    "my_trust",
    "note_create",
    "person_detail",
    "post_outcome",
    "queue",
    "render_item",
    "render_person",
    "rule_stats",
    "sanction_lift",
    "slow_mode",
    "trust_set",
    "watched_word_create",
    "watched_word_delete",
]
