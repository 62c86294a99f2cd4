"""Running a community from the portal's pages: who may open them, bad input answered with a
message and the text kept, bounded queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tandem.accounts.models import Role, User
from tandem.conftest import login_client
from tandem.forum.models import Community, Post
from tandem.forum.tests.conftest import join, make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory
from tandem.moderation.community_admin import services
from tandem.moderation.models import AuditEntry, CommunitySettings

pytestmark = pytest.mark.django_db


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
