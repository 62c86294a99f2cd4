"""Reads about courses, shaped for one page each and scoped by the person asking. Each runs a
fixed number of queries whatever the number of courses, topics or people
(``courses/tests/test_query_counts.py``). One module per topic, re-exported here for the
views, the home pages and the notification scope (``selectors.course_list``)."""

from tandem.courses.selectors.calendar_feed import (
    courses_for_feed,
    feed_owner,
    has_feed,
    topics_of,
)
from tandem.courses.selectors.dashboard import (
    Dashboard,
    DayParticipation,
    TopicParticipation,
    dashboard,
)
from tandem.courses.selectors.facilitating import (
    next_free_day,
    people_to_invite,
    possible_facilitators,
    professionals_for,
    request_on,
    topic_on,
)
from tandem.courses.selectors.pages import (
    PAST_SHOWN_DAYS,
    CourseLine,
    CoursePage,
    MyTopic,
    TopicLine,
    course_list,
    course_page,
    course_scope_ids,
    topics_this_week,
)
from tandem.courses.services.notifying import COURSE_SCOPE

__all__ = [
    "COURSE_SCOPE",
    "PAST_SHOWN_DAYS",
    "CourseLine",
    "CoursePage",
    "Dashboard",
    "DayParticipation",
    "MyTopic",
    "TopicLine",
    "TopicParticipation",
    "course_list",
    "course_page",
    "course_scope_ids",
    "courses_for_feed",
    "dashboard",
    "feed_owner",
    "has_feed",
    "next_free_day",
    "people_to_invite",
    "possible_facilitators",
    "professionals_for",
    "request_on",
    "topic_on",
    "topics_of",
    "topics_this_week",
]
