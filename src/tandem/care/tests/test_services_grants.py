"""Care services: what a service user shares (grants), and comments on shared items."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.care import selectors, services
from tandem.care.models import (
    COMMENT_MAX_LENGTH,
    CareRelationship,
    Comment,
    Grant,
    Level,
    Module,
)
from tandem.care.tests.helpers_services import GOALS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


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
