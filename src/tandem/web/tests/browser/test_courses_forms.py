"""The facilitator's course forms and the calendar-feed page in the browser (issue 18): axe-core
finds nothing serious on the course form (new, and changed with its error summary shown), the
topic form and the calendar page (before and after an address is made), and each page fits a
320 px wide screen without sideways scrolling."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.courses import services
from tandem.courses.models import Course

from .conftest import ContextFactory, axe_violations, horizontal_overflow, log_in
from .test_courses import _schedule

NARROWEST = ViewportSize(width=320, height=640)


def _checked(page: Page) -> None:
    """No serious axe finding, and no sideways scrolling at the page's (320 px) width."""
    assert axe_violations(page) == []
    assert horizontal_overflow(page) is None


@pytest.fixture
def course(make_member: Callable[..., User], organisation: Organisation) -> Course:
    fay = make_member(Role.FACILITATOR, pseudonym="Fay", email="fay@example.org")
    make_member(
        Role.PROVIDER,
        pseudonym="Pat",
        email="pat@example.org",
        profession="Community mental health nurse",
    )
    day = (timezone.now() + timedelta(days=7)).date()
    opening = datetime(day.year, day.month, day.day, 18, 0, tzinfo=UTC)
    return services.create_course(
        facilitator=fay,
        organisation=organisation,
        schedule=_schedule(opening, opening + timedelta(days=7)),
    )


@pytest.mark.browser
def test_course_forms_and_the_calendar_page_pass_axe_and_fit_320_px(
    new_context: ContextFactory, course: Course
) -> None:
    page = new_context(viewport=NARROWEST, bypass_csp=True).new_page()
    log_in(page, "fay@example.org")

    page.goto("/courses/create/")
    expect(page.get_by_role("heading", level=1, name="New course")).to_be_visible()
    _checked(page)

    # A closing session before the opening one: the error summary, the field's message, and
    # what was typed kept.
    page.goto(f"/courses/{course.pk}/edit/")
    opening = page.get_by_label("Opening live session starts").input_value()
    earlier = (datetime.fromisoformat(opening) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Closing live session starts").fill(earlier)
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The closing session must come after the opening session.")
    expect(page.get_by_label("Closing live session starts")).to_have_value(earlier)
    _checked(page)

    page.goto(f"/courses/{course.pk}/topics/add/")
    expect(page.get_by_role("heading", level=1, name="Add a topic")).to_be_visible()
    _checked(page)

    page.goto("/courses/calendar/")
    expect(page.get_by_role("heading", level=1, name="My course calendar")).to_be_visible()
    _checked(page)
    # Once made, the address is shown (once) in a read-only field: it must fit too.
    page.get_by_role("button", name="Make my calendar address").click()
    expect(page.get_by_label("Calendar address")).to_have_value(
        re.compile(r"/courses/feed/.+\.ics$")
    )
    _checked(page)
