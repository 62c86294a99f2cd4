"""The forum's views, one module per part; see each module and ``docs/views.md`` for when a
view is a function and when a class. ``urls.py`` imports from here."""

from tandem.forum.views.boundaries import BoundariesView, mute_delete
from tandem.forum.views.circles import CircleListView, circle_add, circle_detail, circle_leave
from tandem.forum.views.communities import (
    CommunityJoinView,
    category_detail,
    category_watch,
    community_detail,
    community_leave,
    community_list,
)
from tandem.forum.views.posts import (
    PostEditView,
    draft_discard,
    draft_list,
    post_delete,
    post_history,
    post_mute_author,
    post_react,
)
from tandem.forum.views.replies import reply_draft_save, topic_reply
from tandem.forum.views.search import search
from tandem.forum.views.topics import (
    TopicCreateView,
    topic_detail,
    topic_draft_save,
    topic_feature,
    topic_visibility,
    topic_watch,
)

__all__ = [
    "BoundariesView",
    "CircleListView",
    "CommunityJoinView",
    "PostEditView",
    "TopicCreateView",
    "category_detail",
    "category_watch",
    "circle_add",
    "circle_detail",
    "circle_leave",
    "community_detail",
    "community_leave",
    "community_list",
    "draft_discard",
    "draft_list",
    "mute_delete",
    "post_delete",
    "post_history",
    "post_mute_author",
    "post_react",
    "reply_draft_save",
    "search",
    "topic_detail",
    "topic_draft_save",
    "topic_feature",
    "topic_reply",
    "topic_visibility",
    "topic_watch",
]
