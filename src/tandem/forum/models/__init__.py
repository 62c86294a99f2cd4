"""Peer-support communities: closed spaces of an organisation, with categories, topics, posts,
reactions, circles and each member's boundaries. One module per topic, re-exported here:

- ``communities``: communities, their members and categories;
- ``circles``: circles and their members;
- ``posts``: topics, posts and the earlier versions of an edited post;
- ``reading``: each member's reactions, reads, watches, mention policy and mutes.
"""

from tandem.forum.models.circles import CIRCLE_MAX_INVITED, Circle, CircleMember
from tandem.forum.models.communities import (
    CODE_OF_CONDUCT_MAX_LENGTH,
    Audience,
    Category,
    Community,
    CommunityMember,
    ConductShownTo,
    JoinPolicy,
)
from tandem.forum.models.posts import (
    POST_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ModerationState,
    Post,
    PostRevision,
    Topic,
    Visibility,
)
from tandem.forum.models.reading import (
    MAX_MENTIONS_PER_POST,
    ForumPreference,
    MentionPolicy,
    Mute,
    Reaction,
    ReactionKind,
    TopicRead,
    Watch,
)

__all__ = [
    "CIRCLE_MAX_INVITED",
    "CODE_OF_CONDUCT_MAX_LENGTH",
    "MAX_MENTIONS_PER_POST",
    "POST_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "Audience",
    "Category",
    "Circle",
    "CircleMember",
    "Community",
    "CommunityMember",
    "ConductShownTo",
    "ForumPreference",
    "JoinPolicy",
    "MentionPolicy",
    "ModerationState",
    "Mute",
    "Post",
    "PostRevision",
    "Reaction",
    "ReactionKind",
    "Topic",
    "TopicRead",
    "Visibility",
    "Watch",
]
