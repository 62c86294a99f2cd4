"""Two people taking the last place at once: one is enrolled, the other waits.

On PostgreSQL the two run really at once, in two threads meeting just before the places are
counted; the lock on the course's row makes the second count wait for the first enrolment. On
SQLite one writing transaction runs at a time (IMMEDIATE), so the plain test checks the same
outcome one after the other."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from tandem.accounts.models import User
from tandem.courses import services
from tandem.courses.models import Course, EnrolmentState
from tandem.courses.services import enrolment as enrolment_module


def test_the_last_place_goes_to_one_person_and_the_next_waits(
    make_course: Callable[..., Course], make_member: Callable[..., User]
) -> None:
    course = make_course(capacity=1)
    first = services.enrol(user=make_member(), course=course)
    second = services.enrol(user=make_member(), course=course)
    assert [first.state, second.state] == [EnrolmentState.ENROLLED, EnrolmentState.WAITING]


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_enrolments_racing_for_the_last_place(
    make_course: Callable[..., Course],
    make_member: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    course = make_course(capacity=1)
    people = [make_member(), make_member()]
    meeting = threading.Barrier(2, timeout=10)
    lock = enrolment_module._locked

    def met(course: Course) -> Course:
        meeting.wait()  # both are past their reads and about to lock and count
        return lock(course)

    monkeypatch.setattr(enrolment_module, "_locked", met)
    results: list[Any] = []

    def run(person: User) -> None:
        try:
            fresh = Course.objects.select_related("organisation", "board").get(pk=course.pk)
            results.append(services.enrol(user=person, course=fresh).state)
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(map(str, results)) == [EnrolmentState.ENROLLED, EnrolmentState.WAITING], results
    assert course.enrolments.filter(state=EnrolmentState.ENROLLED).count() == 1
