"""Every change of state in the forum, one module per topic. Keyword-only, atomic, validated
with ``full_clean``; notifications go through ``tandem.notifications.services.notify``, whose
email is queued after commit. Each service that writes a post keeps the search index in step
(``forum/search.py``); publishing passes the post screen registered with ``forum.hooks``.

The names are re-exported here, so ``from tandem.forum import services`` keeps working.
"""

from __future__ import annotations

from tandem.forum.mentions import mentioned_users
from tandem.forum.services.circles import (
    add_to_circle,
    create_circle,
    leave_circle,
    mute_person,
    set_mention_policy,
    unmute_person,
)
from tandem.forum.services.editing import (
    change_topic_visibility,
    delete_draft,
    delete_post,
    edit_post,
    hide_post,
    moderator_edit_post,
    release_held_post,
)
from tandem.forum.services.membership import (
    add_member,
    check_can_join,
    join_community,
    leave_community,
    publish_code_of_conduct,
    remove_member,
)
from tandem.forum.services.notifying import watches_for_category
from tandem.forum.services.reading import (
    feature_topic,
    mark_topic_read,
    toggle_category_watch,
    toggle_reaction,
    toggle_topic_watch,
    unfeature_topic,
)
from tandem.forum.services.writing import (
    create_topic,
    reply_to_topic,
    save_reply_draft,
    save_topic_draft,
)

__all__ = [
    "add_member",
    "add_to_circle",
    "change_topic_visibility",
    "check_can_join",
    "create_circle",
    "create_topic",
    "delete_draft",
    "delete_post",
    "edit_post",
    "feature_topic",
    "hide_post",
    "join_community",
    "leave_circle",
    "leave_community",
    "mark_topic_read",
    "mentioned_users",
    "moderator_edit_post",
    "mute_person",
    "publish_code_of_conduct",
    "release_held_post",
    "remove_member",
    "reply_to_topic",
    "save_reply_draft",
    "save_topic_draft",
    "set_mention_policy",
    "toggle_category_watch",
    "toggle_reaction",
    "toggle_topic_watch",
    "unfeature_topic",
    "unmute_person",
    "watches_for_category",
]
