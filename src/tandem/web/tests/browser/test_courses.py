"""A course in the browser (issue 18): Otter enrols, sees the schedule in his organisation's
time zone and downloads the calendar (parsed back with ``icalendar``); on day 1 Pat sees "your
course topics this week" and answers with the professional badge; Fay sees the participation;
after the end the board is read-only. axe-core on every course page.

The live server runs in this process, so the course's days are moved by changing its schedule
(the services a facilitator uses), not the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.conftest import TOTP_SECRET
from tandem.courses import services
from tandem.courses.models import Course, CourseTopic
from tandem.courses.services import Schedule
from tandem.forum.models import Audience, Post
from tandem.moderation.models import PreModeration

from .conftest import ContextFactory, axe_violations, log_in

TITLE = "Living with voices: a week together"
QUESTION = "What helps on a day when the voices are loud?"
PROFESSION = "Community mental health nurse"
ZONE = "America/New_York"


def _schedule(opening: datetime, closing: datetime) -> Schedule:
    return Schedule(
        title=TITLE,
        purpose="A week for people who hear voices and professionals, together.",
        audience=Audience.MIXED,
        capacity=20,
        needs_approval=False,
        moderation=PreModeration.NONE,
        opening_at=opening,
        opening_link="https://meet.example.org/open",
        closing_at=closing,
        closing_link="https://meet.example.org/close",
        discussion_days=7,
    )


@pytest.fixture
def people(make_member: Callable[..., User], organisation: Organisation) -> dict[str, User]:
    organisation.time_zone = ZONE
    organisation.save()
    return {
        "fay": make_member(Role.FACILITATOR, pseudonym="Fay", email="fay@example.org"),
        "otter": make_member(Role.SERVICE_USER, pseudonym="Otter", email="otter@example.org"),
        "pat": make_member(
            Role.PROVIDER,
            totp=True,
            pseudonym="Pat",
            email="pat@example.org",
            profession=PROFESSION,
        ),
    }


def _axe(page: Page) -> None:
    assert axe_violations(page) == []


@pytest.mark.browser
def test_a_course_week_from_enrolment_to_the_archived_board(
    new_context: ContextFactory, people: dict[str, User], organisation: Organisation
) -> None:
    fay, otter, pat = people["fay"], people["otter"], people["pat"]
    # Tomorrow (UTC date), 23:00 UTC: 18:00 in New York (winter) — a time in another zone.
    tomorrow = (timezone.now() + timedelta(days=2)).date()
    opening = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 23, 0, tzinfo=UTC)
    course = services.create_course(
        facilitator=fay,
        organisation=organisation,
        schedule=_schedule(opening, opening + timedelta(days=7)),
    )
    for day in (1, 2):
        services.save_topic(
            course=course,
            facilitator=fay,
            day=day,
            question=QUESTION if day == 1 else "Who is in your corner?",
            reading="",
            invited=[pat] if day == 1 else [],
        )
    local_opening = opening.astimezone(ZoneInfo(ZONE))

    # Otter finds the course, sees its schedule in New York time, and enrols.
    ott = new_context(bypass_csp=True).new_page()
    log_in(ott, otter.email)
    ott.goto("/courses/")
    _axe(ott)
    ott.get_by_role("link", name=TITLE).click()
    expect(ott.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    expect(ott.locator("main")).to_contain_text(f"Times are in {ZONE}.")
    expect(ott.locator("[data-opening]")).to_have_text(
        local_opening.strftime("%A %-d %B %Y, 18:00")
    )
    expect(ott.locator("[data-opening]")).to_have_attribute("datetime", local_opening.isoformat())
    ott.get_by_role("button", name="Enrol").click()
    expect(ott.locator(".messages")).to_contain_text("You are enrolled.")
    _axe(ott)

    # He downloads the calendar: both live sessions and each topic's day, at the right times.
    with ott.expect_download() as info:
        ott.get_by_role("link", name="Add to my calendar (.ics)").click()
    ics = info.value.path().read_bytes()
    parsed = icalendar.Calendar.from_ical(ics)
    events = {str(e["uid"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    assert set(events) == {
        f"course-{course.pk}-opening",
        f"course-{course.pk}-closing",
        f"course-{course.pk}-day-1",
        f"course-{course.pk}-day-2",
    }
    start = events[f"course-{course.pk}-opening"].decoded("dtstart")
    assert str(start.tzinfo) == ZONE and start.hour == 18
    assert start.astimezone(UTC) == opening
    closing = events[f"course-{course.pk}-closing"].decoded("dtstart")
    assert closing.astimezone(UTC) == opening + timedelta(days=7)
    assert events[f"course-{course.pk}-day-2"].decoded("dtstart") == (
        local_opening.date() + timedelta(days=1)
    )
    assert TITLE.encode() not in ics

    # Day 1: the course began an hour ago and its first topic opened on the board.
    started = timezone.now() - timedelta(hours=1)
    course = Course.objects.select_related("organisation").get(pk=course.pk)
    services.update_course(course=course, schedule=_schedule(started, started + timedelta(days=7)))
    services.enrol(user=pat, course=course)
    assert services.release_due_topics(timezone.now()) == 1
    topic = CourseTopic.objects.get(course=course, day=1)
    assert topic.forum_topic is not None

    # Pat sees "your course topics this week" and answers first, with the badge.
    pat_page = new_context(bypass_csp=True).new_page()
    log_in(pat_page, pat.email, totp_secret=TOTP_SECRET)
    topics = pat_page.locator("[data-home-course-topics]")
    expect(topics).to_contain_text(QUESTION)
    expect(topics).to_contain_text(TITLE)
    topics.get_by_role("link", name=QUESTION).click()
    # First visit to the board: its code of conduct.
    pat_page.get_by_label("I have read the code of conduct and I will follow it").check()
    pat_page.get_by_role("button", name="Accept and continue").click()
    if not re.search(rf"/topics/{topic.forum_topic_id}/", pat_page.url):
        pat_page.goto(f"/topics/{topic.forum_topic_id}/")
    expect(pat_page.get_by_role("heading", level=1, name=QUESTION)).to_be_visible()
    expect(pat_page.locator("main")).to_contain_text("Invited to answer first: @Pat.")
    answer = "Naming the voice out loud and then doing something with my hands helps many people."
    pat_page.get_by_label("Your reply").fill(answer)
    pat_page.get_by_label("Write as a professional (shows your professional badge)").check()
    pat_page.get_by_role("button", name="Post reply").click()
    post = pat_page.locator("article").filter(has_text=answer)
    expect(post.locator(".badge-professional")).to_have_text(f"Professional · {PROFESSION}")
    _axe(pat_page)

    # Fay sees who took part: Pat and herself, both professionals; nobody left to answer.
    fay_page = new_context(bypass_csp=True).new_page()
    log_in(fay_page, fay.email)
    fay_page.goto(f"/courses/{course.pk}/dashboard/")
    row = fay_page.locator("[data-participation] tbody tr").first
    expect(row).to_contain_text(QUESTION)
    expect(row.locator("td").nth(2)).to_have_text("0")
    expect(row.locator("td").nth(3)).to_have_text("2")
    expect(row.locator("td").nth(4)).to_have_text("—")
    expect(fay_page.locator("[data-enrolment-counts]")).to_contain_text("2 of 20 places taken")
    expect(fay_page.locator("svg.participation-chart rect.bar")).to_have_count(7)
    _axe(fay_page)

    # After the closing session the board is read-only: Otter reads, nobody posts.
    ended = timezone.now() - timedelta(days=9)
    services.update_course(course=course, schedule=_schedule(ended, ended + timedelta(days=7)))
    assert services.archive_ended_boards(timezone.now()) == 1
    ott.goto(f"/topics/{topic.forum_topic_id}/")
    if ott.get_by_label("I have read the code of conduct and I will follow it").count():
        ott.get_by_label("I have read the code of conduct and I will follow it").check()
        ott.get_by_role("button", name="Accept and continue").click()
        ott.goto(f"/topics/{topic.forum_topic_id}/")
    expect(ott.locator("article").filter(has_text=answer)).to_have_count(1)
    expect(ott.locator("main")).to_contain_text("nobody can post")
    _axe(ott)
    # The forum refuses a reply on a locked board (its reply form stays, with the notice).
    late = "Is anyone still here?"
    ott.get_by_label("Your reply").fill(late)
    ott.get_by_role("button", name="Post reply").click()
    ott.wait_for_load_state()
    assert not Post.objects.filter(body=late, is_draft=False).exists()
