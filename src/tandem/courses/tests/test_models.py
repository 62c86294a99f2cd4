"""A course's own checks and its times in the organisation's zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from tandem.courses.models import Course


def test_the_closing_session_must_come_after_the_opening(course: Course) -> None:
    course.closing_at = course.opening_at - timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "closing_at" in error.value.message_dict


@pytest.mark.parametrize(
    "link", ["http://meet.example.org/x", "javascript:alert(1)", "meet example", "ftp://x.org"]
)
def test_session_links_must_be_https(course: Course, link: str) -> None:
    course.opening_link = link
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert "opening_link" in error.value.message_dict


def test_topics_open_at_the_opening_time_of_day_across_a_clock_change(
    make_course: Callable[..., Course],
) -> None:
    # 18:00 in London on Friday 23 October 2026 (summer time); the clocks go back on the 25th.
    course = make_course(opening_at=datetime(2026, 10, 23, 17, 0, tzinfo=UTC))
    course.organisation.time_zone = "Europe/London"
    day_4 = course.release_at(4).astimezone(course.zone)
    assert (day_4.day, day_4.hour, day_4.minute) == (26, 18, 0)
    assert course.release_at(4).astimezone(UTC).hour == 18  # GMT again
