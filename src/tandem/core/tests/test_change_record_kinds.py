"""Every change of issue 17's list leaves exactly one line in the change record, with who, whose
data, before and after, and the request id when it came through a request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts import services as accounts
from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.care import services as care
from tandem.care.models import CareRelationship, Grant, JointSession, Level, Module
from tandem.care.tests.factories import CareRelationshipFactory
from tandem.core.change_record import ChangeKind, ChangeRecord
from tandem.forum.models import Community, Post, Topic
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation import services as moderation
from tandem.moderation.models import AuditEntry, CommunitySettings, PreModeration

pytestmark = pytest.mark.django_db

TERMS: dict[str, object] = {
    "purpose": "Goals before meetings.",
    "reply_within_days": 5,
    "not_for": "Emergencies.",
    "crisis_section": "Use my crisis plan.",
    "review_every_weeks": 12,
}


def only(kind: ChangeKind) -> ChangeRecord:
    """The one line of ``kind``, checking there is no other line of any kind."""
    records = list(ChangeRecord.objects.all())
    assert [record.kind for record in records] == [kind]
    return records[0]


@pytest.fixture
def relationship(
    service_user: User, provider: User, organisation: Organisation
) -> CareRelationship:
    made: CareRelationship = CareRelationshipFactory.create(
        service_user=service_user, provider=provider, organisation=organisation
    )
    care.start_agreement(relationship=made)
    return made


def test_a_grant_given_changed_and_revoked_is_one_line_each(
    service_user: User, relationship: CareRelationship
) -> None:
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.VIEW}})
    created = only(ChangeKind.GRANT_CREATED)
    grant = Grant.objects.get()
    assert (created.actor_id, created.subject_id, created.target_id) == (
        service_user.pk,
        service_user.pk,
        grant.pk,
    )
    assert created.before == {"level": 0}
    assert created.after == {"level": 1, "module": "goals", "provider": relationship.provider_id}

    care.set_grants(
        service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.COMMENT}}
    )
    changed = ChangeRecord.objects.filter(kind=ChangeKind.GRANT_CHANGED).get()
    assert (changed.before, changed.after["level"]) == ({"level": 1}, 2)

    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.NONE}})
    revoked = ChangeRecord.objects.filter(kind=ChangeKind.GRANT_REVOKED).get()
    assert (revoked.before, revoked.after["level"]) == ({"level": 2}, 0)
    # Saving the same levels again changes nothing, and records nothing.
    care.set_grants(service_user=service_user, levels={relationship.pk: {Module.GOALS: Level.NONE}})
    assert ChangeRecord.objects.count() == 3


def test_a_relationship_started_by_code_is_one_line(service_user: User, provider: User) -> None:
    code = care.ensure_link_code(provider=provider).code
    relationship = care.link_provider_by_code(service_user=service_user, code=code)
    record = only(ChangeKind.RELATIONSHIP_STARTED)
    assert (record.actor_id, record.subject_id, record.target_id) == (
        service_user.pk,
        service_user.pk,
        relationship.pk,
    )
    assert record.after == {"status": "active", "provider": provider.pk}


def test_a_relationship_started_by_accepting_a_request_is_one_line(
    service_user: User, provider: User
) -> None:
    care.request_link(provider=provider, email=service_user.email)
    pending = CareRelationship.objects.get()
    care.accept_request(service_user=service_user, relationship=pending)
    record = only(ChangeKind.RELATIONSHIP_STARTED)
    assert (record.before, record.after["status"]) == ({"status": "pending"}, "active")


def test_a_relationship_ended_by_the_provider_is_one_line_about_the_service_user(
    relationship: CareRelationship, provider: User
) -> None:
    care.end_relationship(actor=provider, relationship=relationship)
    record = only(ChangeKind.RELATIONSHIP_ENDED)
    assert (record.actor_id, record.subject_id) == (provider.pk, relationship.service_user_id)
    assert (record.before, record.after["status"]) == ({"status": "active"}, "ended")


def test_an_accepted_agreement_change_is_one_line_without_its_words(
    relationship: CareRelationship, service_user: User, provider: User
) -> None:
    proposal = care.propose_agreement_change(actor=provider, relationship=relationship, **TERMS)  # type: ignore[arg-type]
    assert not ChangeRecord.objects.exists()  # a proposal changes nothing yet
    care.accept_agreement_change(actor=service_user, version=proposal)
    record = only(ChangeKind.AGREEMENT_CHANGED)
    assert record.actor_id == service_user.pk
    assert record.before == {"version": 1, "reply_within_days": 2, "review_every_weeks": 12}
    assert record.after == {
        "version": 2,
        "reply_within_days": 5,
        "review_every_weeks": 12,
        "provider": provider.pk,
    }
    assert "Emergencies" not in str(record.before) + str(record.after)


def test_a_joint_session_started_and_ended_is_one_line_each(
    relationship: CareRelationship, service_user: User
) -> None:
    session = care.start_joint_session(
        service_user=service_user, relationship=relationship, modules=[Module.GOALS]
    )
    started = only(ChangeKind.JOINT_SESSION_STARTED)
    assert started.after == {"modules": ["goals"], "provider": relationship.provider_id}
    care.end_joint_session(service_user=service_user, session=session)
    care.end_joint_session(service_user=service_user, session=session)  # already ended
    ended = ChangeRecord.objects.filter(kind=ChangeKind.JOINT_SESSION_ENDED).get()
    assert (ended.target_type, ended.target_id) == ("care.jointsession", session.pk)
    assert ChangeRecord.objects.count() == 2
    assert JointSession.objects.get().ended_at is not None


def test_a_role_given_is_one_line_about_the_person(
    org_admin: User, organisation: Organisation, service_user: User
) -> None:
    accounts.add_role(
        actor=org_admin, organisation=organisation, user=service_user, role=Role.RESEARCHER
    )
    accounts.add_role(  # already held: nothing changes
        actor=org_admin, organisation=organisation, user=service_user, role=Role.RESEARCHER
    )
    record = only(ChangeKind.ROLE_ADDED)
    assert (record.actor_id, record.subject_id) == (org_admin.pk, service_user.pk)
    assert record.after == {"role": "researcher", "organisation": organisation.pk}


def test_verifying_a_provider_through_the_page_is_one_line_with_the_request_id(
    org_admin: User,
    organisation: Organisation,
    make_member: Callable[..., User],
    logged_in: Callable[[User], Client],
) -> None:
    newcomer = make_member(Role.PROVIDER, pseudonym="Newcomer")
    membership = Membership.objects.get(user=newcomer)
    membership.verified_at = None
    membership.save(update_fields=["verified_at"])
    client = logged_in(org_admin)
    response = client.post(f"/memberships/{membership.pk}/verify/")
    assert response.status_code == 302, response.content[:300]
    record = only(ChangeKind.PROVIDER_VERIFIED)
    assert (record.actor_id, record.subject_id) == (org_admin.pk, newcomer.pk)
    assert record.before == {"verified": False}
    assert record.request_id == response["X-Request-ID"]
    membership.refresh_from_db()
    accounts.verify_provider(actor=org_admin, membership=membership)  # already verified
    assert ChangeRecord.objects.count() == 1


@pytest.fixture
def community(organisation: Organisation) -> Community:
    made = CommunityFactory.create(organisation=organisation, name="Young people")
    CommunitySettings.objects.create(community=made, premoderation=PreModeration.NONE)
    return made


@pytest.fixture
def moderator(make_member: Callable[..., User]) -> User:
    return make_member(Role.MODERATOR, pseudonym="Mo")


def test_community_settings_changed_is_one_line_with_names_and_values(
    community: Community, moderator: User
) -> None:
    moderation.update_settings(
        moderator=moderator,
        community=community,
        premoderation=PreModeration.EVERY_POST,
        new_member_held_posts=3,
        new_member_topics_per_day=2,
        new_member_replies_per_day=10,
        reason="A hard week in the news",
    )
    record = only(ChangeKind.COMMUNITY_SETTINGS_CHANGED)
    assert record.subject_id is None
    assert record.before["premoderation"] == "none"
    assert record.after["premoderation"] == "every_post"
    assert record.after["community"] == community.pk
    # The reason stays in moderation's audit entry, which this line points at.
    entry = AuditEntry.objects.get()
    assert (record.target_type, record.target_id) == ("moderation.auditentry", entry.pk)
    assert "hard week" not in str(record.after)


def test_a_moderator_action_is_one_line_pointing_at_its_audit_entry(
    community: Community, moderator: User, make_member: Callable[..., User]
) -> None:
    otter = join(make_member(pseudonym="Otter"), community)
    category = CategoryFactory.create(community=community, name="Coping")
    topic: Topic = make_topic(otter, category, title="Loud", body="Everyone here is useless.")
    post = Post.objects.get(topic=topic)
    moderation.warn_person(
        moderator=moderator, community=community, subject=otter, reason="Be kind"
    )
    record = only(ChangeKind.MODERATOR_ACTION)
    entry = AuditEntry.objects.get()
    assert (record.actor_id, record.subject_id, record.target_id) == (
        moderator.pk,
        otter.pk,
        entry.pk,
    )
    assert record.after == {"action": "warn", "community": community.pk}
    assert post.pk  # the post was written before the action and is not part of it
