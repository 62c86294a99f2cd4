"""Running a community from the portal: who may do what, an audit entry for every change,
bad input answered with a message and the text kept, bounded queries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum import selectors as forum_selectors
from tandem.forum.models import Audience, Category, Community, JoinPolicy, Post
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.community_admin import services
from tandem.moderation.community_admin.conduct_diff import conduct_diff
from tandem.moderation.community_admin.services import (
    CommunityDetails,
    Limits,
    StateChange,
)
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


# --- pages ---------------------------------------------------------------------------------


def test_pages_answer_404_to_people_who_do_not_run_the_community(
    client: Client, otter: User, make_member: Callable[..., User], community: Community
) -> None:
    category = CategoryFactory.create(community=community)
    paths = [
        f"/moderation/organisations/{community.organisation_id}/communities/",
        f"/moderation/communities/{community.pk}/manage/",
        f"/moderation/communities/{community.pk}/manage/limits/",
        f"/moderation/categories/{category.pk}/edit/",
    ]
    for person in (
        otter,
        make_member(Role.PROVIDER, totp=True),
        make_member(Role.RESEARCHER, totp=True),
    ):
        login_client(client, person)
        for path in paths:
            assert client.get(path).status_code == 404, (person, path)
        client.logout()


def test_moderator_may_lock_but_not_edit_or_publish(
    client: Client, mo: User, community: Community
) -> None:
    login_client(client, mo)
    base = f"/moderation/communities/{community.pk}/manage/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}conduct/").status_code == 403
    assert client.post(base, {"name": "x"}).status_code == 403
    assert client.post(f"{base}state/", {"change": "archive", "reason": "no"}).status_code == 403
    response = client.post(f"{base}state/", {"change": "lock", "reason": "heated"})
    assert response.status_code == 302
    assert Community.objects.get(pk=community.pk).is_locked


def test_admin_creates_a_community_with_a_category_through_the_pages(
    client: Client, ada: User, community: Community
) -> None:
    login_client(client, ada)
    organisation_id = community.organisation_id
    path = f"/moderation/organisations/{organisation_id}/communities/create/"
    form = {
        "name": "Evenings",
        "slug": "evenings",
        "description": "",
        "audience": "mixed",
        "join_policy": "open",
        "conduct_shown_to": "organisation",
        "min_age": "",
        "max_age": "",
        "code_of_conduct": "",
        "reason": "",
    }
    response = client.post(path, form)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write the code of conduct members will accept." in page
    assert 'value="Evenings"' in page  # what was typed is kept
    response = client.post(path, {**form, "code_of_conduct": "Be kind."})
    created = Community.objects.get(slug="evenings")
    assert response["Location"] == f"/moderation/communities/{created.pk}/manage/"
    response = client.post(
        f"/moderation/communities/{created.pk}/manage/categories/",
        {"name": "Sleep", "description": "", "position": "0"},
    )
    assert response.status_code == 302
    assert created.categories.get().name == "Sleep"
    page = client.get(f"/moderation/organisations/{organisation_id}/communities/").content.decode()
    assert "Evenings" in page


def test_conduct_page_shows_what_changes_then_publishes(
    client: Client, ada: User, community: Community
) -> None:
    login_client(client, ada)
    path = f"/moderation/communities/{community.pk}/manage/conduct/"
    new_text = community.code_of_conduct + "\nNo selling."
    response = client.post(path, {"text": new_text, "version": "1", "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-conduct-diff" in page and "No selling." in page
    assert Community.objects.get(pk=community.pk).code_of_conduct_version == 1
    # Someone else publishes meanwhile: the admin's text is kept and compared again.
    services.publish_conduct(
        actor=ada, community=community, text="Another text", based_on_version=1
    )
    response = client.post(path, {"text": new_text, "version": "1", "action": "publish"})
    assert response.status_code == 400
    assert "Someone published a new version" in response.content.decode()
    assert "No selling." in response.content.decode()
    response = client.post(path, {"text": new_text, "version": "2", "action": "publish"})
    assert response.status_code == 302
    assert Community.objects.get(pk=community.pk).code_of_conduct_version == 3


def test_limits_page_refuses_nonsense_and_keeps_the_form(
    client: Client, mo: User, community: Community
) -> None:
    login_client(client, mo)
    path = f"/moderation/communities/{community.pk}/manage/limits/"
    data = {
        "premoderation": "new_members",
        "new_member_held_posts": "3",
        "new_member_topics_per_day": "2",
        "new_member_replies_per_day": "-4",
        "topics_per_hour": "5",
        "replies_per_hour": "30",
        "mentions_per_hour": "20",
        "slow_mode_minutes": "5",
        "reason": "",
    }
    response = client.post(path, data)
    assert response.status_code == 400
    assert not AuditEntry.objects.exists()
    response = client.post(path, {**data, "new_member_replies_per_day": "4", "reason": "calm"})
    assert response.status_code == 302
    assert CommunitySettings.objects.get(community=community).slow_mode_minutes == 5


def test_admin_pages_run_a_fixed_number_of_queries(
    client: Client, ada: User, make_member: Callable[..., User], community: Community
) -> None:
    login_client(client, ada)
    organisation = community.organisation
    paths = [
        f"/moderation/organisations/{organisation.pk}/communities/",
        f"/moderation/communities/{community.pk}/manage/",
        f"/moderation/communities/{community.pk}/manage/limits/",
        f"/moderation/communities/{community.pk}/manage/conduct/",
    ]

    def counts() -> list[int]:
        found = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            found.append(len(queries))
        return found

    before = counts()
    for i in range(4):
        other = CommunityFactory.create(organisation=organisation)
        CategoryFactory.create(community=other)
        category = CategoryFactory.create(community=community, name=f"More {i}")
        person = join(make_member(), community)
        make_topic(person, category, title=f"Topic {i}")
    assert Post.objects.count() == 4
    assert counts() == before
