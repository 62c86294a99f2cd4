"""Reads about courses, shaped for one page each and scoped by the person asking. Each runs a
fixed number of queries whatever the number of courses, topics or people
(``courses/tests/test_query_counts.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.courses.access import CourseAccess, courses_visible_to
from tandem.courses.models import (
    MAX_DISCUSSION_DAYS,
    CalendarFeed,
    Course,
    CourseRole,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.courses.services.calendar_feed import hash_token
from tandem.courses.services.notifying import COURSE_SCOPE as COURSE_SCOPE
from tandem.forum.access import PROFESSIONAL_ROLES
from tandem.forum.models import Audience, ModerationState, Post, Reaction

# Finished courses stay in the list this long for the people who were on them.
PAST_SHOWN_DAYS = 90


def course_scope_ids(user: User) -> QuerySet[Any]:
    """Courses whose notifications ``user`` may still see: those they are on (enrolled,
    waiting, asking or invited) or facilitate. Leaving hides them at once."""
    on = Enrolment.objects.filter(user=user).exclude(state=EnrolmentState.LEFT).values("course_id")
    return Course.objects.filter(Q(pk__in=on) | Q(facilitators=user)).values("pk")


def _places_taken() -> Coalesce:
    taken = (
        Enrolment.objects.filter(course=OuterRef("pk"), state=EnrolmentState.ENROLLED)
        .order_by()
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taken), Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class CourseLine:
    course: Course
    my_state: str | None
    is_facilitator: bool
    places_taken: int

    @property
    def places_left(self) -> int:
        return max(self.course.capacity - self.places_taken, 0)


def course_list(user: User, now: datetime | None = None) -> list[CourseLine]:
    """Courses of ``user``'s organisations that have not ended, soonest first, then finished
    ones they were on or ran (recent ones only), with their place on each (one query)."""
    now = now or timezone.now()
    mine = Enrolment.objects.filter(course=OuterRef("pk"), user=user).values("state")[:1]
    facilitates = Course.facilitators.through.objects.filter(course=OuterRef("pk"), user=user)
    rows = (
        courses_visible_to(user)
        .annotate(
            my_state=Subquery(mine),
            is_facilitator=Exists(facilitates),
            taken=_places_taken(),
        )
        .filter(
            Q(closing_at__gt=now)
            | Q(
                closing_at__gt=now - timedelta(days=PAST_SHOWN_DAYS),
                my_state__isnull=False,
            )
            | Q(closing_at__gt=now - timedelta(days=PAST_SHOWN_DAYS), is_facilitator=True)
        )
        .select_related("organisation")
        .order_by("opening_at", "pk")
    )
    return [
        CourseLine(
            course=c,
            my_state=c.my_state,
            is_facilitator=bool(c.is_facilitator),
            places_taken=c.taken,
        )
        for c in rows
    ]


@dataclass(frozen=True)
class TopicLine:
    topic: CourseTopic
    release_at: datetime
    invited: list[User]


@dataclass(frozen=True)
class CoursePage:
    access: CourseAccess
    topics: list[TopicLine]
    facilitators: list[User]
    places_taken: int
    waiting: int
    # Requests to enrol, for the facilitators only (empty for everyone else).
    requests: list[Enrolment]

    @property
    def places_left(self) -> int:
        return max(self.access.course.capacity - self.places_taken, 0)


def course_page(access: CourseAccess) -> CoursePage:
    """The schedule, topics (with who is invited), facilitators and places of a course the
    gate let the person see (four queries; five for a facilitator)."""
    course = access.course
    topics = list(
        CourseTopic.objects.filter(course=course)
        .select_related("forum_topic")
        .prefetch_related("invited")
        .order_by("day", "pk")
    )
    counts = dict(
        Enrolment.objects.filter(
            course=course, state__in=[EnrolmentState.ENROLLED, EnrolmentState.WAITING]
        )
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    requests: list[Enrolment] = []
    if access.is_facilitator:
        requests = list(
            Enrolment.objects.filter(course=course, state=EnrolmentState.REQUESTED)
            .select_related("user")
            .order_by("created_at", "pk")
        )
    return CoursePage(
        access=access,
        topics=[
            TopicLine(
                topic=t,
                release_at=course.release_at(t.day),
                invited=sorted(t.invited.all(), key=lambda u: u.pseudonym.lower()),
            )
            for t in topics
        ],
        facilitators=list(course.facilitators.order_by("pseudonym")),
        places_taken=counts.get(EnrolmentState.ENROLLED, 0),
        waiting=counts.get(EnrolmentState.WAITING, 0),
        requests=requests,
    )


@dataclass(frozen=True)
class MyTopic:
    topic: CourseTopic
    release_at: datetime
    answered: bool


def topics_this_week(user: User, now: datetime | None = None) -> list[MyTopic]:
    """Course topics ``user`` is invited to answer first that open within a week of now (past
    or coming), on courses they are enrolled on or run, with whether they have answered
    (two queries). For a professional's home page."""
    now = now or timezone.now()
    on_course = Enrolment.objects.filter(
        course=OuterRef("course"), user=user, state=EnrolmentState.ENROLLED
    )
    facilitates = Course.facilitators.through.objects.filter(course=OuterRef("course"), user=user)
    answered = Post.objects.filter(
        topic=OuterRef("forum_topic"), author=user, is_draft=False, deleted_at__isnull=True
    )
    topics = (
        CourseTopic.objects.filter(
            invited=user,
            course__opening_at__lte=now + timedelta(days=7),
            course__closing_at__gt=now,
        )
        .filter(Exists(on_course) | Exists(facilitates))
        .annotate(has_answered=Exists(answered))
        .select_related("course__organisation", "forum_topic")
        .order_by("course__opening_at", "day", "pk")
    )
    found = []
    for topic in topics:
        release = topic.course.release_at(topic.day)
        if abs(release - now) <= timedelta(days=7):
            found.append(MyTopic(topic=topic, release_at=release, answered=topic.has_answered))
    return found


