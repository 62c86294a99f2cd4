"""Care services: joint sessions, what they show, and their shared note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tandem.accounts.models import Membership, Role, User
from tandem.care import services
from tandem.care.models import (
    JOINT_SESSION_MAX_DURATION,
    SESSION_NOTE_MAX_LENGTH,
    CareRelationship,
    JointSession,
    Module,
    RelationshipStatus,
)
from tandem.care.tests.factories import JointSessionFactory
from tandem.care.tests.helpers_services import GOALS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


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


def test_notes_cannot_be_saved_once_the_relationship_has_ended(
    relationship: CareRelationship,
) -> None:
    session = JointSessionFactory.create(relationship=relationship)
    CareRelationship.objects.filter(pk=relationship.pk).update(status=RelationshipStatus.ENDED)
    with pytest.raises(ValidationError, match="ended"):
        services.save_session_note(
            actor=relationship.service_user, session=session, note="x", seen_updated_at=None
        )
