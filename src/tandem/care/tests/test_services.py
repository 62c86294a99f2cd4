"""Domain rules of the care services, tested on the services directly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.care import selectors, services
from tandem.care.models import (
    COMMENT_MAX_LENGTH,
    JOINT_SESSION_MAX_DURATION,
    SESSION_NOTE_MAX_LENGTH,
    Agreement,
    CareRelationship,
    CareRequest,
    Comment,
    Grant,
    JointSession,
    Level,
    Module,
    ProviderLinkCode,
    RelationshipStatus,
)
from tandem.care.tests.factories import JointSessionFactory

pytestmark = pytest.mark.django_db

GOALS = Module.GOALS.value


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def _code(provider: User) -> str:
    return services.ensure_link_code(provider=provider).code


# --- Link codes --------------------------------------------------------------------------------


def test_linking_by_code_makes_an_active_relationship_that_shares_nothing(
    service_user: User, provider: User, organisation: Organisation
) -> None:
    relationship = services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert relationship.status == RelationshipStatus.ACTIVE
    assert relationship.started_at is not None
    assert relationship.organisation == organisation
    assert relationship.requested_by == service_user
    assert not Grant.objects.filter(relationship=relationship).exists()
    # Tandem's starting agreement is in force (test_agreement_services.py has the rest).
    agreement = Agreement.objects.select_related("version").get(relationship=relationship)
    assert agreement.version is not None and agreement.version.number == 1


def test_a_typed_code_may_have_spaces_dashes_and_small_letters(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert services.link_provider_by_code(service_user=service_user, code=typed).is_active


@pytest.mark.parametrize("code", ["", "WRONG123", "ABCDEFGHIJ", "!!!!!!!!", "ABCD1234"])
def test_a_wrong_code_is_refused_with_a_clear_message(service_user: User, code: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.link_provider_by_code(service_user=service_user, code=code)
    assert "could not find that code" in str(error.value)
    assert not CareRelationship.objects.exists()


def test_the_code_of_a_provider_of_another_organisation_counts_as_wrong(
    service_user: User,
) -> None:
    elsewhere = MembershipFactory.create(
        role=Role.PROVIDER, organisation=OrganisationFactory.create()
    ).user
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=_code(elsewhere))


def test_the_code_of_an_unverified_provider_counts_as_wrong(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=code)


def test_your_own_code_counts_as_wrong(service_user: User, organisation: Organisation) -> None:
    MembershipFactory.create(user=service_user, organisation=organisation, role=Role.PROVIDER)
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=_code(service_user))


def test_only_service_users_link_providers(
    provider: User, make_member: Callable[..., User]
) -> None:
    other_provider = make_member(Role.PROVIDER)
    with pytest.raises(PermissionDenied):
        services.link_provider_by_code(service_user=other_provider, code=_code(provider))


def test_linking_twice_says_the_provider_is_already_in_the_team(
    service_user: User, provider: User
) -> None:
    services.link_provider_by_code(service_user=service_user, code=_code(provider))
    with pytest.raises(ValidationError, match="already in your care team"):
        services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert CareRelationship.objects.count() == 1


def test_linking_by_code_accepts_a_pending_request_from_the_same_provider(
    service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = services.link_provider_by_code(service_user=service_user, code=_code(provider))
    assert relationship.is_active
    assert CareRelationship.objects.count() == 1


def test_guessing_codes_is_stopped_after_ten_wrong_tries(
    service_user: User, provider: User
) -> None:
    for _ in range(services.LINK_CODE_ATTEMPTS_PER_HOUR):
        with pytest.raises(ValidationError):
            services.link_provider_by_code(service_user=service_user, code="AAAAAAAA")
    with pytest.raises(ValidationError, match="Too many wrong codes"):
        services.link_provider_by_code(service_user=service_user, code=_code(provider))


def test_regenerating_a_code_retires_the_old_one(service_user: User, provider: User) -> None:
    old = _code(provider)
    new = services.regenerate_link_code(provider=provider).code
    assert new != old
    assert ProviderLinkCode.objects.get(provider=provider).code == new
    with pytest.raises(ValidationError):
        services.link_provider_by_code(service_user=service_user, code=old)
    assert services.link_provider_by_code(service_user=service_user, code=new).is_active


def test_unverified_providers_get_no_code(provider: User) -> None:
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        services.ensure_link_code(provider=provider)
    with pytest.raises(PermissionDenied):
        services.regenerate_link_code(provider=provider)


# --- Requests by email -------------------------------------------------------------------------


def test_request_to_a_service_user_of_the_organisation_waits_for_their_answer(
    service_user: User, provider: User
) -> None:
    care_request = services.request_link(provider=provider, email="  SAM@example.org ")
    relationship = CareRelationship.objects.get()
    assert relationship.status == RelationshipStatus.PENDING
    assert (relationship.service_user, relationship.requested_by) == (service_user, provider)
    assert care_request.relationship == relationship
    assert care_request.email == "sam@example.org"


def test_request_to_an_unknown_address_is_kept_like_any_other_but_reaches_nobody(
    provider: User,
) -> None:
    care_request = services.request_link(provider=provider, email="nobody@example.org")
    assert care_request.relationship is None
    assert not CareRelationship.objects.exists()
    assert list(selectors.sent_requests_for_provider(provider)) == [care_request]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.MODERATOR, Role.ORG_ADMIN])
def test_request_reaches_only_service_users(
    provider: User, make_member: Callable[..., User], role: str
) -> None:
    someone = make_member(role)
    services.request_link(provider=provider, email=someone.email)
    assert not CareRelationship.objects.exists()


def test_request_does_not_reach_a_service_user_of_another_organisation(provider: User) -> None:
    outsider = MembershipFactory.create(organisation=OrganisationFactory.create()).user
    services.request_link(provider=provider, email=outsider.email)
    assert not CareRelationship.objects.exists()


def test_asking_twice_makes_one_request(service_user: User, provider: User) -> None:
    first = services.request_link(provider=provider, email=service_user.email)
    assert services.request_link(provider=provider, email=service_user.email) == first
    assert CareRelationship.objects.count() == CareRequest.objects.count() == 1


def test_an_unmatched_request_matches_once_the_person_joins(
    provider: User, make_member: Callable[..., User]
) -> None:
    first = services.request_link(provider=provider, email="late@example.org")
    late = make_member(Role.SERVICE_USER, email="late@example.org")
    again = services.request_link(provider=provider, email="late@example.org")
    assert again == first
    assert again.relationship is not None and again.relationship.service_user == late


def test_unverified_providers_cannot_send_requests(service_user: User, provider: User) -> None:
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        services.request_link(provider=provider, email=service_user.email)


def test_accepting_a_request_activates_it(service_user: User, provider: User) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    services.accept_request(service_user=service_user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.is_active and relationship.started_at is not None
    assert Agreement.objects.filter(relationship=relationship).exists()
    assert list(selectors.sent_requests_for_provider(provider)) == []


def test_declining_a_request_leaves_the_providers_list_unchanged(
    service_user: User, provider: User
) -> None:
    care_request = services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    services.decline_request(service_user=service_user, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.status == RelationshipStatus.DECLINED
    assert list(selectors.sent_requests_for_provider(provider)) == [care_request]
    with pytest.raises(ValidationError, match="already been answered"):
        services.accept_request(service_user=service_user, relationship=relationship)


def test_only_the_asked_person_answers_a_request(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    relationship = CareRelationship.objects.get()
    for other in (provider, make_member(Role.SERVICE_USER)):
        with pytest.raises(PermissionDenied):
            services.accept_request(service_user=other, relationship=relationship)
        with pytest.raises(PermissionDenied):
            services.decline_request(service_user=other, relationship=relationship)


def test_a_request_from_a_provider_no_longer_verified_cannot_be_accepted(
    service_user: User, provider: User
) -> None:
    services.request_link(provider=provider, email=service_user.email)
    Membership.objects.filter(user=provider).update(verified_at=None)
    with pytest.raises(ValidationError, match="can no longer be added"):
        services.accept_request(
            service_user=service_user, relationship=CareRelationship.objects.get()
        )


def test_withdrawing_a_request_removes_it_from_the_service_users_page(
    service_user: User, provider: User, make_member: Callable[..., User]
) -> None:
    care_request = services.request_link(provider=provider, email=service_user.email)
    with pytest.raises(PermissionDenied):
        services.withdraw_request(provider=make_member(Role.PROVIDER), care_request=care_request)
    services.withdraw_request(provider=provider, care_request=care_request)
    assert CareRelationship.objects.get().status == RelationshipStatus.ENDED
    assert selectors.care_team_for_service_user(service_user).pending == []
    assert list(selectors.sent_requests_for_provider(provider)) == []


# --- Ending ------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["service_user", "provider"])
def test_either_side_ends_a_relationship_and_an_open_session_with_it(
    relationship: CareRelationship, side: str
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    services.end_relationship(actor=getattr(relationship, side), relationship=relationship)
    relationship.refresh_from_db()
    session.refresh_from_db()
    assert relationship.status == RelationshipStatus.ENDED and relationship.ended_at
    assert session.ended_at is not None
    with pytest.raises(ValidationError, match="already ended"):
        services.end_relationship(actor=relationship.service_user, relationship=relationship)


def test_outsiders_cannot_end_a_relationship(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        services.end_relationship(actor=make_member(Role.ORG_ADMIN), relationship=relationship)


def test_after_ending_the_pair_can_link_again_with_nothing_shared(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    services.end_relationship(actor=relationship.provider, relationship=relationship)
    again = services.link_provider_by_code(
        service_user=relationship.service_user, code=_code(relationship.provider)
    )
    assert again.pk != relationship.pk
    assert not Grant.objects.filter(relationship=again).exists()


def test_marking_a_person_seen_is_only_for_their_provider(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        services.mark_person_seen(provider=make_member(Role.PROVIDER), relationship=relationship)
    services.mark_person_seen(provider=relationship.provider, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.provider_last_seen_at is not None


# --- Grants ------------------------------------------------------------------------------------


def test_setting_grants_creates_changes_and_skips_unchanged(
    relationship: CareRelationship,
) -> None:
    user = relationship.service_user
    changed = services.set_grants(
        service_user=user,
        levels={relationship.pk: {GOALS: Level.VIEW, Module.JOURNAL: Level.NONE}},
    )
    assert changed == 1
    assert Grant.objects.get(relationship=relationship, module=GOALS).level == Level.VIEW
    assert not Grant.objects.filter(module=Module.JOURNAL).exists()
    changed = services.set_grants(
        service_user=user, levels={relationship.pk: {GOALS: Level.COMMENT}}
    )
    assert changed == 1
    assert (
        services.set_grants(service_user=user, levels={relationship.pk: {GOALS: Level.COMMENT}})
        == 0
    )
    assert services.set_grants(service_user=user, levels={relationship.pk: {GOALS: Level.NONE}})
    assert Grant.objects.get(relationship=relationship, module=GOALS).level == Level.NONE


def test_grants_can_only_be_set_on_your_own_active_relationships(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    with pytest.raises(PermissionDenied):
        services.set_grants(
            service_user=make_member(Role.SERVICE_USER),
            levels={relationship.pk: {GOALS: Level.VIEW}},
        )
    with pytest.raises(PermissionDenied):
        services.set_grants(
            service_user=relationship.provider, levels={relationship.pk: {GOALS: Level.VIEW}}
        )
    services.end_relationship(actor=relationship.service_user, relationship=relationship)
    with pytest.raises(PermissionDenied):
        services.set_grants(
            service_user=relationship.service_user,
            levels={relationship.pk: {GOALS: Level.VIEW}},
        )
    assert not Grant.objects.exists()


@pytest.mark.parametrize(("module", "level"), [("secrets", 1), (GOALS, 7)])
def test_grants_refuse_unknown_modules_and_levels(
    relationship: CareRelationship, module: str, level: int
) -> None:
    with pytest.raises(ValidationError):
        services.set_grants(
            service_user=relationship.service_user, levels={relationship.pk: {module: level}}
        )


# --- Comments ----------------------------------------------------------------------------------


def test_a_provider_with_a_comment_grant_comments_and_the_owner_answers(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    owner, provider = relationship.service_user, relationship.provider
    question = services.add_comment(
        author=provider, owner=owner, module=GOALS, item_id=7, body="  How did it go?  "
    )
    answer = services.add_comment(
        author=owner, owner=owner, module=GOALS, item_id=7, body="Better than I thought."
    )
    assert question.body == "How did it go?"
    found = selectors.comments_for_items(owner, GOALS, [7, 8])
    assert found == {7: [question, answer], 8: []}


def test_a_view_grant_does_not_allow_comments(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    with pytest.raises(PermissionDenied):
        services.add_comment(
            author=relationship.provider,
            owner=relationship.service_user,
            module=GOALS,
            item_id=1,
            body="Hello",
        )
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"), [("   ", "Write a comment"), ("x" * (COMMENT_MAX_LENGTH + 1), "at most")]
)
def test_comments_must_have_a_body_of_reasonable_length(
    relationship: CareRelationship, body: str, message: str
) -> None:
    owner = relationship.service_user
    with pytest.raises(ValidationError, match=message):
        services.add_comment(author=owner, owner=owner, module=GOALS, item_id=1, body=body)


def test_a_comment_of_exactly_the_maximum_length_is_kept(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    body = "x" * COMMENT_MAX_LENGTH
    comment = services.add_comment(author=owner, owner=owner, module=GOALS, item_id=1, body=body)
    assert comment.body == body


def test_comments_are_stored_encrypted(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    services.add_comment(author=owner, owner=owner, module=GOALS, item_id=1, body="my secret")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM care_comment")
        (raw,) = cursor.fetchone()
    assert "my secret" not in raw


def test_comments_for_items_reads_in_one_query_with_authors(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    owner = relationship.service_user
    for item_id in range(5):
        for author in (relationship.provider, owner):
            services.add_comment(
                author=author, owner=owner, module=GOALS, item_id=item_id, body="hi"
            )
    services.add_comment(author=owner, owner=owner, module=Module.JOURNAL, item_id=1, body="x")
    with CaptureQueriesContext(connection) as queries:
        found = selectors.comments_for_items(owner, GOALS, list(range(5)))
        names = [c.author.pseudonym for comments in found.values() for c in comments]
    assert len(queries) == 1
    assert len(names) == 10
    assert selectors.comments_for_items(owner, GOALS, []) == {}


# --- Joint sessions ----------------------------------------------------------------------------


def test_the_service_user_starts_a_session_showing_the_chosen_modules(
    relationship: CareRelationship,
) -> None:
    session = services.start_joint_session(
        service_user=relationship.service_user,
        relationship=relationship,
        modules=[Module.JOURNAL, GOALS],
    )
    assert session.shown_modules == [GOALS, Module.JOURNAL]  # in toolbox order
    assert session.is_open


def test_only_the_service_user_of_an_active_relationship_starts_a_session(
    relationship: CareRelationship,
) -> None:
    with pytest.raises(PermissionDenied):
        services.start_joint_session(
            service_user=relationship.provider, relationship=relationship, modules=[]
        )
    services.end_relationship(actor=relationship.provider, relationship=relationship)
    relationship.refresh_from_db()
    with pytest.raises(ValidationError):
        services.start_joint_session(
            service_user=relationship.service_user, relationship=relationship, modules=[]
        )


def test_one_open_session_at_a_time_and_a_forgotten_one_is_closed_on_the_next_start(
    relationship: CareRelationship,
) -> None:
    user = relationship.service_user
    first = services.start_joint_session(service_user=user, relationship=relationship, modules=[])
    with pytest.raises(ValidationError, match="already open"):
        services.start_joint_session(service_user=user, relationship=relationship, modules=[])
    with time_machine.travel(timezone.now() + JOINT_SESSION_MAX_DURATION + timedelta(minutes=1)):
        second = services.start_joint_session(
            service_user=user, relationship=relationship, modules=[]
        )
    first.refresh_from_db()
    assert first.ended_at is not None
    assert second.ended_at is None


def test_start_refuses_unknown_modules(relationship: CareRelationship) -> None:
    with pytest.raises(ValidationError):
        services.start_joint_session(
            service_user=relationship.service_user, relationship=relationship, modules=["x"]
        )


def test_the_service_user_changes_what_is_shown_while_the_session_is_open(
    relationship: CareRelationship,
) -> None:
    session = JointSessionFactory.create(relationship=relationship, shown_modules=[GOALS])
    with pytest.raises(PermissionDenied):
        services.set_shown_modules(
            service_user=relationship.provider, session=session, modules=[Module.JOURNAL]
        )
    services.set_shown_modules(
        service_user=relationship.service_user, session=session, modules=[Module.JOURNAL]
    )
    session.refresh_from_db()
    assert session.shown_modules == [Module.JOURNAL]
    services.end_joint_session(service_user=relationship.service_user, session=session)
    with pytest.raises(ValidationError, match="ended"):
        services.set_shown_modules(
            service_user=relationship.service_user, session=session, modules=[GOALS]
        )


def test_both_write_the_note_and_a_stale_save_does_not_overwrite(
    relationship: CareRelationship,
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    session = services.save_session_note(
        actor=relationship.service_user, session=session, note="We found", seen_updated_at=None
    )
    first_saved = session.note_updated_at
    session = services.save_session_note(
        actor=relationship.provider,
        session=session,
        note="We found that walks help.",
        seen_updated_at=first_saved,
    )
    assert session.note == "We found that walks help."
    assert session.note_updated_by == relationship.provider
    with pytest.raises(services.NoteConflictError):
        services.save_session_note(
            actor=relationship.service_user,
            session=session,
            note="Something else",
            seen_updated_at=first_saved,
        )
    session.refresh_from_db()
    assert session.note == "We found that walks help."


def test_the_note_has_a_maximum_length_and_only_the_pair_writes_it(
    relationship: CareRelationship, make_member: Callable[..., User]
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    with pytest.raises(ValidationError):
        services.save_session_note(
            actor=relationship.service_user,
            session=session,
            note="x" * (SESSION_NOTE_MAX_LENGTH + 1),
            seen_updated_at=None,
        )
    with pytest.raises(PermissionDenied):
        services.save_session_note(
            actor=make_member(Role.PROVIDER), session=session, note="x", seen_updated_at=None
        )
    Membership.objects.filter(user=relationship.provider).update(verified_at=None)
    with pytest.raises(PermissionDenied):
        services.save_session_note(
            actor=relationship.provider, session=session, note="x", seen_updated_at=None
        )


def test_the_note_is_encrypted_and_kept_read_only_after_the_session(
    relationship: CareRelationship,
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    services.save_session_note(
        actor=relationship.service_user, session=session, note="walks help", seen_updated_at=None
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM care_jointsession")
        (raw,) = cursor.fetchone()
    assert "walks" not in raw
    session.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.end_joint_session(service_user=relationship.provider, session=session)
    services.end_joint_session(service_user=relationship.service_user, session=session)
    with pytest.raises(ValidationError, match="ended"):
        services.save_session_note(
            actor=relationship.provider,
            session=session,
            note="more",
            seen_updated_at=session.note_updated_at,
        )
    assert JointSession.objects.get().note == "walks help"


def test_the_code_of_a_deactivated_provider_counts_as_wrong(
    service_user: User, provider: User
) -> None:
    code = _code(provider)
    provider.is_active = False
    provider.save()
    with pytest.raises(ValidationError, match="could not find"):
        services.link_provider_by_code(service_user=service_user, code=code)


def test_notes_cannot_be_saved_once_the_relationship_has_ended(
    relationship: CareRelationship,
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    with pytest.raises(ValidationError, match="ended"):
        services.save_session_note(
            actor=relationship.service_user, session=session, note="x", seen_updated_at=None
        )
