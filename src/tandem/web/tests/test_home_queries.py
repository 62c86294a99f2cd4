"""Each role's home page runs a fixed number of queries: the same with a little data as with
ten times more (issue 15). The builders here also fill the pages for ``test_home.py``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Invitation, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory
from tandem.care.models import AccessedData, AgreementVersion, Module, SecurityEvent
from tandem.care.tests.factories import AgreementFactory, JointSessionFactory
from tandem.conftest import login_client
from tandem.courses import services as course_services
from tandem.courses.models import Course
from tandem.courses.services.schedule import release_due_topics
from tandem.courses.tests.conftest import schedule
from tandem.forum.models import Category, Post
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.messaging import services as messaging_services
from tandem.messaging.models import Thread
from tandem.messaging.tests.factories import thread_between
from tandem.moderation.models import CommunitySettings, PreModeration, ReviewItem, Risk
from tandem.questionnaires.models import Response, Schedule
from tandem.research import services as research_services
from tandem.research.models import Study
from tandem.toolbox.tests.factories import GoalFactory, GoalStepFactory, share_with

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30


def peer_community(organisation: Organisation, name: str = "Peer support") -> Category:
    """A community without pre-moderation or limits, so the builders can post freely."""
    community = CommunityFactory.create(organisation=organisation, name=name)
    CommunitySettings.objects.create(
        community=community,
        premoderation=PreModeration.NONE,
        new_member_topics_per_day=1000,
        new_member_replies_per_day=1000,
        topics_per_hour=1000,
        replies_per_hour=1000,
        mentions_per_hour=1000,
    )
    category: Category = CategoryFactory.create(community=community, name="Everyday")
    return category


def send(sender: User, thread: Thread, body: str = "How are things?") -> None:
    messaging_services.send_message(
        sender=sender, thread=thread, body=body, client_key=uuid.uuid4()
    )


def grow_service_user(
    person: User, provider: User, peer: User, category: Category, n: int, start: int = 0
) -> None:
    """``n`` more active goals (one step done, one not), conversations (the care team wrote
    last in half, the person in the other half) and watched topics with a new reply."""
    for i in range(start, start + n):
        goal = GoalFactory.create(owner=person, title=f"Goal {i}")
        GoalStepFactory.create(goal=goal, done=True, text=f"Done step {i}")
        GoalStepFactory.create(goal=goal, text=f"Open step {i}")
        thread = thread_between(person, provider, subject=f"Conversation {i}")
        send(provider if i % 2 else person, thread)
        topic = make_topic(person, category, title=f"My topic {i}")
        reply(peer, topic, f"Reply {i}")
    featured = make_topic(peer, category, title=f"Topic of the week {start}")
    today = timezone.localdate()
    type(featured).objects.filter(pk=featured.pk).update(
        featured_from=today, featured_until=today + timedelta(days=6)
    )


def grow_caseload(provider: User, organisation: Organisation, n: int) -> list[User]:
    """``n`` more people on ``provider``'s caseload, each sharing goals, with a goal changed
    since the provider's last visit, an open joint session, an agreement with a reply time of
    two working days and a change to it they proposed, and a message waiting for ten days."""
    people = []
    for i in range(n):
        person = MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
        person.full_name = f"Person {person.pk}"
        person.save(update_fields=["full_name"])
        relationship = share_with(
            provider, person, Module.GOALS, Module.STATUS, Module.QUESTIONNAIRES
        )
        Response.objects.create(
            owner=person, instrument="phq9", version=1, submitted_at=timezone.now()
        )
        AgreementFactory.create(relationship=relationship, reply_within_days=2)
        AgreementVersion.objects.create(
            relationship=relationship, number=1, proposed_by=person, proposed_at=timezone.now()
        )
        GoalFactory.create(owner=person, title=f"Private goal {i}")
        JointSessionFactory.create(relationship=relationship)
        thread = thread_between(person, provider, subject=f"Private subject {i}")
        send(person, thread, f"Private words {i}")
        Thread.objects.filter(pk=thread.pk).update(
            waiting_since=timezone.now() - timedelta(days=10)
        )
        people.append(person)
    return people


def grow_queue(category: Category, authors: list[User], n: int) -> None:
    """``n`` more held posts of every level of risk, a third of them reviewed."""
    community = category.community
    topic = make_topic(authors[0], category, title=f"Held {Post.objects.count()}")
    now = timezone.now()
    for i in range(n):
        post = reply(authors[i % len(authors)], topic, f"Held words {i}")
        ReviewItem.objects.filter(post=post).delete()
        ReviewItem.objects.create(
            community=community,
            post=post,
            risk=list(Risk)[i % len(Risk)],
            is_held=True,
            created_at=now - timedelta(minutes=30 + i),
            first_reviewed_at=now - timedelta(minutes=i) if i % 3 == 0 else None,
            state="resolved" if i % 3 == 0 else "open",
        )


def grow_organisation(organisation: Organisation, n: int) -> None:
    """``n`` more open invitations, providers waiting to be verified and refused reads."""
    for _ in range(n):
        person = MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
        MembershipFactory.create(organisation=organisation, role=Role.PROVIDER, verified_at=None)
        Invitation.objects.create(
            organisation=organisation,
            email=f"invited-{uuid.uuid4().hex[:8]}@example.org",
            role=Role.SERVICE_USER,
            token_hash=uuid.uuid4().hex,
            expires_at=timezone.now() + timedelta(days=7),
        )
        SecurityEvent.objects.create(viewer=person, owner=None, what=AccessedData.GOALS)


def grow_courses(facilitator: User, lead: User, organisation: Organisation, n: int) -> None:
    """``n`` more courses ``facilitator`` runs with ``lead``, each on now with its first topic
    open and ``facilitator`` invited to answer it first; and one more course next month.
    ``lead`` must be the older account: a course's first facilitator opens its topics."""
    assert lead.pk < facilitator.pk
    now = timezone.now()
    for i in range(n + 1):
        title = f"Course {Course.objects.count()}"
        course = course_services.create_course(
            facilitator=lead,
            organisation=organisation,
            schedule=schedule(title=title, opening_at=now + timedelta(days=30)),
        )
        course_services.add_facilitator(course=course, user=facilitator)
        if i == n:
            break  # next month's
        course_services.save_topic(
            course=course,
            facilitator=lead,
            day=1,
            question=f"What helps? ({title})",
            reading="",
            invited=[facilitator],
        )
        # Opened an hour ago (a new course cannot be planned in the past).
        Course.objects.filter(pk=course.pk).update(
            opening_at=now - timedelta(hours=1), closing_at=now + timedelta(days=6)
        )
    release_due_topics(now)


