"""The facilitator's dashboard: who is on the course and who takes part, topic by topic and day by
day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tandem.accounts.models import User
from tandem.courses.models import (
    MAX_DISCUSSION_DAYS,
    Course,
    CourseRole,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.forum.models import ModerationState, Post, Reaction


@dataclass(frozen=True)
class TopicParticipation:
    topic: CourseTopic
    service_users: int
    professionals: int
    # Invited professionals who have not posted in the topic yet (it is open).
    unanswered: list[User]


@dataclass(frozen=True)
class DayParticipation:
    day: date
    people: int


@dataclass(frozen=True)
class Dashboard:
    enrolments: list[Enrolment]
    topics: list[TopicParticipation]
    held_posts: int
    days: list[DayParticipation]

    def count(self, state: str) -> int:
        return sum(1 for e in self.enrolments if e.state == state)

    @property
    def enrolled(self) -> int:
        return self.count(EnrolmentState.ENROLLED)

    @property
    def waiting(self) -> int:
        return self.count(EnrolmentState.WAITING)

    @property
    def requested(self) -> int:
        return self.count(EnrolmentState.REQUESTED)


def dashboard(course: Course) -> Dashboard:
    """Who is on the course, who took part in each topic (posted or reacted; service users and
    professionals apart, facilitators counted as professionals), invited professionals who
    have not answered, posts held for moderators, and people taking part each day of the
    discussion (five queries). For the course's facilitators, as the gate found."""
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .exclude(state=EnrolmentState.LEFT)
        .select_related("user")
        .order_by("state", "user__pseudonym")
    )
    professionals = {e.user_id for e in enrolments if e.role == CourseRole.PROFESSIONAL}
    professionals |= set(course.facilitators.values_list("pk", flat=True))
    topics = list(
        CourseTopic.objects.filter(course=course).prefetch_related("invited").order_by("day")
    )
    board_id = course.board_id
    posts = Post.objects.filter(
        topic__community=board_id, is_draft=False, deleted_at__isnull=True
    ).values_list("topic_id", "author_id", "published_at")
    reactions = Reaction.objects.filter(post__topic__community=board_id).values_list(
        "post__topic_id", "user_id", "created_at"
    )
    people_in: dict[int, set[int]] = {}
    posters_in: dict[int, set[int]] = {}
    by_day: dict[date, set[int]] = {}
    zone = course.zone
    for kind, rows in (("post", posts), ("reaction", reactions)):
        for topic_id, person, at in rows:
            people_in.setdefault(topic_id, set()).add(person)
            if kind == "post":
                posters_in.setdefault(topic_id, set()).add(person)
            if at is not None:
                by_day.setdefault(at.astimezone(zone).date(), set()).add(person)
    participation = []
    for topic in topics:
        took_part = people_in.get(topic.forum_topic_id or 0, set())
        posted = posters_in.get(topic.forum_topic_id or 0, set())
        participation.append(
            TopicParticipation(
                topic=topic,
                service_users=len(took_part - professionals),
                professionals=len(took_part & professionals),
                unanswered=[
                    p for p in topic.invited.all() if topic.released_at and p.pk not in posted
                ]
                if topic.forum_topic_id
                else [],
            )
        )
    held = Post.objects.filter(
        topic__community=board_id, is_draft=False, moderation_state=ModerationState.HELD
    ).count()
    first = course.opening_at.astimezone(zone).date()
    span = min(course.discussion_days, MAX_DISCUSSION_DAYS)
    days = [
        DayParticipation(
            day=first + timedelta(days=n), people=len(by_day.get(first + timedelta(days=n), set()))
        )
        for n in range(span)
    ]
    return Dashboard(enrolments=enrolments, topics=participation, held_posts=held, days=days)
