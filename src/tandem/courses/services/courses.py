"""Making and changing a course: its schedule, its board, its facilitators and its topics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tandem.accounts.models import Organisation, User
from tandem.courses.access import check_can_create_course, course_role_for
from tandem.courses.models import (
    Course,
    CourseRole,
    CourseTopic,
    Enrolment,
    EnrolmentState,
)
from tandem.courses.services.enrolment import invite, promote_waiting
from tandem.courses.services.notifying import notify_course
from tandem.forum import services as forum_services
from tandem.forum.models import Audience, Category, Community, JoinPolicy
from tandem.moderation.models import CommunitySettings

# Written into the board when the course is made, in the language of whoever makes it (as
# the board's description): a board's texts are its content from then on, editable by its admins.
BOARD_CATEGORY = gettext_lazy("Topics of the course")
BOARD_CONDUCT = gettext_lazy(
    """\
1. Be kind. Everyone here is on the course to learn from each other.
2. Use your display name only. Never share your real name, address or workplace, or anyone \
else's.
3. Talk about your own experience. Professionals take part in their professional role and \
carry a badge; they are not your care team here.
4. If you are worried about your safety or someone else's, use "Need help now?" at the top of \
every page. This board is not watched all the time and is not an emergency service.
5. Moderators may hide posts that break these rules. After the course the board stays readable \
but closes for new posts.
"""
)


@dataclass(frozen=True)
class Schedule:
    """What a facilitator sets about a course (the course form's cleaned data)."""

    title: str
    purpose: str
    audience: str
    capacity: int
    needs_approval: bool
    moderation: str
    opening_at: datetime
    opening_link: str
    closing_at: datetime
    closing_link: str
    discussion_days: int


def _apply(course: Course, schedule: Schedule) -> bool:
    """Copy ``schedule`` onto ``course``; return whether a time or link changed (calendars
    must then see a new version of their events)."""
    moved = (
        course.opening_at != schedule.opening_at
        or course.closing_at != schedule.closing_at
        or course.opening_link != schedule.opening_link
        or course.closing_link != schedule.closing_link
        or course.discussion_days != schedule.discussion_days
    )
    for name, value in schedule.__dict__.items():
        setattr(course, name, value)
    return moved


@transaction.atomic
def create_course(*, facilitator: User, organisation: Organisation, schedule: Schedule) -> Course:
    """Create a course run by ``facilitator``, with its board: a closed community of the
    organisation (nobody finds or joins it by themselves; enrolment adds people), one category
    for the course's topics, and the course's moderation setting."""
    check_can_create_course(facilitator, organisation.pk)
    course = Course(organisation=organisation)
    _apply(course, schedule)
    course.full_clean(exclude=["board"])
    course.save()
    board = Community(
        organisation=organisation,
        name=course.title[:120],
        slug=f"course-{course.pk}",
        description=_("The board of a course: for the people on it and its facilitators."),
        # Who may enrol is the course's rule (courses.access.course_role_for); the board takes
        # everyone the course let in, facilitators included.
        audience=Audience.MIXED,
        join_policy=JoinPolicy.CLOSED,
        code_of_conduct=str(BOARD_CONDUCT),
    )
    board.full_clean()
    board.save()
    Category.objects.create(community=board, name=str(BOARD_CATEGORY), position=0)
    CommunitySettings.objects.create(community=board, premoderation=course.moderation)
    course.board = board
    course.save(update_fields=["board"])
    course.facilitators.add(facilitator)
    forum_services.add_member(community=board, user=facilitator)
    return course


@transaction.atomic
def update_course(*, course: Course, schedule: Schedule) -> Course:
    """Change a course (its facilitator, as the gate found). A change of time or link makes
    a new version of its calendar events; the board follows the new moderation setting."""
    moved = _apply(course, schedule)
    if moved:
        course.schedule_version += 1
    course.full_clean(exclude=["board"])
    course.save()
    if course.board_id is not None:
        CommunitySettings.objects.update_or_create(
            community_id=course.board_id, defaults={"premoderation": course.moderation}
        )
        Community.objects.filter(pk=course.board_id).update(name=course.title[:120])
    # More places (or a later end) may let people in from the waiting list.
    locked = (
        Course.objects.select_for_update(of=("self",)).select_related("board").get(pk=course.pk)
    )
    locked.organisation = course.organisation
    promote_waiting(course=locked)
    return course


@transaction.atomic
def set_session_cancelled(*, course: Course, session: str, cancelled: bool) -> Course:
    """Cancel (or restore) the opening or closing live session. Calendars show a cancelled
    session as cancelled (not gone), and everyone on the course is told, without content."""
    if session not in ("opening", "closing"):
        raise ValidationError(_("Choose the opening or the closing session."))
    field = f"{session}_cancelled"
    if getattr(course, field) == cancelled:
        return course
    setattr(course, field, cancelled)
    course.schedule_version += 1
    course.save(update_fields=[field, "schedule_version", "updated_at"])
    notify_course(
        course=course, kind="courses.session_changed", title=_("A course session changed")
    )
    return course


@transaction.atomic
def add_facilitator(*, course: Course, user: User) -> None:
    """Make ``user`` a facilitator of ``course`` too; they must be able to run courses in its
    organisation. They join the board at once."""
    try:
        check_can_create_course(user, course.organisation_id)
    except PermissionDenied as error:
        raise ValidationError(
            {"person": _("Only facilitators and verified professionals can run a course.")}
        ) from error
    course.facilitators.add(user)
    if course.board is not None:
        forum_services.add_member(community=course.board, user=user)


@transaction.atomic
def save_topic(
    *,
    course: Course,
    facilitator: User,
    day: int,
    question: str,
    reading: str,
    invited: list[User],
    topic: CourseTopic | None = None,
) -> CourseTopic:
    """Add or change the topic of one day. Each invited professional must be able to take
    part as a professional; one not yet on the course is invited to it. A released topic's
    day cannot move (its forum topic exists)."""
    if topic is None:
        topic = CourseTopic(course=course)
    elif topic.released_at is not None and topic.day != day:
        raise ValidationError({"day": _("This topic is already open: its day cannot change.")})
    if day > course.discussion_days:
        raise ValidationError(
            {
                "day": _("The discussion lasts %(days)d days: choose day 1 to %(days)d.")
                % {"days": course.discussion_days}
            }
        )
    not_professionals = [
        p.pseudonym for p in invited if course_role_for(p, course) != CourseRole.PROFESSIONAL
    ]
    if not_professionals:
        raise ValidationError(
            {
                "invited": _("Only professionals can be invited to answer first: %(names)s.")
                % {"names": ", ".join(not_professionals)}
            }
        )
    topic.day = day
    topic.question = question.strip()
    topic.reading = reading.strip()
    topic.full_clean(exclude=["course", "forum_topic"])
    topic.save()
    topic.invited.set(invited)
    for person in invited:
        existing = Enrolment.objects.filter(course=course, user=person).first()
        if existing is None or existing.state == EnrolmentState.LEFT:
            invite(course=course, facilitator=facilitator, user=person)
    return topic


@transaction.atomic
def delete_topic(*, topic: CourseTopic) -> None:
    """Remove a topic not yet released (a released one is part of the board now)."""
    if topic.released_at is not None:
        raise ValidationError(_("This topic is already open on the board."))
    topic.delete()