def grow_studies(organisation: Organisation, n: int) -> None:
    """``n`` more studies of ``organisation``, open today, each with a person taking part and
    one who said no."""
    today = timezone.localdate()
    for i in range(n):
        study = Study.objects.create(
            organisation=organisation,
            title=f"Study {Study.objects.count()}",
            purpose="To learn which parts help.",
            ethics_reference=f"REC 2026/{i}",
            collected="Which part of Tandem you used.",
            start_date=today - timedelta(days=i),
            end_date=today + timedelta(days=30),
        )
        yes, no = (
            MembershipFactory.create(organisation=organisation, role=Role.SERVICE_USER).user
            for _ in range(2)
        )
        research_services.give_consent(user=yes, study=study, role=Role.SERVICE_USER)
        research_services.decline_consent(user=no, study=study, role=Role.SERVICE_USER)


# Budgets per role, in queries: the shell's own (session, person, roles, two-step check, the
# menu's two unread counts, the organisation) are about seven; the rest is each section's.
def count_home(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


def _assert_bounded(client: Client, grow: Callable[[int], object], limit: int) -> int:
    grow(SMALL)
    client.get("/")  # first visits create per-person rows (link codes, preferences)
    small = count_home(client)
    grow(LARGE - SMALL)
    large = count_home(client)
    assert small == large, f"{small} queries at {SMALL}, {large} at {LARGE}"
    assert large <= limit, f"the home page ran {large} queries (budget {limit})"
    return large


def test_service_user_home_queries_do_not_grow(
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
    Schedule.objects.create(
        owner=service_user, instrument="phq9", every=2, starts_on=timezone.localdate()
    )
    login_client(client, service_user)
    done = [0]

    def grow(n: int) -> None:
        grow_service_user(service_user, provider, peer, category, n, start=done[0])
        done[0] += n

    # 21, and the questionnaires made in the portal that the person is offered (one query).
    _assert_bounded(client, grow, 22)


def test_provider_home_queries_do_not_grow(
    client: Client, provider: User, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    category = peer_community(organisation)
    join(provider, category.community)
    peer = join(make_member(Role.SERVICE_USER), category.community)
    login_client(client, provider)

    def grow(n: int) -> None:
        grow_caseload(provider, organisation, n)
        for i in range(n):
            topic = make_topic(provider, category, title=f"Provider topic {Post.objects.count()}")
            reply(peer, topic, f"Thanks {i}")

    _assert_bounded(client, grow, 27)


def test_moderator_home_queries_do_not_grow(
    client: Client, organisation: Organisation, make_member: Callable[..., User]
) -> None:
    moderator = make_member(Role.MODERATOR, totp=True)
    categories = [peer_community(organisation), peer_community(organisation, "Second")]
    authors = [join(make_member(Role.SERVICE_USER), c.community) for c in categories]
    login_client(client, moderator)

    def grow(n: int) -> None:
        for category, author in zip(categories, authors, strict=True):
            grow_queue(category, [author], n)

    _assert_bounded(client, grow, 11)


def test_admin_home_queries_do_not_grow(
    client: Client, org_admin: User, organisation: Organisation
) -> None:
    login_client(client, org_admin)
    _assert_bounded(client, lambda n: grow_organisation(organisation, n), 8)


@pytest.mark.parametrize(("role", "budget"), [(Role.FACILITATOR, 12), (Role.RESEARCHER, 8)])
def test_facilitator_and_researcher_home_queries_do_not_grow(
    client: Client,
    organisation: Organisation,
    make_member: Callable[..., User],
    role: str,
    budget: int,
) -> None:
    """A facilitator's courses this week and a researcher's studies are one query each (the
    budgets were 10 and 7 before them); the facilitator's course topics also bring
    notifications, so the menu's badge asks the course scope too (one more)."""
    lead = make_member(Role.FACILITATOR)  # leads the person's courses (opens their topics)
    person = make_member(role, totp=True)
    category = peer_community(organisation)
    if role == Role.FACILITATOR:
        join(person, category.community)
    peer = join(make_member(Role.SERVICE_USER), category.community)
    login_client(client, person)

    def grow(n: int) -> None:
        for i in range(n):
            topic = make_topic(peer, category, title=f"Topic {Post.objects.count()}")
            if role == Role.FACILITATOR:
                reply(person, topic, f"Welcome {i}")
                reply(peer, topic, f"Thanks {i}")
        if role == Role.FACILITATOR:
            grow_courses(person, lead, organisation, n)
        else:
            grow_studies(organisation, n)
        grow_organisation(organisation, n)

    _assert_bounded(client, grow, budget)