def courses_for_feed(user: User) -> list[tuple[Course, list[CourseTopic]]]:
    """Courses ``user`` is enrolled on or runs, with their topics, for their calendar feed
    (two queries). Only times and days: the calendar builder writes no titles or questions."""
    on = Enrolment.objects.filter(user=user, state=EnrolmentState.ENROLLED).values("course_id")
    courses = list(
        Course.objects.filter(Q(pk__in=on) | Q(facilitators=user))
        .distinct()
        .select_related("organisation")
        .order_by("opening_at", "pk")
    )
    by_course: dict[int, list[CourseTopic]] = {c.pk: [] for c in courses}
    for topic in CourseTopic.objects.filter(course__in=[c.pk for c in courses]).order_by("day"):
        by_course[topic.course_id].append(topic)
    return [(c, by_course[c.pk]) for c in courses]


def topics_of(course: Course) -> list[CourseTopic]:
    return list(CourseTopic.objects.filter(course=course).order_by("day", "pk"))


# ---- The facilitator's dashboard ---------------------------------------------------------


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


def _members_with(course: Course, roles: tuple[str, ...]) -> QuerySet[User]:
    verified = Q(memberships__role__in=[r for r in roles if r != Role.PROVIDER])
    if Role.PROVIDER in roles:
        verified |= Q(memberships__role=Role.PROVIDER, memberships__verified_at__isnull=False)
    return (
        User.objects.filter(is_active=True, memberships__organisation=course.organisation_id)
        .filter(verified)
        .distinct()
        .order_by("pseudonym")
    )


def professionals_for(course: Course) -> QuerySet[User]:
    """People of the course's organisation who can be invited to answer a topic first."""
    if course.audience == Audience.SERVICE_USERS:
        return User.objects.none()
    return _members_with(course, tuple(PROFESSIONAL_ROLES))


def possible_facilitators(course: Course) -> QuerySet[User]:
    """People of the course's organisation who may run it (facilitators, verified providers)
    and do not yet."""
    return _members_with(course, (Role.FACILITATOR, Role.PROVIDER)).exclude(
        facilitated_courses=course
    )


def people_to_invite(course: Course) -> QuerySet[User]:
    """People of the course's organisation the course is open to."""
    roles: tuple[str, ...] = ()
    if course.audience != Audience.PROFESSIONALS:
        roles += (Role.SERVICE_USER,)
    if course.audience != Audience.SERVICE_USERS:
        roles += tuple(PROFESSIONAL_ROLES)
    return _members_with(course, roles)


def request_on(course: Course, enrolment_id: int) -> Enrolment:
    """A request to enrol on ``course`` (for its facilitator), else Http404."""
    enrolment = (
        Enrolment.objects.filter(pk=enrolment_id, course=course).select_related("user").first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def topic_on(course: Course, topic_id: int) -> CourseTopic:
    """A topic of ``course`` (for its facilitator), else Http404."""
    topic = CourseTopic.objects.filter(pk=topic_id, course=course).first()
    if topic is None:
        raise Http404
    return topic


def next_free_day(course: Course) -> int:
    taken = set(CourseTopic.objects.filter(course=course).values_list("day", flat=True))
    return next((d for d in range(1, course.discussion_days + 1) if d not in taken), 1)


def has_feed(user: User) -> bool:
    return CalendarFeed.objects.filter(user=user).exists()


def feed_owner(token: str) -> User | None:
    """The active person whose calendar address holds ``token``, else None. The token is
    compared by its hash (looked up by the unique index), never stored in clear."""
    feed = (
        CalendarFeed.objects.filter(token_hash=hash_token(token), user__is_active=True)
        .select_related("user")
        .first()
    )
    return feed.user if feed is not None else None
