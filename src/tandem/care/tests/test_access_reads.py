"""The care gate for reads: who may read which part of a service user's toolbox (the role
matrix), what each read logs, and grants taking effect at the very next read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404

from tandem.accounts.models import Role, User
from tandem.care import access
from tandem.care.models import AccessAction, AccessLogEntry, CareRelationship, Grant, Level, Module
from tandem.care.tests.helpers_access import DENIED, GOALS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("case", DENIED)
def test_denied_reads_are_404_and_never_logged(
    case: str,
    relationship: CareRelationship,
    make_member: Callable[..., User],
    grant: Callable[..., Grant],
) -> None:
    viewer = DENIED[case](relationship=relationship, make_member=make_member, grant=grant)
    logged = AccessLogEntry.objects.count()  # the read before a revoke is logged, and stays
    for need in (Level.VIEW, Level.COMMENT):
        with pytest.raises(Http404):
            access.get_owner_for_viewer(viewer, relationship.service_user_id, GOALS, need=need)
    assert AccessLogEntry.objects.count() == logged


def test_owner_reads_their_own_data_without_a_log_entry(relationship: CareRelationship) -> None:
    owner = relationship.service_user
    for module in Module.values:
        assert access.get_owner_for_viewer(owner, owner.pk, module) == owner
        assert access.get_owner_for_viewer(owner, owner.pk, module, need=Level.COMMENT) == owner
    assert not AccessLogEntry.objects.exists()


def test_view_grant_allows_viewing_once_logged_and_refuses_commenting(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    owner = access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert owner == relationship.service_user
    entry = AccessLogEntry.objects.get()
    assert (entry.owner, entry.viewer, entry.module, entry.action) == (
        relationship.service_user,
        relationship.provider,
        GOALS,
        AccessAction.VIEW,
    )
    with pytest.raises(Http404):
        access.get_owner_for_viewer(
            relationship.provider, relationship.service_user_id, GOALS, need=Level.COMMENT
        )
    assert AccessLogEntry.objects.count() == 1


def test_comment_grant_allows_viewing_and_commenting_in_one_visit_logged_once(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    provider, owner_id = relationship.provider, relationship.service_user_id
    access.get_owner_for_viewer(provider, owner_id, GOALS)
    access.get_owner_for_viewer(provider, owner_id, GOALS, need=Level.COMMENT)
    # Both allowed; the second read is the same visit (care/tests/test_access_visits.py).
    assert AccessLogEntry.objects.filter(owner_id=owner_id, viewer=provider).count() == 1


def test_export_action_is_written_as_given(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(
        relationship.provider, relationship.service_user_id, GOALS, action=AccessAction.EXPORT
    )
    assert AccessLogEntry.objects.get().action == AccessAction.EXPORT


def test_revoking_a_grant_refuses_the_very_next_read(
    relationship: CareRelationship, grant: Callable[..., Grant]
) -> None:
    grant(relationship, GOALS, Level.VIEW)
    access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    grant(relationship, GOALS, Level.NONE)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, relationship.service_user_id, GOALS)
    assert AccessLogEntry.objects.count() == 1


def test_unknown_module_is_404_even_for_the_owner(relationship: CareRelationship) -> None:
    with pytest.raises(Http404):
        access.get_owner_for_viewer(
            relationship.service_user, relationship.service_user_id, "secrets"
        )


def test_a_provider_of_one_person_cannot_read_another_person(
    relationship: CareRelationship,
    grant: Callable[..., Grant],
    make_member: Callable[..., User],
) -> None:
    grant(relationship, GOALS, Level.COMMENT)
    stranger = make_member(Role.SERVICE_USER)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, stranger.pk, GOALS)
    with pytest.raises(Http404):
        access.get_owner_for_viewer(relationship.provider, 999_999, GOALS)
    assert not AccessLogEntry.objects.exists()
