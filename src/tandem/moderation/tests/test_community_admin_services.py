"""Running a community, on the services: who may do what, an audit entry for every change, and
refusals of bad changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tandem.accounts.models import User
from tandem.forum import selectors as forum_selectors
from tandem.forum.models import Audience, Category, Community, JoinPolicy
from tandem.forum.tests.conftest import make_topic
from tandem.moderation.community_admin import services
from tandem.moderation.community_admin.conduct_diff import conduct_diff
from tandem.moderation.community_admin.services import CommunityDetails, Limits, StateChange
from tandem.moderation.models import AuditAction, AuditEntry, CommunitySettings

pytestmark = pytest.mark.django_db


def _details(**changes: Any) -> CommunityDetails:
    values: dict[str, Any] = {
        "name": "Evenings",
        "slug": "evenings",
        "description": "For the hard hours.",
        "audience": Audience.MIXED,
        "join_policy": JoinPolicy.OPEN,
        "conduct_shown_to": "organisation",
        "min_age": None,
        "max_age": None,
    }
    values.update(changes)
    return CommunityDetails(**values)


def _limits(**changes: Any) -> Limits:
    values: dict[str, Any] = {
        "premoderation": "none",
        "new_member_held_posts": 3,
        "new_member_topics_per_day": 2,
        "new_member_replies_per_day": 10,
        "topics_per_hour": 5,
        "replies_per_hour": 30,
        "mentions_per_hour": 20,
        "slow_mode_minutes": None,
    }
    values.update(changes)
    return Limits(**values)


def _last_entry() -> AuditEntry:
    entry = AuditEntry.objects.first()
    assert entry is not None
    return entry


# --- services: every change audited --------------------------------------------------------


def test_admin_creates_a_community_and_it_is_audited(ada: User, community: Community) -> None:
    created = services.create_community(
        actor=ada,
        organisation=community.organisation,
        details=_details(),
        code_of_conduct="Be kind.",
    )
    assert created.code_of_conduct_version == 1
    assert CommunitySettings.objects.filter(community=created).exists()
    entry = _last_entry()
    assert (entry.action, entry.community_id, entry.actor_id) == (
        AuditAction.COMMUNITY,
        created.pk,
        ada.pk,
    )
    assert "Evenings" in entry.detail


def test_moderator_and_member_cannot_create_communities(
    mo: User, otter: User, community: Community
) -> None:
    for person in (mo, otter):
        with pytest.raises(PermissionDenied):
            services.create_community(
                actor=person,
                organisation=community.organisation,
                details=_details(),
                code_of_conduct="Be kind.",
            )
    assert not AuditEntry.objects.exists()


def test_a_taken_short_name_is_refused(ada: User, community: Community) -> None:
    with pytest.raises(ValidationError):
        services.create_community(
            actor=ada,
            organisation=community.organisation,
            details=_details(slug=community.slug),
            code_of_conduct="Be kind.",
        )


def test_editing_records_what_changed_and_nothing_when_nothing_did(
    ada: User, community: Community
) -> None:
    details = _details(name=community.name, slug=community.slug, description="")
    services.update_community(actor=ada, community=community, details=details)
    assert not AuditEntry.objects.exists()
    services.update_community(
        actor=ada,
        community=community,
        details=_details(name=community.name, slug=community.slug, description="", min_age=16),
        reason="youth service",
    )
    entry = _last_entry()
    assert entry.action == AuditAction.COMMUNITY
    assert entry.detail == "changed min_age"
    assert entry.reason == "youth service"
    community.refresh_from_db()
    assert community.min_age == 16


def test_ages_the_wrong_way_round_are_refused(ada: User, community: Community) -> None:
    with pytest.raises(ValidationError):
        services.update_community(
            actor=ada,
            community=community,
            details=_details(slug=community.slug, min_age=30, max_age=18),
        )
    community.refresh_from_db()
    assert community.min_age is None


def test_moderator_locks_and_unlocks_with_a_reason(mo: User, community: Community) -> None:
    with pytest.raises(ValidationError):
        services.set_community_state(
            actor=mo, community=community, change=StateChange.LOCK, reason=" "
        )
    services.set_community_state(
        actor=mo, community=community, change=StateChange.LOCK, reason="heated"
    )
    assert Community.objects.get(pk=community.pk).is_locked
    assert _last_entry().detail == "locked"
    services.set_community_state(
        actor=mo, community=community, change=StateChange.UNLOCK, reason="calmer"
    )
    assert not Community.objects.get(pk=community.pk).is_locked
    assert _last_entry().detail == "unlocked"


def test_only_admins_archive(
    ada: User, mo: User, otter: User, community: Community, category: Category
) -> None:
    with pytest.raises(PermissionDenied):
        services.set_community_state(
            actor=mo, community=community, change=StateChange.ARCHIVE, reason="done"
        )
    services.set_community_state(
        actor=ada, community=community, change=StateChange.ARCHIVE, reason="the group ended"
    )
    community.refresh_from_db()
    assert community.is_archived and community.is_read_only
    assert _last_entry().detail == "archived"
    # Hidden from the list, read-only for its members.
    assert forum_selectors.communities_for_user(otter) == []
    with pytest.raises(PermissionDenied):
        make_topic(otter, category)
    services.set_community_state(
        actor=ada, community=community, change=StateChange.RESTORE, reason="back"
    )
    assert [c.community.pk for c in forum_selectors.communities_for_user(otter)] == [community.pk]


def test_category_changes_are_audited_and_locks_hold(
    ada: User, otter: User, community: Community
) -> None:
    category = services.create_category(
        actor=ada, community=community, name="Sleep", description="", position=1
    )
    assert _last_entry().action == AuditAction.CATEGORY
    services.update_category(
        actor=ada, category=category, name="Sleep and rest", description="", position=1
    )
    assert "name" in _last_entry().detail
    services.set_category_state(
        actor=ada, category=category, change=StateChange.LOCK, reason="moving"
    )
    assert "locked" in _last_entry().detail
    category.refresh_from_db()
    with pytest.raises(PermissionDenied):
        make_topic(otter, category)
    assert category not in forum_selectors.categories_of_community(community)
    services.set_category_state(
        actor=ada, category=category, change=StateChange.ARCHIVE, reason="merged"
    )
    assert category.pk not in [
        c.pk for c in forum_selectors.categories_for_community(otter, community)
    ]
    assert AuditEntry.objects.filter(action=AuditAction.CATEGORY).count() == 4


def test_limits_are_audited_and_slow_mode_applies_to_every_topic(
    mo: User, community: Community
) -> None:
    with pytest.raises(ValidationError):
        services.update_limits(
            actor=mo, community=community, limits=_limits(slow_mode_minutes=0), reason="x"
        )
    services.update_limits(
        actor=mo,
        community=community,
        limits=_limits(slow_mode_minutes=10, replies_per_hour=12),
        reason="a hard week",
    )
    entry = _last_entry()
    assert entry.action == AuditAction.SETTINGS
    assert "slow_mode_minutes" in entry.detail and "replies_per_hour" in entry.detail
    options = CommunitySettings.objects.get(community=community)
    assert (options.slow_mode_minutes, options.replies_per_hour) == (10, 12)


def test_publishing_a_code_of_conduct_asks_members_again_and_is_audited(
    ada: User, otter: User, community: Community
) -> None:
    services.publish_conduct(
        actor=ada,
        community=community,
        text=community.code_of_conduct + "\nNo selling.",
        based_on_version=1,
    )
    community.refresh_from_db()
    assert community.code_of_conduct_version == 2
    entry = _last_entry()
    assert entry.action == AuditAction.CONDUCT
    assert entry.detail == "version 2: 1 lines added, 0 removed"
    [choice] = forum_selectors.communities_for_user(otter)
    assert choice.needs_conduct


def test_publishing_over_a_newer_version_or_without_change_is_refused(
    ada: User, community: Community
) -> None:
    with pytest.raises(ValidationError):
        services.publish_conduct(
            actor=ada, community=community, text=community.code_of_conduct, based_on_version=1
        )
    with pytest.raises(ValidationError) as stale:
        services.publish_conduct(
            actor=ada, community=community, text="Something else", based_on_version=7
        )
    assert stale.value.code == "stale_conduct"
    assert not AuditEntry.objects.exists()


def test_conduct_diff_marks_added_and_removed_lines() -> None:
    diff = conduct_diff("Be kind.\nNo names.\r\n", "Be kind.\nNo selling.\n")
    assert [(line.change, line.text) for line in diff.lines] == [
        ("same", "Be kind."),
        ("removed", "No names."),
        ("added", "No selling."),
        ("same", ""),
    ]
    assert (diff.added, diff.removed, diff.has_changes) == (1, 1, True)
