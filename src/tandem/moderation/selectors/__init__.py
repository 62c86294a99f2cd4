"""Reads for moderation pages, each for one person and scoped by what they may see; one module
per topic. Every page runs a fixed number of queries whatever the queue's size
(``tests/test_query_counts.py``). Callers import from here."""

from tandem.moderation.posting import MODERATION_SCOPE
from tandem.moderation.selectors.audit import (
    AUDIT_PAGE_SIZE,
    audit_log,
    communities_of_organisation,
)
from tandem.moderation.selectors.authors import (
    PostOutcome,
    post_needs_reminder,
    post_outcome,
    slow_mode_for_topic,
    slow_mode_minutes_for_topic,
)
from tandem.moderation.selectors.dashboard import (
    CommunityLine,
    OrganisationDashboard,
    ReviewTimes,
    RuleStat,
    dashboards_for_user,
    moderated_community_ids,
    percentile,
    review_times,
    rule_label,
    rule_stats,
)
from tandem.moderation.selectors.people import (
    MY_ACTIONS,
    ConversationWithModerators,
    PersonRecord,
    messages_for_user,
    moderation_about_me,
    person_record,
    sanction_by_id,
)
from tandem.moderation.selectors.queue import (
    HISTORY_POSTS,
    AuthorHistory,
    ItemContext,
    QueueRow,
    author_history,
    item_context,
    open_items,
    queue_rows,
)
from tandem.moderation.selectors.settings import (
    community_settings,
    topic_by_id,
    topics_for_slow_mode,
    watched_word_by_id,
    watched_words,
)
from tandem.moderation.selectors.trust import (
    TrustSummary,
    summarise,
    trust_in_my_communities,
)

__all__ = [
    "AUDIT_PAGE_SIZE",
    "HISTORY_POSTS",
    "MODERATION_SCOPE",
    "MY_ACTIONS",
    "AuthorHistory",
    "CommunityLine",
    "ConversationWithModerators",
    "ItemContext",
    "OrganisationDashboard",
    "PersonRecord",
    "PostOutcome",
    "QueueRow",
    "ReviewTimes",
    "RuleStat",
    "TrustSummary",
    "audit_log",
    "author_history",
    "communities_of_organisation",
    "community_settings",
    "dashboards_for_user",
    "item_context",
    "messages_for_user",
    "moderated_community_ids",
    "moderation_about_me",
    "open_items",
    "percentile",
    "person_record",
    "post_needs_reminder",
    "post_outcome",
    "queue_rows",
    "review_times",
    "rule_label",
    "rule_stats",
    "sanction_by_id",
    "slow_mode_for_topic",
    "slow_mode_minutes_for_topic",
    "summarise",
    "topic_by_id",
    "topics_for_slow_mode",
    "trust_in_my_communities",
    "watched_word_by_id",
    "watched_words",
]
