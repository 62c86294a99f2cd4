"""The home page by role (issue 15): each role sees its own section and nothing of anyone
else's; prompts are gentle and content-free."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care.models import CareRelationship, Grant, JointSession, Module
from tandem.care.triage import add_working_days
from tandem.conftest import TOTP_SECRET, login_client
from tandem.courses import services as course_services
from tandem.courses.models import Course, CourseTopic
from tandem.courses.tests.conftest import schedule
from tandem.forum import services as forum_services
from tandem.forum.models import Community
from tandem.forum.tests.conftest import join
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import thread_between
from tandem.moderation.models import ModeratorDuty
from tandem.questionnaires.models import Schedule
from tandem.research.models import Study
from tandem.toolbox.tests.factories import CrisisPlanFactory, StatusRatingFactory, share_with
from tandem.web.home.staff import facilitator_courses
from tandem.web.tests.test_home_queries import (
    grow_caseload,
    grow_courses,
    grow_organisation,
    grow_queue,
    grow_service_user,
    grow_studies,
    peer_community,
    send,
)

pytestmark = pytest.mark.django_db

SECTIONS = ("service_user", "provider", "moderator", "org_admin", "facilitator", "researcher")


def _home(client: Client, user: User) -> str:
    login_client(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> set[str]:
    return set(re.findall(r'data-home-section="([a-z_]+)"', html)) - {"account"}


def test_service_user_sees_today_and_never_another_roles_section(
    client: Client,
    service_user: User,
    provider: User,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    category = peer_community(organisation)
    join(service_user, category.community)
    peer = join(make_member(Role.SERVICE_USER), category.community)
    share_with(provider, service_user, Module.GOALS)
    grow_service_user(service_user, provider, peer, category, 3)
    Schedule.objects.create(
        owner=service_user, instrument="phq9", every=2, starts_on=timezone.localdate()
    )
    html = _home(client, service_user)
    assert _sections(html) == {"service_user"}
    assert "Hello, Skylark" in html
    assert "Next: Open step 2" in html and "50% done" in html
    assert "Done step" not in html  # only the next step, not the finished ones
    assert "Your care team wrote in 1 conversation" in html
    assert "You are waiting for your care team in 2 conversations" in html
    assert "Topic of the week 0" in html and "My topic 1" in html
    assert 'href="/questionnaires/phq9/">' in html  # a check-in is due today
    for word in ("streak", "missed", "you haven", "overdue"):
        assert word not in html.lower()


def test_crisis_plan_is_one_tap_away_and_prompts_fit_what_the_person_has(
    client: Client, service_user: User
) -> None:
    html = _home(client, service_user)
    assert re.search(
        r'href="/toolbox/crisis-plan/" data-home-crisis-plan>Make my crisis plan<', html
    )
    assert "How are things today?" in html
    assert "Is there something small" in html
    CrisisPlanFactory.create(owner=service_user)
    StatusRatingFactory.create(owner=service_user)
    html = client.get("/").content.decode()
    assert "Open my crisis plan" in html
    assert "How are things today?" not in html and "A crisis plan can be" not in html


def test_provider_sees_only_their_own_caseload_and_no_content(
    client: Client, provider: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    mine = grow_caseload(provider, organisation, 2)
    colleague = make_member(Role.PROVIDER, totp=True)
    theirs = grow_caseload(colleague, organisation, 2)
    html = _home(client, provider)
    assert _sections(html) == {"provider"}
    for person in mine:
        assert person.full_name in html
    for person in theirs:
        assert person.full_name not in html
    assert "2 people on your caseload" in html
    assert "Questionnaires</li>" in html  # shared measures changed since the last visit
    for text in ("Private goal", "Private words", "Private subject"):
        assert text not in html
    for marker in (
        "data-home-overdue",
        "data-home-changed",
        "data-home-sessions",
        "data-home-agreements",
    ):
        assert marker in html


def test_questionnaires_count_as_changed_only_where_shared_and_after_the_last_visit(
    client: Client, provider: User, organisation: Organisation
) -> None:
    shared, unshared = grow_caseload(provider, organisation, 2)
    Grant.objects.filter(relationship__service_user=unshared, module=Module.QUESTIONNAIRES).delete()
    CareRelationship.objects.filter(service_user=shared).update(
        provider_last_seen_at=timezone.now() + timedelta(minutes=1)
    )
    html = _home(client, provider)
    assert "Questionnaires</li>" not in html
    CareRelationship.objects.filter(service_user=shared).update(provider_last_seen_at=None)
    html = client.get("/").content.decode()
    assert html.count("Questionnaires</li>") == 1


def test_a_message_inside_the_agreed_reply_time_is_not_overdue(
    client: Client, provider: User, service_user: User
) -> None:
    share_with(provider, service_user, Module.GOALS)
    thread = thread_between(service_user, provider)
    send(service_user, thread)
    html = _home(client, provider)
    assert "data-home-overdue" not in html
    Thread.objects.filter(pk=thread.pk).update(waiting_since=timezone.now() - timedelta(days=9))
    assert "data-home-overdue" in client.get("/").content.decode()


def test_working_days_skip_the_weekend() -> None:
    friday = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    assert add_working_days(friday, 2).weekday() == 1  # Tuesday
    assert add_working_days(friday, 1).weekday() == 0


def test_unverified_provider_sees_a_message_and_nobody(
    client: Client, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    provider = make_member(Role.PROVIDER, totp=True)
    Membership.objects.filter(user=provider).update(verified_at=None)
    person = MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
    share_with(provider, person, Module.GOALS)
    html = _home(client, provider)
    assert "has not verified you yet" in html
    assert "caseload</a>" not in html and person.full_name not in html


def test_moderator_sees_the_queue_by_urgency_duty_and_review_times_but_no_posts(
    client: Client, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    moderator = make_member(Role.MODERATOR, totp=True)
    category = peer_community(organisation)
    author = join(make_member(Role.SERVICE_USER), category.community)
    grow_queue(category, [author], 8)
    ModeratorDuty.objects.create(user=moderator, organisation=organisation, on_duty=True)
    html = _home(client, moderator)
    assert _sections(html) == {"moderator"}
    assert "You are on duty for Northside Test" in html
    # 8 items, every third resolved: 5 open (risks 1, 2, 0, 2, 3 → urgent 1, medium 2).
    assert "5 items waiting, 1 urgent." in html
    assert "Last 7 days: 3 held posts reviewed" in html
    assert "Held words" not in html


def test_moderator_of_another_organisation_sees_nothing_of_this_queue(
    client: Client, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    category = peer_community(organisation)
    grow_queue(category, [join(make_member(Role.SERVICE_USER), category.community)], 4)
    elsewhere = OrganisationFactory.create(name="Southside", slug="southside")
    outsider = MembershipFactory.create(organisation=elsewhere, role=Role.MODERATOR).user
    TOTP.activate(outsider, TOTP_SECRET)
    html = _home(client, outsider)
    assert "Nothing is waiting for review." in html and "Peer support" not in html


def test_admin_sees_what_to_act_on_in_their_organisation_only(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    grow_organisation(organisation, 3)
    elsewhere = OrganisationFactory.create(name="Southside", slug="southside")
    grow_organisation(elsewhere, 2)
    html = _home(client, org_admin)
    assert _sections(html) == {"org_admin"}
    assert "3 care providers waiting to be verified" in html
    assert "3 invitations not yet accepted" in html
    assert "3 refused attempts to read someone's information" in html
    assert "Southside" not in html


def test_facilitator_sees_their_courses_this_week_and_the_topics_waiting_for_their_answer(
    client: Client,
    organisation: Organisation,
    make_member: Callable[..., User],
) -> None:
    lead = make_member(Role.FACILITATOR)
    facilitator = make_member(Role.FACILITATOR, totp=True)
    colleague = make_member(Role.FACILITATOR)
    grow_courses(facilitator, lead, organisation, 2)  # "Course 0" and "Course 1" on, 2 later
    grow_courses(colleague, lead, organisation, 1)  # "Course 3" on, run by others
    html = _home(client, facilitator)
    assert _sections(html) == {"facilitator"}
    assert "Your courses this week" in html
    assert ">Course 0</a>" in html and ">Course 1</a>" in html
    assert ">Course 2</a>" not in html  # next month
    assert ">Course 3</a>" not in html  # run by others
    courses = Course.objects.filter(title__in=["Course 0", "Course 1"])
    for course in courses:
        assert f'href="/courses/{course.pk}/dashboard/"' in html
    assert "0 of 10 places taken" in html
    assert "2 course topics are open and wait for your answer." in html
    assert "What helps? (Course 0)" in html and "What helps? (Course 1)" in html
    assert "Go to courses" in html and "topic of the week" in html
    # Answering one leaves one waiting.
    topic = CourseTopic.objects.get(course__title="Course 0").forum_topic
    assert topic is not None
    topic.community = Community.objects.get(pk=topic.community_id)
    forum_services.reply_to_topic(author=facilitator, topic=topic, body="Rest helps.")
    html = client.get("/").content.decode()
    assert "1 course topic is open and waits for your answer." in html


def test_a_course_opening_on_the_same_weekday_next_week_is_this_weeks(
    make_member: Callable[..., User], organisation: Organisation
) -> None:
    """ "This week" counts calendar days in the organisation's time zone, so on a Monday the
    facilitator sees the course that opens next Monday evening, but not the one after."""
    facilitator = make_member(Role.FACILITATOR)
    zone = ZoneInfo(organisation.time_zone)
    monday_noon = datetime(2030, 1, 7, 12, 0, tzinfo=zone)
    for days, title in ((7, "Next Monday"), (8, "Next Tuesday")):
        course_services.create_course(
            facilitator=facilitator,
            organisation=organisation,
            schedule=schedule(title=title, opening_at=monday_noon + timedelta(days=days, hours=8)),
        )
    found = facilitator_courses(facilitator, now=monday_noon)
    assert [line.course.title for line in found] == ["Next Monday"]


def test_facilitator_with_no_course_this_week_is_shown_where_to_start_one(
    client: Client, make_member: Callable[..., User]
) -> None:
    html = _home(client, make_member(Role.FACILITATOR, totp=True))
    assert "You run no course this week." in html
    assert "wait for your answer" not in html


def test_researcher_sees_their_organisations_studies_with_links_to_the_dashboards(
    client: Client, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    researcher = make_member(Role.RESEARCHER, totp=True)
    assert "Your organisation has no study yet." in _home(client, researcher)
    grow_studies(organisation, 2)
    elsewhere = OrganisationFactory.create(name="Southside", slug="southside")
    grow_studies(elsewhere, 1)
    ended = Study.objects.get(title="Study 1")
    Study.objects.filter(pk=ended.pk).update(
        start_date=ended.start_date - timedelta(days=90),
        end_date=ended.start_date - timedelta(days=60),
    )
    html = client.get("/").content.decode()
    assert _sections(html) == {"researcher"}
    assert "Research analytics are not in Tandem yet" not in html
    for study in Study.objects.filter(organisation=organisation):
        assert f'<a href="/research/{study.pk}/">{study.title}</a>' in html
        assert client.get(f"/research/{study.pk}/").status_code == 200  # the dashboard
    assert "Southside" not in html and "Study 2" not in html
    assert html.count("1 person taking part") == 2  # those who said no are not counted
    assert html.count('<span class="badge badge-ok">Open</span>') == 1
    assert html.count('<span class="badge">Ended</span>') == 1
    assert "All studies" not in html
    grow_studies(organisation, 5)
    html = client.get("/").content.decode()
    assert html.count('<a href="/research/') == 5 + 2  # five studies, the heading, "All studies"
    assert "All studies" in html


def test_a_person_with_every_role_sees_a_section_per_role(
    client: Client, service_user: User, organisation: Organisation
) -> None:
    for role in SECTIONS[1:]:
        MembershipFactory.create(user=service_user, organisation=organisation, role=role)
    TOTP.activate(service_user, TOTP_SECRET)
    html = _home(client, service_user)
    assert _sections(html) == set(SECTIONS)
    # The forum glance is read once and shown once, in the first section that uses it.
    assert html.count("In your communities") == 1 and "My topics this week" not in html


def test_a_long_list_shows_five_and_links_to_the_rest(
    client: Client, provider: User, organisation: Organisation
) -> None:
    grow_caseload(provider, organisation, 7)
    html = _home(client, provider)
    assert html.count("and 2 more") == 4  # overdue, changed, open sessions, agreements


def test_an_open_joint_session_shows_when_the_person_changed_its_note(
    client: Client, provider: User, organisation: Organisation
) -> None:
    """What waits for the provider in a joint session: the person's own change to the shared
    note is marked on the home page; the provider's own change is not (it waits for nobody)."""
    (person,) = grow_caseload(provider, organisation, 1)
    session = JointSession.objects.get(relationship__service_user=person)
    html = _home(client, provider)
    assert "data-home-session-note" not in html
    JointSession.objects.filter(pk=session.pk).update(
        note_updated_at=timezone.now(), note_updated_by=provider
    )
    assert "data-home-session-note" not in client.get("/").content.decode()
    JointSession.objects.filter(pk=session.pk).update(note_updated_by=person)
    html = client.get("/").content.decode()
    assert "data-home-session-note" in html and "They changed the session note" in html
    assert session.note not in html or not session.note  # the note itself is never shown
