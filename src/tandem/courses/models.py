"""Courses and topic weeks: a schedule (an opening live session, a discussion period with a
given topic released each day, a closing live session), the people enrolled, and the course's
board, which is a closed forum community.

Times are stored in UTC (``USE_TZ``) and shown in the organisation's time zone. Who may read
the board is the forum's membership rule and nothing else: enrolling adds the person to the
board's community, leaving removes them (``courses.services``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Organisation, User
from tandem.core.models import TimeStampedModel
from tandem.forum.models import Audience, Community, Topic
from tandem.moderation.models import PreModeration

TITLE_MAX_LENGTH = 150
QUESTION_MAX_LENGTH = 150  # the question becomes the forum topic's title
DEFAULT_DISCUSSION_DAYS = 7
MAX_DISCUSSION_DAYS = 28
# How long a live session is taken to last, for the calendar and for "the course has ended".
SESSION_MINUTES = 60

# A live session's link is opened by everyone on the course: only https, never a plain http
# link (which a network on the way could rewrite) nor javascript: or data: links.
https_only = URLValidator(
    schemes=["https"], message=_("Enter a link that starts with https://."), code="not_https"
)


class Course(TimeStampedModel):
    """One run of a course in one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    purpose = models.TextField(
        _("what the course is for"),
        max_length=2000,
        help_text=_("In plain words: who it is for and what people will do together."),
    )
    audience = models.CharField(
        _("who may enrol"), max_length=20, choices=Audience.choices, default=Audience.MIXED
    )
    capacity = models.PositiveSmallIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    needs_approval = models.BooleanField(
        _("a facilitator approves each enrolment"),
        default=False,
        help_text=_("Otherwise people enrol themselves while there are places."),
    )
    moderation = models.CharField(
        _("moderation of the course board"),
        max_length=20,
        choices=PreModeration.choices,
        default=PreModeration.NEW_MEMBERS,
    )
    opening_at = models.DateTimeField(_("opening session starts"))
    opening_link = models.URLField(
        _("opening session link"), max_length=500, validators=[https_only]
    )
    opening_cancelled = models.BooleanField(_("opening session cancelled"), default=False)
    discussion_days = models.PositiveSmallIntegerField(
        _("days of discussion"),
        default=DEFAULT_DISCUSSION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DISCUSSION_DAYS)],
    )
    closing_at = models.DateTimeField(_("closing session starts"))
    closing_link = models.URLField(
        _("closing session link"), max_length=500, validators=[https_only]
    )
    closing_cancelled = models.BooleanField(_("closing session cancelled"), default=False)
    facilitators = models.ManyToManyField(User, related_name="facilitated_courses")
    # The course's discussion space: a closed community of the forum. Set when the course is
    # created (courses.services.create_course), never changed.
    board = models.OneToOneField(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="course"
    )
    # Calendars compare this to know that an event changed (iCalendar SEQUENCE).
    schedule_version = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "opening_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closing_at__gt=models.F("opening_at")),
                name="courses_closing_after_opening",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="courses_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        # Either may be missing when its own field failed validation.
        opening: datetime | None = self.opening_at
        closing: datetime | None = self.closing_at
        if opening is not None and closing is not None and closing <= opening:
            raise ValidationError(
                {"closing_at": _("The closing session must come after the opening session.")}
            )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organisation.time_zone)

    @property
    def ends_at(self) -> datetime:
        """When the closing session is over: from then on the board is read-only."""
        return self.closing_at + timedelta(minutes=SESSION_MINUTES)

    def release_at(self, day: int) -> datetime:
        """When the topic of ``day`` (1 = the day of the opening session) opens: that day, at
        the opening session's time of day in the organisation's time zone (so a change to or
        from summer time does not move the topics by an hour)."""
        local = self.opening_at.astimezone(self.zone)
        released = datetime.combine(local.date() + timedelta(days=day - 1), local.time())
        return released.replace(tzinfo=self.zone)

    def has_ended(self, now: datetime) -> bool:
        return now >= self.ends_at


class CourseTopic(models.Model):
    """The given topic of one day of the discussion period."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="topics")
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DISCUSSION_DAYS)]
    )
    question = models.CharField(_("question"), max_length=QUESTION_MAX_LENGTH)
    reading = models.TextField(
        _("reading (optional)"),
        max_length=5000,
        blank=True,
        help_text=_("A few lines or a link to read before answering. Markdown works."),
    )
    invited = models.ManyToManyField(
        User, blank=True, related_name="invited_course_topics", verbose_name=_("invited to answer")
    )
    # The forum topic made when the day came (courses.services.release_due_topics).
    forum_topic = models.OneToOneField(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="course_topic"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    # The one content-free nudge to invited professionals who had not answered yet.
    nudged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "day"], name="courses_one_topic_a_day"),
        ]

    def __str__(self) -> str:
        return self.question


class EnrolmentState(models.TextChoices):
    INVITED = "invited", _("Invited")
    REQUESTED = "requested", _("Asked to enrol")
    WAITING = "waiting", _("On the waiting list")
    ENROLLED = "enrolled", _("Enrolled")
    LEFT = "left", _("Left")


class CourseRole(models.TextChoices):
    SERVICE_USER = "service_user", _("Service user")
    PROFESSIONAL = "professional", _("Professional")


class Enrolment(TimeStampedModel):
    """One person's place (or wish for one) on one course. Leaving keeps the row as "left"."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="course_enrolments")
    state = models.CharField(max_length=20, choices=EnrolmentState.choices)
    role = models.CharField(max_length=20, choices=CourseRole.choices)
    # The badge a professional carries on the course, copied from their profession.
    professional_title = models.CharField(max_length=100, blank=True)
    # The waiting list's order: first come, first promoted.
    waiting_since = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="courses_one_enrolment"),
        ]
        indexes = [models.Index(fields=["course", "state", "waiting_since"])]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.course_id}: {self.state}"

    @property
    def is_enrolled(self) -> bool:
        return self.state == EnrolmentState.ENROLLED

    @property
    def is_active(self) -> bool:
        """Holding or waiting for a place (not left, not only invited)."""
        return self.state in (
            EnrolmentState.ENROLLED,
            EnrolmentState.WAITING,
            EnrolmentState.REQUESTED,
        )


class ReminderKind(models.TextChoices):
    OPENING_DAY = "opening_day", _("The day before the opening session")
    OPENING_HOUR = "opening_hour", _("An hour before the opening session")
    CLOSING_DAY = "closing_day", _("The day before the closing session")
    CLOSING_HOUR = "closing_hour", _("An hour before the closing session")


class SentReminder(models.Model):
    """A reminder already sent for a course, so that the periodic run sends each once."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "kind"], name="courses_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.course_id}"


class CalendarFeed(models.Model):
    """A person's secret calendar address (all their courses). The token is the address, since
    a calendar app cannot log in; only its SHA-256 is stored, so the address is shown once, when
    made. Revoking deletes the row and the old address answers 404. The feed holds times and
    links only, never a course's title or any health text (``courses.calendar``)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="course_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user_id}"
