"""Course pages through the test client: the schedule form's checks, enrolling and leaving,
and who may see the board, its topics, its search hits and its calendars."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Organisation, Role, User
from tandem.courses import services
from tandem.courses.models import Course, EnrolmentState
from tandem.forum import services as forum_services
from tandem.forum.models import Category, Topic

pytestmark = pytest.mark.django_db

GOOD_FORM = {
    "title": "Living with voices",
    "purpose": "A week together.",
    "audience": "mixed",
    "capacity": "12",
    "moderation": "none",
    "opening_at": "2027-01-11T18:00",
    "opening_link": "https://meet.example.org/open",
    "discussion_days": "7",
    "closing_at": "2027-01-18T18:00",
    "closing_link": "https://meet.example.org/close",
}


def test_a_facilitator_creates_a_course_in_the_organisations_time_zone(
    logged_in: Callable[[User], Client], facilitator: User, organisation: Organisation
) -> None:
    organisation.time_zone = "America/New_York"
    organisation.save()
    response = logged_in(facilitator).post(reverse("courses:course-create"), GOOD_FORM)
    assert response.status_code == 302
    course = Course.objects.get()
    # 18:00 in New York in January is 23:00 UTC.
    assert course.opening_at == datetime(2027, 1, 11, 23, 0, tzinfo=UTC)
    assert list(course.facilitators.all()) == [facilitator]
    assert course.board is not None and course.board.join_policy == "closed"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"closing_at": "2027-01-10T18:00"}, "closing_at", "must come after the opening"),
        ({"opening_link": "http://meet.example.org/open"}, "opening_link", "https://"),
        ({"closing_link": "javascript:alert(1)"}, "closing_link", "Enter a"),
        ({"capacity": "0"}, "capacity", "at least one place"),
    ],
)
def test_bad_schedules_get_clear_messages_and_keep_what_was_typed(
    logged_in: Callable[[User], Client],
    facilitator: User,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    data = {**GOOD_FORM, **change}
    response = logged_in(facilitator).post(reverse("courses:course-create"), data)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    html = response.content.decode()
    assert "Living with voices" in html and "A week together." in html
    assert "There is a problem" in html
    assert not Course.objects.exists()


def test_a_service_user_cannot_create_courses(
    logged_in: Callable[[User], Client], service_user: User
) -> None:
    client = logged_in(service_user)
    assert client.get(reverse("courses:course-create")).status_code == 404
    assert client.post(reverse("courses:course-create"), GOOD_FORM).status_code == 404


def test_the_course_page_shows_the_schedule_in_the_organisations_time_zone(
    logged_in: Callable[[User], Client],
    make_course: Callable[..., Course],
    service_user: User,
    organisation: Organisation,
) -> None:
    organisation.time_zone = "Asia/Tokyo"
    organisation.save()
    course = make_course(opening_at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    response = logged_in(service_user).get(reverse("courses:course-detail", args=[course.pk]))
    html = response.content.decode()
    assert "Times are in Asia/Tokyo" in html
    assert "Monday 11 January 2027, 18:00" in html  # 09:00 UTC is 18:00 in Tokyo


def test_a_course_of_another_organisation_is_not_found(
    logged_in: Callable[[User], Client], course: Course
) -> None:
    from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory

    stranger = UserFactory.create()
    MembershipFactory.create(user=stranger, organisation=OrganisationFactory.create())
    client = logged_in(stranger)
    assert client.get(reverse("courses:course-detail", args=[course.pk])).status_code == 404
    assert client.post(reverse("courses:course-enrol", args=[course.pk])).status_code == 404
    assert (
        reverse("courses:course-detail", args=[course.pk])
        not in client.get(reverse("courses:course-list")).content.decode()
    )


def _open_topic(course: Course, facilitator: User, body: str = "Sleepless with voices") -> Topic:
    board = course.board
    assert board is not None
    category = Category.objects.get(community=board)
    return forum_services.create_topic(
        author=facilitator, community=board, category=category, title="Day 1", body=body
    )


def _accept_conduct(user: User, course: Course) -> None:
    assert course.board is not None
    forum_services.join_community(
        user=user, community=course.board, accepted_version=course.board.code_of_conduct_version
    )


def test_not_enrolled_means_404_on_the_board_its_topics_its_search_and_its_calendar(
    logged_in: Callable[[User], Client], course: Course, facilitator: User, service_user: User
) -> None:
    topic = _open_topic(course, facilitator)
    client = logged_in(service_user)
    assert course.board is not None
    assert client.get(reverse("forum:community-detail", args=[course.board.pk])).status_code == 404
    assert client.get(reverse("forum:topic-detail", args=[topic.pk])).status_code == 404
    search = client.get(reverse("forum:search"), {"q": "sleepless"})
    assert search.status_code == 200 and not search.context["hits"]
    assert client.get(reverse("courses:course-calendar", args=[course.pk])).status_code == 404


def test_enrolling_opens_the_board_and_leaving_closes_it_at_once(
    logged_in: Callable[[User], Client], course: Course, facilitator: User, service_user: User
) -> None:
    topic = _open_topic(course, facilitator)
    client = logged_in(service_user)
    assert client.post(reverse("courses:course-enrol", args=[course.pk])).status_code == 302
    assert course.enrolments.get(user=service_user).state == EnrolmentState.ENROLLED
    _accept_conduct(service_user, course)
    assert client.get(reverse("forum:topic-detail", args=[topic.pk])).status_code == 200
    assert client.get(reverse("forum:search"), {"q": "sleepless"}).context["hits"]
    assert client.get(reverse("courses:course-calendar", args=[course.pk])).status_code == 200

    assert client.post(reverse("courses:course-leave", args=[course.pk])).status_code == 302
    assert course.board is not None
    assert client.get(reverse("forum:community-detail", args=[course.board.pk])).status_code == 404
    assert client.get(reverse("forum:topic-detail", args=[topic.pk])).status_code == 404
    assert not client.get(reverse("forum:search"), {"q": "sleepless"}).context["hits"]
    assert client.get(reverse("courses:course-calendar", args=[course.pk])).status_code == 404


def test_the_course_calendar_has_both_sessions_and_each_topic_day(
    logged_in: Callable[[User], Client], make_course: Callable[..., Course], facilitator: User
) -> None:
    course = make_course(opening_at=datetime(2027, 1, 11, 18, 0, tzinfo=UTC))
    for day in (1, 2):
        services.save_topic(
            course=course,
            facilitator=facilitator,
            day=day,
            question=f"Q{day}",
            reading="",
            invited=[],
        )
    services.set_session_cancelled(course=course, session="closing", cancelled=True)
    response = logged_in(facilitator).get(reverse("courses:course-calendar", args=[course.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(response.content)
    events = {str(e["uid"]).split("@")[0]: e for e in parsed.walk("VEVENT")}
    assert set(events) == {
        f"course-{course.pk}-opening",
        f"course-{course.pk}-closing",
        f"course-{course.pk}-day-1",
        f"course-{course.pk}-day-2",
    }
    opening = events[f"course-{course.pk}-opening"]
    start = opening.decoded("dtstart")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/London"
    assert start.astimezone(UTC) == datetime(2027, 1, 11, 18, 0, tzinfo=UTC)
    assert "dtstamp" in opening
    assert str(events[f"course-{course.pk}-closing"]["status"]) == "CANCELLED"
    assert events[f"course-{course.pk}-day-2"].decoded("dtstart").isoformat() == "2027-01-12"
    # Never the course's title or a topic's question: calendars leave Tandem.
    assert b"Living with voices" not in response.content and b"Q1" not in response.content


def test_the_personal_feed_works_at_its_secret_address_until_revoked(
    client: Client, logged_in: Callable[[User], Client], course: Course, service_user: User
) -> None:
    services.enrol(user=service_user, course=course)
    browser = logged_in(service_user)
    response = browser.post(reverse("courses:calendar-feed"), {"action": "create"})
    address = response.context["address"]
    assert address and "/courses/feed/" in address
    assert "no-store" in response["Cache-Control"]
    path = address.split("testserver", 1)[1]
    anonymous = Client()
    feed = anonymous.get(path)
    assert feed.status_code == 200
    parsed = icalendar.Calendar.from_ical(feed.content)
    assert len(list(parsed.walk("VEVENT"))) == 2
    browser.post(reverse("courses:calendar-feed"), {"action": "revoke"})
    assert anonymous.get(path).status_code == 404


def test_a_new_feed_address_ends_the_old_one(
    logged_in: Callable[[User], Client], service_user: User
) -> None:
    browser = logged_in(service_user)
    old = browser.post(reverse("courses:calendar-feed"), {"action": "create"}).context["address"]
    browser.post(reverse("courses:calendar-feed"), {"action": "renew"})
    assert Client().get(old.split("testserver", 1)[1]).status_code == 404


def test_facilitator_pages_are_not_found_for_participants(
    logged_in: Callable[[User], Client], course: Course, service_user: User
) -> None:
    services.enrol(user=service_user, course=course)
    client = logged_in(service_user)
    for name in ("courses:course-dashboard", "courses:course-edit", "courses:topic-add"):
        assert client.get(reverse(name, args=[course.pk])).status_code == 404
    assert client.post(reverse("courses:course-invite", args=[course.pk])).status_code == 404


def test_a_topic_for_a_day_past_the_discussion_keeps_what_was_typed(
    logged_in: Callable[[User], Client], make_course: Callable[..., Course], facilitator: User
) -> None:
    course = make_course(days=3)
    response = logged_in(facilitator).post(
        reverse("courses:topic-add", args=[course.pk]), {"day": "5", "question": "What helps?"}
    )
    assert response.status_code == 400
    assert "choose day 1 to 3" in response.content.decode()
    assert 'value="What helps?"' in response.content.decode()


def test_only_professionals_can_be_invited_to_answer_first(
    course: Course, facilitator: User, service_user: User
) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Only professionals"):
        services.save_topic(
            course=course,
            facilitator=facilitator,
            day=1,
            question="Q",
            reading="",
            invited=[service_user],
        )


def test_an_invited_professional_is_invited_to_the_course(
    course: Course, facilitator: User, make_member: Callable[..., User]
) -> None:
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    services.save_topic(
        course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[pat]
    )
    assert course.enrolments.get(user=pat).state == EnrolmentState.INVITED
