"""A facilitator's pages through the client: changing the course, topics, sessions, requests,
invitations, co-facilitators and the dashboard; and "your topics this week"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.courses import selectors, services
from tandem.courses.forms import CourseForm
from tandem.courses.models import Course, CourseTopic, EnrolmentState
from tandem.forum.models import CommunityMember

pytestmark = pytest.mark.django_db


def _form_data(course: Course, **changes: str) -> dict[str, str]:
    data = {k: str(v) for k, v in CourseForm.initial_for(course).items()}
    data["needs_approval"] = "on" if course.needs_approval else ""
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_changing_the_time_makes_a_new_calendar_version(
    logged_in: Callable[[User], Client], course: Course, facilitator: User
) -> None:
    client = logged_in(facilitator)
    assert client.get(reverse("courses:course-edit", args=[course.pk])).status_code == 200
    data = _form_data(course, closing_link="https://meet.example.org/new")
    response = client.post(reverse("courses:course-edit", args=[course.pk]), data)
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.closing_link == "https://meet.example.org/new"
    assert course.schedule_version == 1


def test_a_bad_change_keeps_the_course_as_it_was(
    logged_in: Callable[[User], Client], course: Course, facilitator: User
) -> None:
    data = _form_data(course, title="New title", closing_link="http://plain.example.org")
    response = logged_in(facilitator).post(reverse("courses:course-edit", args=[course.pk]), data)
    assert response.status_code == 400
    assert "https://" in response.content.decode() and 'value="New title"' in (
        response.content.decode()
    )
    course.refresh_from_db()
    assert course.title == "Living with voices"


def test_a_facilitator_adds_changes_and_removes_a_topic(
    logged_in: Callable[[User], Client],
    course: Course,
    facilitator: User,
    make_member: Callable[..., User],
) -> None:
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    client = logged_in(facilitator)
    page = client.get(reverse("courses:topic-add", args=[course.pk]))
    assert page.status_code == 200 and "Pat (Nurse)" in page.content.decode()
    response = client.post(
        reverse("courses:topic-add", args=[course.pk]),
        {"day": "2", "question": "What helps?", "reading": "", "invited": [str(pat.pk)]},
    )
    assert response.status_code == 302
    topic = CourseTopic.objects.get(course=course)
    assert list(topic.invited.all()) == [pat]
    edit = reverse("courses:topic-edit", args=[course.pk, topic.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, {"day": "3", "question": "What helps at night?", "reading": "Read."})
    topic.refresh_from_db()
    assert (topic.day, topic.question, list(topic.invited.all())) == (3, "What helps at night?", [])
    client.post(reverse("courses:topic-delete", args=[course.pk, topic.pk]))
    assert not CourseTopic.objects.exists()


def test_a_released_topic_keeps_its_day_and_stays(
    course: Course, facilitator: User, logged_in: Callable[[User], Client]
) -> None:
    topic = services.save_topic(
        course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[]
    )
    services.release_due_topics(course.opening_at)
    topic.refresh_from_db()
    with pytest.raises(ValidationError, match="day cannot change"):
        services.save_topic(
            course=course,
            facilitator=facilitator,
            day=2,
            question="Q",
            reading="",
            invited=[],
            topic=topic,
        )
    logged_in(facilitator).post(reverse("courses:topic-delete", args=[course.pk, topic.pk]))
    assert CourseTopic.objects.filter(pk=topic.pk).exists()


def test_cancelling_a_session_tells_everyone_and_shows_it(
    logged_in: Callable[[User], Client], course: Course, facilitator: User, service_user: User
) -> None:
    services.enrol(user=service_user, course=course)
    client = logged_in(facilitator)
    url = reverse("courses:session-cancel", args=[course.pk, "opening"])
    assert client.post(url, {"cancelled": "1"}).status_code == 302
    course.refresh_from_db()
    assert course.opening_cancelled and course.schedule_version == 1
    assert service_user.notifications.filter(kind="courses.session_changed").exists()
    page = client.get(reverse("courses:course-detail", args=[course.pk])).content.decode()
    assert "Cancelled" in page and "Restore the opening session" in page
    client.post(url, {"cancelled": "0"})
    assert not Course.objects.get(pk=course.pk).opening_cancelled
    assert client.post(reverse("courses:session-cancel", args=[course.pk, "x"])).status_code == 404
    with pytest.raises(ValidationError):
        services.set_session_cancelled(course=course, session="middle", cancelled=True)


def test_requests_are_answered_from_the_course_page(
    logged_in: Callable[[User], Client],
    make_course: Callable[..., Course],
    facilitator: User,
    make_member: Callable[..., User],
) -> None:
    course = make_course(needs_approval=True)
    asking, other = make_member(pseudonym="Asker"), make_member(pseudonym="Other")
    first = services.enrol(user=asking, course=course)
    second = services.enrol(user=other, course=course)
    client = logged_in(facilitator)
    page = client.get(reverse("courses:course-detail", args=[course.pk])).content.decode()
    assert "Requests to enrol" in page and "Asker" in page
    answer = "courses:enrolment-answer"
    client.post(reverse(answer, args=[course.pk, first.pk]), {"answer": "approve"})
    client.post(reverse(answer, args=[course.pk, second.pk]), {"answer": "decline"})
    states = dict(course.enrolments.values_list("user__pseudonym", "state"))
    assert states == {"Asker": EnrolmentState.ENROLLED, "Other": EnrolmentState.LEFT}
    # Answering twice says so instead of failing.
    again = client.post(reverse(answer, args=[course.pk, first.pk]), {"answer": "approve"})
    assert again.status_code == 302
    with pytest.raises(ValidationError):
        services.decline(course=course, enrolment=first)


def test_a_facilitator_invites_someone_and_adds_a_co_facilitator(
    logged_in: Callable[[User], Client],
    course: Course,
    facilitator: User,
    service_user: User,
    make_member: Callable[..., User],
) -> None:
    client = logged_in(facilitator)
    response = client.post(
        reverse("courses:course-invite", args=[course.pk]), {"person": str(service_user.pk)}
    )
    assert response.status_code == 302
    assert course.enrolments.get(user=service_user).state == EnrolmentState.INVITED
    bad = client.post(reverse("courses:course-invite", args=[course.pk]), {"person": "0"})
    assert bad.status_code == 400
    co = make_member(Role.FACILITATOR, pseudonym="Cody")
    client.post(reverse("courses:facilitator-add", args=[course.pk]), {"person": str(co.pk)})
    assert set(course.facilitators.all()) == {facilitator, co}
    assert CommunityMember.objects.filter(community=course.board, user=co).exists()
    refused = client.post(
        reverse("courses:facilitator-add", args=[course.pk]), {"person": str(service_user.pk)}
    )
    assert refused.status_code == 400
    with pytest.raises(ValidationError):
        services.add_facilitator(course=course, user=service_user)


def test_the_dashboard_shows_enrolments_held_posts_and_the_chart(
    logged_in: Callable[[User], Client], course: Course, facilitator: User, service_user: User
) -> None:
    services.enrol(user=service_user, course=course)
    response = logged_in(facilitator).get(reverse("courses:course-dashboard", args=[course.pk]))
    html = response.content.decode()
    assert "1 of 10 places taken, 0 waiting, 0 asking." in html
    assert "0 posts on the board are held for review." in html
    assert html.count('class="bar"') == 7


def test_your_topics_this_week_lists_open_and_coming_invitations(
    make_course: Callable[..., Course], facilitator: User, make_member: Callable[..., User]
) -> None:
    pat = make_member(Role.PROVIDER, pseudonym="Pat", profession="Nurse")
    soon = make_course(opening_at=timezone.now() + timedelta(days=2))
    later = make_course(opening_at=timezone.now() + timedelta(days=30))
    for course in (soon, later):
        services.save_topic(
            course=course, facilitator=facilitator, day=1, question="Q", reading="", invited=[pat]
        )
    # Invited but not yet enrolled: nothing yet.
    assert selectors.topics_this_week(pat) == []
    services.enrol(user=pat, course=soon)
    services.enrol(user=pat, course=later)
    found = selectors.topics_this_week(pat)
    assert [t.topic.course_id for t in found] == [soon.pk]
    assert not found[0].answered


def test_a_feed_of_someone_no_longer_active_is_not_found(service_user: User) -> None:
    token = services.create_feed(user=service_user)
    assert selectors.feed_owner(token) == service_user
    service_user.is_active = False
    service_user.save()
    assert selectors.feed_owner(token) is None


def test_a_course_list_for_a_facilitator_offers_a_new_course(
    logged_in: Callable[[User], Client], make_course: Callable[..., Course], facilitator: User
) -> None:
    make_course(opening_at=datetime(2020, 1, 6, 18, 0, tzinfo=UTC))  # long finished
    html = logged_in(facilitator).get(reverse("courses:course-list")).content.decode()
    assert "New course" in html
    assert "Living with voices" not in html
