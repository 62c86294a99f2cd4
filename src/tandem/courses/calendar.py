"""iCalendar files of courses, built with the ``icalendar`` library.

A calendar leaves Tandem: it is synced to phones and shared calendar services. So it carries
times, the live sessions' links and the address of the course page, and never a course's
title, a topic's question or anything else people wrote. Each event has a stable UID, so a
calendar app updates it in place; SEQUENCE is the course's schedule version, and a cancelled
session stays in the calendar as STATUS:CANCELLED rather than vanishing. Times carry the
organisation's time zone (TZID, with its VTIMEZONE).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from tandem.courses.models import SESSION_MINUTES, Course, CourseTopic

PRODUCT_ID = "-//Tandem//Courses//EN"


def _session(course: Course, which: str, *, domain: str, course_url: str) -> Event:
    start = (course.opening_at if which == "opening" else course.closing_at).astimezone(course.zone)
    cancelled = course.opening_cancelled if which == "opening" else course.closing_cancelled
    link = course.opening_link if which == "opening" else course.closing_link
    event = Event()
    event.add("uid", f"course-{course.pk}-{which}@{domain}")
    event.add("dtstamp", course.updated_at)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=SESSION_MINUTES))
    event.add(
        "summary",
        _("Tandem course: opening live session")
        if which == "opening"
        else _("Tandem course: closing live session"),
    )
    event.add("url", link)
    event.add("location", link)
    event.add("description", _("Course page: %(url)s") % {"url": course_url})
    event.add("sequence", course.schedule_version)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def _topic_day(course: Course, topic: CourseTopic, *, domain: str, course_url: str) -> Event:
    """A topic's release day, as an all-day event of the organisation's calendar day."""
    day = course.release_at(topic.day).astimezone(course.zone).date()
    event = Event()
    event.add("uid", f"course-{course.pk}-day-{topic.day}@{domain}")
    event.add("dtstamp", course.updated_at)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", _("Tandem course: topic of day %(day)d opens") % {"day": topic.day})
    event.add("description", _("Course page: %(url)s") % {"url": course_url})
    event.add("sequence", course.schedule_version)
    event.add("transp", "TRANSPARENT")  # a release day does not make anyone busy
    return event


def build_calendar(
    courses: Iterable[tuple[Course, list[CourseTopic], str]], *, domain: str, name: str
) -> bytes:
    """An iCalendar file of the given courses: each as (course, its topics, its page's full
    address). ``domain`` makes the UIDs unique to this site."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for course, topics, course_url in courses:
        for which in ("opening", "closing"):
            calendar.add_component(_session(course, which, domain=domain, course_url=course_url))
        for topic in topics:
            calendar.add_component(_topic_day(course, topic, domain=domain, course_url=course_url))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
