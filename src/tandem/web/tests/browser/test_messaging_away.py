"""Away and cover in the browser: Pat is away with Casey covering, Skylark sees it before
writing, and Casey reads and answers Skylark's conversation while Pat is away.

Nothing here is live, so pytest-django's live server is enough: every page works without the
socket, which each browser answers itself (see ``quiet_context``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import BrowserContext, Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.care.models import Agreement
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.conftest import TOTP_SECRET
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import MessageFactory, thread_between

from .conftest import PHONE, ContextFactory, axe_violations, log_in


@dataclass(frozen=True)
class CareTeam:
    skylark: User
    pat: User
    casey: User
    thread: Thread
    time_zone: str


@pytest.fixture
def care_team(make_member: Callable[..., User], organisation: Organisation) -> CareTeam:
    """Skylark with Pat and Casey in their care team, and a conversation with Pat only."""
    skylark = make_member(
        Role.SERVICE_USER, pseudonym="Skylark", full_name="Sam Skylark", email="sam@example.org"
    )
    pat = make_member(
        Role.PROVIDER,
        totp=True,
        pseudonym="Pat",
        full_name="Pat Provider",
        email="pat@example.org",
    )
    casey = make_member(
        Role.PROVIDER,
        totp=True,
        pseudonym="Casey",
        full_name="Casey Cover",
        email="casey@example.org",
    )
    for provider in (pat, casey):
        relationship = CareRelationshipFactory.create(
            service_user=skylark, provider=provider, organisation=organisation
        )
        Agreement.objects.create(relationship=relationship, reply_within_days=2)
    thread = thread_between(skylark, pat, subject="How this week went")
    MessageFactory.create(thread=thread, sender=skylark, body="The new routine helps a bit.")
    return CareTeam(
        skylark=skylark, pat=pat, casey=casey, thread=thread, time_zone=organisation.time_zone
    )


def quiet_context(new_context: ContextFactory, **options: Any) -> BrowserContext:
    """A browser context whose pages' live socket is answered in the browser and says nothing.

    The live server has no socket endpoint: unanswered, every page would retry it (a 404 each
    time) until the context closed, and a request still running on the live server's shared
    SQLite connection while the test's database is torn down makes that fail ("database table
    is locked").
    """
    context = new_context(**options)
    context.route_web_socket(re.compile(r"/ws/messaging/$"), lambda socket: None)
    return context


def shown(moment: datetime) -> str:
    """``moment`` (in the organisation's time zone) as the pages show it."""
    return dateformat.format(moment, "j M Y, H:i")


def expect_no_axe_violations(page: Page) -> None:
    problems = axe_violations(page)
    assert not problems, "\n\n".join(problems)


@pytest.mark.browser
def test_away_with_cover_is_shown_before_writing_and_the_colleague_reads_and_answers(
    new_context: ContextFactory, care_team: CareTeam
) -> None:
    # Noon three days on, in the organisation's time zone (the one the form reads and the
    # pages show).
    local_now = timezone.localtime(timezone=ZoneInfo(care_team.time_zone))
    until = (local_now + timedelta(days=3)).replace(hour=12, minute=0, second=0, microsecond=0)
    away_notice = f"Pat Provider is away until {shown(until)}."
    cover_notice = "Casey Cover is covering and can read and answer messages in the meantime."

    # Pat, on a phone (axe needs the CSP bypassed to inject its script), sets the absence.
    pat = quiet_context(new_context, viewport=PHONE, bypass_csp=True).new_page()
    log_in(pat, care_team.pat.email, totp_secret=TOTP_SECRET)
    pat.goto("/messages/")
    pat.get_by_role("link", name="Away and cover").click()
    expect(pat.get_by_role("heading", level=1)).to_have_text("Away and cover")
    expect_no_axe_violations(pat)

    # A mistake first: the error summary is accessible too, and nothing is saved.
    pat.get_by_role("button", name="Save").click()
    expect(pat.get_by_role("alert")).to_contain_text("There is a problem")
    expect_no_axe_violations(pat)

    pat.get_by_label("Away until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    pat.get_by_label("Colleague covering for you (optional)").select_option(label="Casey Cover")
    pat.get_by_role("button", name="Save").click()
    expect(pat).to_have_url(re.compile(r"/messages/$"))
    expect(pat.locator(".messages")).to_contain_text(
        "People writing to you now see that you are away."
    )

    # Back on the page, the absence is shown and the form keeps what was chosen.
    pat.get_by_role("link", name="Away and cover").click()
    expect(pat.get_by_text(f"You are shown as away until {shown(until)}.")).to_be_visible()
    expect(pat.get_by_text("Casey Cover is covering.")).to_be_visible()
    expect(pat.get_by_label("Away until")).to_have_value(until.strftime("%Y-%m-%dT%H:%M"))
    expect(pat.get_by_label("Colleague covering for you (optional)")).to_have_value(
        str(care_team.casey.pk)
    )
    expect(pat.get_by_role("button", name="I am back")).to_be_visible()
    expect_no_axe_violations(pat)

    # Skylark sees the absence and who covers before writing, in the conversation and when
    # starting a new one.
    skylark = quiet_context(new_context).new_page()
    log_in(skylark, care_team.skylark.email)
    skylark.goto(f"/messages/{care_team.thread.pk}/")
    expect(skylark.get_by_text("The new routine helps a bit.")).to_be_visible()
    before_writing = skylark.get_by_role("note", name="Before you write")
    expect(before_writing.locator(".away-notice")).to_contain_text(away_notice)
    expect(before_writing.locator(".away-notice")).to_contain_text(cover_notice)
    # The notice comes before the box Skylark writes in.
    assert skylark.evaluate(
        """() => {
            const notice = document.querySelector(".away-notice");
            const box = document.querySelector("textarea[name='body']");
            return Boolean(notice.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING);
        }"""
    )
    skylark.get_by_label("Your message").fill("Pat, are you around this week?")
    skylark.get_by_role("button", name="Send").click()
    expect(skylark.locator(".message-item.mine").last).to_contain_text(
        "Pat, are you around this week?"
    )

    skylark.goto("/messages/new/")
    notice = skylark.get_by_role("note", name="Before you write").locator(".away-notice")
    expect(notice).to_contain_text(away_notice)
    expect(notice).to_contain_text(cover_notice)

    # Casey, covering and in Skylark's care team, finds the conversation in their inbox.
    casey = quiet_context(new_context).new_page()
    log_in(casey, care_team.casey.email, totp_secret=TOTP_SECRET)
    casey.goto("/messages/")
    casey.get_by_role("link", name="How this week went").click()
    expect(casey).to_have_url(re.compile(rf"/messages/{care_team.thread.pk}/$"))
    expect(casey.get_by_text("The new routine helps a bit.")).to_be_visible()
    expect(casey.get_by_text("Pat, are you around this week?")).to_be_visible()

    # Covering means answering too (messaging/access.py: check_can_post_in_thread).
    casey.get_by_label("Your message").fill("Pat is away; I can help until then.")
    casey.get_by_role("button", name="Send").click()
    expect(casey.locator(".message-item.mine").last).to_contain_text(
        "Pat is away; I can help until then."
    )

    skylark.goto(f"/messages/{care_team.thread.pk}/")
    answer = skylark.locator(".message-item").filter(has_text="Pat is away; I can help")
    expect(answer).to_contain_text("Casey Cover")

    # Pat is back: Casey no longer sees the conversation, and Skylark no longer sees the notice.
    pat.get_by_role("button", name="I am back").click()
    expect(pat.locator(".messages")).to_contain_text("You are no longer shown as away.")
    casey.goto("/messages/")
    expect(casey.get_by_role("link", name="How this week went")).to_have_count(0)
    response = casey.goto(f"/messages/{care_team.thread.pk}/")
    assert response is not None and response.status == 404
    skylark.reload()
    expect(skylark.locator(".away-notice")).to_have_count(0)
