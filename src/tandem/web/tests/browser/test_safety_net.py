"""The safety net end to end in the browser: a reworded imminent-risk reply is held and its
author sees crisis resources at once; the moderator on duty escalates it to the clinical
contact with a reason and reaches out; the author answers; an urgent hold nobody reviews
escalates by itself after the configured minutes (time frozen); with nobody on duty the author
is told so. axe-core runs on the new pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tandem.accounts.models import Organisation, Role, User
from tandem.accounts.tests.factories import CrisisContactFactory
from tandem.conftest import TOTP_SECRET
from tandem.forum.models import Category, Community, Post, Topic
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.escalation.sweep import escalate_overdue
from tandem.moderation.models import (
    CommunitySettings,
    EscalationContact,
    PreModeration,
    ReviewItem,
    SafetySettings,
)
from tandem.moderation.screening import screen

from .conftest import PHONE, ContextFactory, axe_violations, log_in

# Imminent risk in ordinary words: no "suicide", no "kill myself" (the phrase list before
# issue 11 let each of these through). Asserted below, so the journey keeps meaning what it says.
REWORDED = "i've saved up all my tablets and tonight's the night. please don't try to stop me"
SECOND = "im standing on the bridge right now. tell my sister i love her"
THIRD = "this is my last post. ive written letters for everyone, goodbye x"
ESCALATION_REASON = "Plan for tonight with a method; needs a clinician now."


@pytest.fixture
def community(organisation: Organisation) -> Community:
    community = CommunityFactory.create(organisation=organisation, name="Young people")
    CommunitySettings.objects.create(community=community, premoderation=PreModeration.NONE)
    return community


@pytest.fixture
def category(community: Community) -> Category:
    return CategoryFactory.create(community=community, name="Coping")


@pytest.fixture
def member(make_member: Callable[..., User], community: Community) -> Callable[..., User]:
    def make(role: str = Role.SERVICE_USER, **fields: object) -> User:
        return join(make_member(role, **fields), community)

    return make


@pytest.fixture
def otter(member: Callable[..., User]) -> User:
    return member(pseudonym="Otter", email="otter@example.org", full_name="Alex Real")


@pytest.fixture
def topic(member: Callable[..., User], category: Category) -> Topic:
    skylark = member(pseudonym="Skylark", email="skylark@example.org")
    return make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")


@pytest.fixture
def mo(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, totp=True, pseudonym="Mo", email="mo@example.org")


@pytest.fixture
def pat(make_member: Callable[..., User], organisation: Organisation) -> User:
    """A verified provider, first on the clinical escalation rota."""
    pat = make_member(
        Role.PROVIDER, totp=True, pseudonym="Pat", email="pat@example.org", full_name="Pat Nurse"
    )
    EscalationContact.objects.create(organisation=organisation, user=pat, position=0)
    return pat


def post_reply(page: Page, topic: Topic, text: str) -> Post:
    page.goto(f"/topics/{topic.pk}/")
    page.get_by_label("Your reply").fill(text)
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(r"/moderation/posts/\d+/outcome/$"))
    return Post.objects.filter(body=text).get()


def test_the_screen_holds_each_reworded_sentence_of_the_journey() -> None:
    for text in (REWORDED, SECOND, THIRD):
        assert screen(text).is_high, text


@pytest.mark.browser
def test_held_escalated_answered_and_escalated_by_itself(
    new_context: ContextFactory,
    organisation: Organisation,
    community: Community,
    topic: Topic,
    otter: User,
    mo: User,
    pat: User,
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Northside crisis line")
    SafetySettings.objects.create(organisation=organisation, escalate_after_minutes=10)
    mo_page = new_context().new_page()
    log_in(mo_page, mo.email, totp_secret=TOTP_SECRET)
    mo_page.goto("/moderation/")
    mo_page.get_by_role("button", name="Go on duty").click()
    expect(mo_page.locator("[data-duty-status]")).to_have_text("You are on duty.")

    # 1. Otter posts a reworded imminent-risk reply and sees crisis resources at once.
    ott = new_context(viewport=PHONE).new_page()
    log_in(ott, otter.email)
    post = post_reply(ott, topic, REWORDED)
    expect(ott.locator('h1[data-outcome="held-supportive"]')).to_be_visible()
    resources = ott.locator("[data-crisis-resources]")
    expect(resources.locator("[data-crisis-contact]")).to_contain_text(["Northside crisis line"])
    expect(resources.get_by_role("link", name="Open my crisis plan")).to_be_visible()
    expect(ott.locator("[data-nobody-on-duty]")).to_have_count(0)

    # 2. Mo escalates it to the clinical contact with a reason.
    item = ReviewItem.objects.get(post=post)
    mo_page.goto(f"/moderation/items/{item.pk}/")
    expect(mo_page.locator("#post-under-review")).to_contain_text("tonight's the night")
    form = mo_page.locator("[data-escalate-form]")
    form.get_by_label("The clinical escalation contacts (on-call rota)").check()
    form.get_by_label("Why (recorded, and shown to the people you ask)").fill(ESCALATION_REASON)
    form.get_by_role("button", name="Escalate").click()
    expect(mo_page.locator(".messages")).to_contain_text("Escalated.")
    expect(mo_page.locator('[data-escalation="clinical"]')).to_contain_text(ESCALATION_REASON)

    # Pat, the clinical contact, is told and reads the post and who wrote it.
    pat_page = new_context().new_page()
    log_in(pat_page, pat.email, totp_secret=TOTP_SECRET)
    pat_page.goto("/notifications/")
    pat_page.get_by_role(
        "button", name="Urgent: the moderators of Young people ask for your help with a member"
    ).first.click()
    expect(pat_page).to_have_url(re.compile(rf"/moderation/escalations/{item.pk}/$"))
    expect(pat_page.locator("[data-escalated-person]")).to_contain_text("Alex Real")
    expect(pat_page.locator("main")).to_contain_text(ESCALATION_REASON)
    pat_page.get_by_role("button", name="I am taking this on").click()
    expect(pat_page.locator("[data-taken-on]")).to_contain_text("Taken on by Pat Nurse")

    # Otter is told what happens next.
    ott.reload()
    expect(ott.locator("[data-escalated]")).to_contain_text("clinical team on call")
    expect(ott.locator("[data-escalated]")).to_contain_text("Someone has taken this on.")

    # 3. Mo reaches out privately; Otter answers on the outcome page; Mo reads the answer.
    mo_page.goto(f"/moderation/items/{item.pk}/")
    reach = mo_page.locator("[data-reach-out-form]")
    reach.locator("textarea").fill("Hi Otter, I'm Mo. Are you safe right now?")
    reach.locator("button[type=submit]").click()
    expect(mo_page.locator(".messages")).to_contain_text("sent privately")
    ott.reload()
    expect(ott.locator("[data-outreach-thread]")).to_contain_text("Are you safe right now?")
    answer = ott.locator("[data-outreach-reply-form]")
    answer.locator("textarea").fill("not really. but thank you for asking")
    answer.locator("button[type=submit]").click()
    expect(ott.locator("[data-outreach-thread]")).to_contain_text("thank you for asking")
    mo_page.goto(f"/moderation/items/{item.pk}/")
    expect(mo_page.locator("[data-outreach-thread]")).to_contain_text("thank you for asking")

    # 4. A second urgent reply nobody reviews escalates by itself after ten minutes.
    second = post_reply(ott, topic, SECOND)
    second_item = ReviewItem.objects.get(post=second)
    held_at = second_item.created_at
    with time_machine.travel(held_at + timedelta(minutes=9), tick=False):
        assert escalate_overdue() == 0
    with time_machine.travel(held_at + timedelta(minutes=10, seconds=1), tick=False):
        assert escalate_overdue() == 1
    pat_page.goto("/notifications/")
    expect(
        pat_page.get_by_role(
            "button", name="Urgent: the moderators of Young people ask for your help with a member"
        )
    ).to_have_count(2)
    pat_page.goto(f"/moderation/escalations/{second_item.pk}/")
    expect(pat_page.locator("main")).to_contain_text("standing on the bridge")
    expect(pat_page.locator("main")).to_contain_text("Not reviewed within 10 minutes.")

    # 5. Nobody on duty: Otter is told so at once, with the crisis contacts.
    mo_page.goto("/moderation/")
    mo_page.get_by_role("button", name="Go off duty").click()
    expect(mo_page.locator("[data-duty-status]")).to_have_text("You are off duty.")
    post_reply(ott, topic, THIRD)
    expect(ott.locator("[data-nobody-on-duty]")).to_contain_text(
        "Nobody is reviewing posts right now."
    )
    expect(ott.locator("[data-crisis-contact]")).to_contain_text(["Northside crisis line"])


@pytest.mark.browser
def test_escalation_pages_have_no_serious_accessibility_problems(
    new_context: ContextFactory,
    organisation: Organisation,
    community: Community,
    topic: Topic,
    otter: User,
    mo: User,
    pat: User,
    make_member: Callable[..., User],
) -> None:
    CrisisContactFactory.create(organisation=organisation, name="Northside crisis line")
    ada = make_member(Role.ORG_ADMIN, totp=True, pseudonym="Ada", email="ada@example.org")
    held = reply(otter, topic, REWORDED)  # nobody on duty: escalated to Pat at once
    item = ReviewItem.objects.get(post=held)
    assert item.nobody_on_duty and timezone.now() >= item.created_at
    problems: list[str] = []

    def check(page: Page, path: str, text: str) -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("main")).to_contain_text(text)
        problems.extend(axe_violations(page))

    admin = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(admin, ada.email, totp_secret=TOTP_SECRET)
    check(admin, f"/moderation/organisations/{organisation.pk}/rota/", "Pat Nurse")
    admin.locator("[data-rota-add-form]").get_by_role("button", name="Add to the rota").click()
    expect(admin.locator("[data-rota-add-form] [data-error-summary]")).to_be_visible()
    problems.extend(axe_violations(admin))

    clinician = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(clinician, pat.email, totp_secret=TOTP_SECRET)
    check(clinician, f"/moderation/escalations/{item.pk}/", "Alex Real")

    author = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(author, otter.email)
    check(author, f"/moderation/posts/{held.pk}/outcome/", "Nobody is reviewing posts right now.")

    moderator = new_context(viewport=PHONE, bypass_csp=True).new_page()
    log_in(moderator, mo.email, totp_secret=TOTP_SECRET)
    check(moderator, f"/moderation/items/{item.pk}/", "Ask for clinical help")
    moderator.locator("[data-escalate-form]").get_by_role("button", name="Escalate").click()
    expect(moderator.locator("[data-escalate-form] [data-error-summary]")).to_be_visible()
    problems.extend(axe_violations(moderator))
    check(moderator, "/moderation/", "Urgent (high risk), last 7 days")

    assert not problems, "\n\n".join(problems)
