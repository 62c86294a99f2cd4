"""Add the demo courses to the demo organisation. Safe to run again.

Fay runs "Living with voices: a week together" (service users and professionals, Pat invited to
answer the first topics) starting next Monday, and a finished course, "Sleep and routines: a
week together", whose board is archived (readable, closed for posting). Run after
``seed_demo``'s people and ``seed_forum_demo``. Refuses to run in production.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic
from tandem.courses.services import Schedule
from tandem.forum import services as forum_services
from tandem.forum.models import Audience
from tandem.moderation.models import CommunitySettings, PreModeration

VOICES = "Living with voices: a week together"
SLEEP = "Sleep and routines: a week together"

VOICES_TOPICS = (
    ("What do you wish people understood about hearing voices?", True),
    ("What has helped you live alongside voices on a hard day?", True),
    ("How do you talk about voices with your care team?", False),
    ("Voices and sleep: what helps at night?", False),
    ("Who else is in your corner?", False),
    ("What would you tell someone who has just started hearing voices?", False),
    ("Looking back on the week: one thing to keep.", False),
)
SLEEP_TOPICS = (
    "What does a good night look like for you?",
    "Screens, tea and other late-night habits.",
    "Mornings: getting going when everything is heavy.",
)
READING = "Read before answering: [Hearing Voices Network](https://www.hearing-voices.org/)."


def _person(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        raise CommandError(f"Run seed_demo first: {email} is missing.")
    return user


def _next_monday(zone: ZoneInfo) -> datetime:
    today = timezone.now().astimezone(zone).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(18, 0), tzinfo=zone)


def _schedule(title: str, purpose: str, opening: datetime, closing: datetime) -> Schedule:
    return Schedule(
        title=title,
        purpose=purpose,
        audience=Audience.MIXED,
        capacity=20,
        needs_approval=False,
        # The demo shows the course itself; pre-moderation would hold each first post.
        moderation=PreModeration.NONE,
        opening_at=opening,
        opening_link="https://meet.example.org/tandem-voices-opening",
        closing_at=closing,
        closing_link="https://meet.example.org/tandem-voices-closing",
        discussion_days=7,
    )


class Command(BaseCommand):
    help = "Create or refresh the demo courses for the organisation 'northside' (not in prod)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.TANDEM_ENV == "prod":
            raise CommandError("seed_courses_demo refuses to run with TANDEM_ENV=prod.")
        organisation = Organisation.objects.filter(slug="northside").first()
        if organisation is None:
            raise CommandError("Run seed_demo first: the organisation 'northside' is missing.")
        zone = ZoneInfo(organisation.time_zone)
        fay, pat = _person("fay@demo.tandem"), _person("pat@demo.tandem")
        with transaction.atomic():
            voices = self._voices(organisation, zone, fay, pat)
            sleep = self._sleep(organisation, zone, fay, pat)
        self.stdout.write(self.style.SUCCESS(f"Demo courses ready: {voices.title}; {sleep.title}"))

    def _voices(self, organisation: Organisation, zone: ZoneInfo, fay: User, pat: User) -> Course:
        opening = _next_monday(zone)
        schedule = _schedule(
            VOICES,
            "A week for people who hear voices and the professionals who work with them: an "
            "opening webcast, one question a day on the course board, and a closing webinar.",
            opening,
            opening + timedelta(days=7),
        )
        course = Course.objects.filter(organisation=organisation, title=VOICES).first()
        if course is None:
            course = services.create_course(
                facilitator=fay, organisation=organisation, schedule=schedule
            )
        else:
            course.organisation = organisation
            services.update_course(course=course, schedule=schedule)
        for day, (question, pat_first) in enumerate(VOICES_TOPICS, start=1):
            topic = CourseTopic.objects.filter(course=course, day=day).first()
            services.save_topic(
                course=course,
                facilitator=fay,
                day=day,
                question=question,
                reading=READING if day == 1 else "",
                invited=[pat] if pat_first else [],
                topic=topic,
            )
        return course

    def _sleep(self, organisation: Organisation, zone: ZoneInfo, fay: User, pat: User) -> Course:
        existing = Course.objects.filter(organisation=organisation, title=SLEEP).first()
        if existing is not None:
            return existing
        opening = _next_monday(zone) - timedelta(days=21)
        # Made while still running (people can enrol and topics open), then given its real end.
        running = _schedule(
            SLEEP,
            "A week on sleep and daily routines, with a nurse taking part.",
            opening,
            timezone.now() + timedelta(days=1),
        )
        course = services.create_course(
            facilitator=fay, organisation=organisation, schedule=running
        )
        for day, question in enumerate(SLEEP_TOPICS, start=1):
            services.save_topic(
                course=course,
                facilitator=fay,
                day=day,
                question=question,
                reading="",
                invited=[pat] if day == 1 else [],
            )
        people = [_person(e) for e in ("alex@demo.tandem", "sam@demo.tandem")] + [pat]
        board = course.board
        assert board is not None  # noqa: S101 - create_course made it
        for person in [*people, fay]:
            if person != fay:
                services.enrol(user=person, course=course)
            forum_services.join_community(
                user=person, community=board, accepted_version=board.code_of_conduct_version
            )
        # Its three days' topics open at once here, not one a day as on a real course: lift
        # the new member's daily topic limit of this demo board for that.
        CommunitySettings.objects.filter(community=board).update(new_member_topics_per_day=10)
        services.release_due_topics(timezone.now())
        first = CourseTopic.objects.select_related("forum_topic").get(course=course, day=1)
        if first.forum_topic is not None:
            first.forum_topic.community = board
            forum_services.reply_to_topic(
                author=pat,
                topic=first.forum_topic,
                body="For me a good night starts an hour before bed: lights down, phone away.",
                as_professional=True,
            )
            forum_services.reply_to_topic(
                author=people[0],
                topic=first.forum_topic,
                body="Waking up once and getting back to sleep without the voices getting loud.",
            )
        services.update_course(
            course=course,
            schedule=_schedule(
                SLEEP,
                running.purpose,
                opening,
                opening + timedelta(days=7),
            ),
        )
        services.archive_ended_boards(timezone.now())
        return course
