"""The home page, one section per role the person holds.

Each role's builder reads what that role acts on, in a fixed number of queries whatever the
amount of data (``web/tests/test_home_queries.py``). A person with several roles gets each
section; the forum glance (new replies in watched topics, this week's topics) is read once
and shown in the first section that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import RoleSummary
from tandem.courses.selectors import CourseLine, MyTopic, topics_this_week
from tandem.forum.models import Topic
from tandem.web.home import forum
from tandem.web.home.moderator import ModeratorHome, moderator_home
from tandem.web.home.provider import ProviderHome, provider_home
from tandem.web.home.service_user import ServiceUserHome, service_user_home
from tandem.web.home.staff import (
    AdminLine,
    ResearchGlance,
    admin_home,
    facilitator_courses,
    researcher_studies,
)

__all__ = ["CourseGlance", "ForumGlance", "HomePage", "build_home"]

# The roles whose sections show the forum glance, in the order the sections appear.
FORUM_ROLES = (Role.SERVICE_USER, Role.PROVIDER, Role.FACILITATOR)
# The roles invited to answer course topics first ("your topics this week"), in the same way.
COURSE_ROLES = (Role.PROVIDER, Role.FACILITATOR)


@dataclass(frozen=True)
class ForumGlance:
    # The section (a role) that shows it: the first of the person's roles in FORUM_ROLES.
    shown_in: str
    watched: list[Topic] = field(default_factory=list)
    more_watched: bool = False
    topics_of_the_week: list[Topic] = field(default_factory=list)


@dataclass(frozen=True)
class CourseGlance:
    # The section (a role) that shows it: the first of the person's roles in COURSE_ROLES.
    shown_in: str
    topics: list[MyTopic] = field(default_factory=list)

    @property
    def waiting_for_me(self) -> int:
        """Topics open now that the person has not answered yet."""
        return sum(1 for item in self.topics if item.topic.forum_topic_id and not item.answered)


@dataclass(frozen=True)
class HomePage:
    roles: frozenset[str]
    service_user: ServiceUserHome | None = None
    provider: ProviderHome | None = None
    moderator: ModeratorHome | None = None
    admin: list[AdminLine] | None = None
    # The courses a facilitator runs this week (None: not a facilitator).
    facilitated_courses: list[CourseLine] | None = None
    research: ResearchGlance | None = None
    forum: ForumGlance | None = None
    courses: CourseGlance | None = None

    @property
    def is_facilitator(self) -> bool:
        return Role.FACILITATOR in self.roles

    @property
    def is_researcher(self) -> bool:
        return Role.RESEARCHER in self.roles


def forum_glance(user: User, shown_in: str) -> ForumGlance:
    """New replies in topics ``user`` watches and this week's topics (two queries)."""
    watched = forum.watched_topics_with_new_replies(user)
    return ForumGlance(
        shown_in=shown_in,
        watched=watched[: forum.SHOWN],
        more_watched=len(watched) > forum.SHOWN,
        topics_of_the_week=forum.topics_of_the_week(user),
    )


def build_home(user: User, roles: RoleSummary) -> HomePage:
    """Read what each of ``user``'s roles acts on; roles they do not hold cost nothing."""
    forum_role = next((role for role in FORUM_ROLES if roles.has(role)), None)
    course_role = next((role for role in COURSE_ROLES if roles.has(role)), None)
    return HomePage(
        roles=roles.roles,
        service_user=service_user_home(user) if roles.has(Role.SERVICE_USER) else None,
        provider=(
            provider_home(user, verified=roles.verified_provider)
            if roles.has(Role.PROVIDER)
            else None
        ),
        moderator=moderator_home(user) if roles.has(Role.MODERATOR) else None,
        admin=admin_home(user) if roles.has(Role.ORG_ADMIN) else None,
        facilitated_courses=(facilitator_courses(user) if roles.has(Role.FACILITATOR) else None),
        research=researcher_studies(user) if roles.has(Role.RESEARCHER) else None,
        forum=forum_glance(user, forum_role) if forum_role is not None else None,
        # Course topics the person is invited to answer first (one query).
        courses=(
            CourseGlance(shown_in=course_role, topics=topics_this_week(user))
            if course_role is not None
            else None
        ),
    )
