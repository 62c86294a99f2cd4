"""Who sees what: every forum gate answers 404 to people outside, the same as for nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tandem.accounts.models import Membership, Organisation, Role, User
from tandem.accounts.tests.factories import MembershipFactory, OrganisationFactory
from tandem.conftest import login_client
from tandem.forum import services
from tandem.forum.models import Category, Community, Visibility
from tandem.forum.tests.conftest import make_topic
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def _status(client_factory: Callable[[], Client], user: User, path: str) -> int:
    return login_client(client_factory(), user).get(path).status_code


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("author", 200),
        ("fellow_member", 200),
        ("member_provider", 200),
        ("member_moderator", 200),
        ("org_service_user_not_joined", 404),
        ("org_provider_not_joined", 404),
        ("researcher", 404),
        ("other_organisation_member", 404),
    ],
)
def test_topic_page_role_matrix(
    client_factory: Callable[[], Client],
    member: Callable[..., User],
    make_member: Callable[..., User],
    category: Category,
    who: str,
    expected: int,
) -> None:
    author = member()
    topic = make_topic(author, category)
    people = {
        "author": author,
        "fellow_member": member(),
        "member_provider": member(Role.PROVIDER, totp=True),
        "member_moderator": member(Role.MODERATOR, totp=True),
        "org_service_user_not_joined": make_member(),
        "org_provider_not_joined": make_member(Role.PROVIDER, totp=True),
        "researcher": make_member(Role.RESEARCHER, totp=True),
    }
    if who == "other_organisation_member":
        elsewhere = MembershipFactory.create(
            organisation=OrganisationFactory.create(), role=Role.SERVICE_USER
        ).user
        people[who] = elsewhere
    paths = [
        f"/topics/{topic.pk}/",
        f"/communities/{category.community_id}/",
        f"/categories/{category.pk}/",
        f"/communities/{category.community_id}/topics/create/",
    ]
    client = login_client(client_factory(), people[who])
    for path in paths:
        assert client.get(path).status_code == expected, path


def test_anonymous_visitor_is_sent_to_login(client: Client, category: Category) -> None:
    response = client.get(f"/communities/{category.community_id}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_outsider_cannot_even_see_the_join_page_of_another_organisations_community(
    client: Client, category: Category
) -> None:
    outsider = MembershipFactory.create(organisation=OrganisationFactory.create()).user
    login_client(client, outsider)
    assert client.get(f"/communities/{category.community_id}/join/").status_code == 404
    assert b"Carers" not in client.get("/communities/").content


def test_person_who_leaves_loses_access_at_once(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    topic = make_topic(member(), category, title="Night worries")
    login_client(client, person)
    assert client.get(f"/topics/{topic.pk}/").status_code == 200
    response = client.post(f"/communities/{category.community_id}/leave/", {"confirm": "yes"})
    assert response.status_code == 302
    assert client.get(f"/topics/{topic.pk}/").status_code == 404
    assert client.get(f"/communities/{category.community_id}/").status_code == 404
    assert b"Night worries" not in client.get("/communities/search/?q=night").content


def test_person_removed_from_the_organisation_loses_access_at_once(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    topic = make_topic(member(), category)
    login_client(client, person)
    assert client.get(f"/topics/{topic.pk}/").status_code == 200
    Membership.objects.filter(user=person).delete()
    assert client.get(f"/topics/{topic.pk}/").status_code == 404


def test_new_code_of_conduct_asks_again_before_reading_or_posting(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    person = member()
    topic = make_topic(member(), category)
    services.publish_code_of_conduct(community=category.community, text="Version two.")
    login_client(client, person)
    join = f"/communities/{category.community_id}/join/"
    for path in (f"/topics/{topic.pk}/", f"/communities/{category.community_id}/"):
        response = client.get(path)
        assert response.status_code == 302
        # Sent to accept it, then back to the page they asked for.
        assert response["Location"] == f"{join}?next={path.replace('/', '%2F')}"
    response = client.post(f"/topics/{topic.pk}/reply/", {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"] == f"{join}?next=%2Ftopics%2F{topic.pk}%2F%23reply"
    # Nothing published, but the reply is kept as their draft.
    assert topic.posts.filter(is_draft=False).count() == 1
    assert topic.posts.get(is_draft=True, author=person).body == "Hello"
    response = client.post(
        join, {"version": "2", "accept": "on", "next": f"/topics/{topic.pk}/#reply"}
    )
    assert response["Location"] == f"/topics/{topic.pk}/#reply"
    page = client.get(f"/topics/{topic.pk}/")
    assert page.status_code == 200
    assert 'id="id_body">\nHello</textarea>' in page.content.decode()


def test_join_page_ignores_a_next_that_leaves_the_site(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    login_client(client, member())
    services.publish_code_of_conduct(community=category.community, text="Version two.")
    join = f"/communities/{category.community_id}/join/"
    page = client.get(f"{join}?next=//evil.example/").content.decode()
    assert "evil.example" not in page
    response = client.post(join, {"version": "2", "accept": "on", "next": "https://evil.example/"})
    assert response["Location"] == f"/communities/{category.community_id}/"


def test_circle_topics_are_visible_only_to_circle_members(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    starter, friend, other = member(), member(), member()
    circle = services.create_circle(user=starter, community=category.community, name="Trusted")
    services.add_to_circle(user=starter, circle=circle, pseudonym=friend.pseudonym)
    topic = services.create_topic(
        author=starter,
        community=category.community,
        category=category,
        title="Just between us",
        body="A first try at saying this.",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    assert _status(client_factory, friend, f"/topics/{topic.pk}/") == 200
    assert _status(client_factory, friend, f"/circles/{circle.pk}/") == 200
    assert _status(client_factory, other, f"/topics/{topic.pk}/") == 404
    assert _status(client_factory, other, f"/circles/{circle.pk}/") == 404
    outsider_client = login_client(client_factory(), other)
    assert b"Just between us" not in outsider_client.get(f"/categories/{category.pk}/").content
    assert b"Just between us" not in outsider_client.get("/communities/search/?q=between").content


def test_draft_topic_is_seen_only_by_its_author(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    author, other = member(), member()
    draft = services.save_topic_draft(
        author=author,
        community=category.community,
        category=category,
        title="Not ready",
        body="Still thinking",
    )
    assert _status(client_factory, other, f"/topics/{draft.pk}/") == 404
    assert _status(client_factory, author, f"/topics/{draft.pk}/") == 302


def test_moderator_history_gate(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category)
    post = topic.posts.get()
    topic.community = category.community
    post.topic = topic
    services.edit_post(editor=author, post=post, body="Changed my mind", title="Sleep")
    moderator = member(Role.MODERATOR, totp=True)
    assert _status(client_factory, moderator, f"/posts/{post.pk}/history/") == 200
    assert _status(client_factory, member(), f"/posts/{post.pk}/history/") == 403
    assert _status(client_factory, author, f"/posts/{post.pk}/history/") == 403


def test_foreign_community_post_is_404_and_nothing_is_written(
    client: Client, member: Callable[..., User], organisation: Organisation
) -> None:
    elsewhere = CommunityFactory.create(organisation=OrganisationFactory.create())
    foreign_category = CategoryFactory.create(community=elsewhere)
    login_client(client, member())
    response = client.post(
        f"/communities/{elsewhere.pk}/topics/create/",
        {"category": foreign_category.pk, "title": "Hi", "body": "Hello", "action": "publish"},
    )
    assert response.status_code == 404
    assert not elsewhere.topics.exists()


def test_category_of_another_community_is_refused(
    client: Client, member: Callable[..., User], community: Community
) -> None:
    other = CommunityFactory.create(organisation=community.organisation)
    foreign_category = CategoryFactory.create(community=other)
    CategoryFactory.create(community=community)
    login_client(client, member())
    response = client.post(
        f"/communities/{community.pk}/topics/create/",
        {"category": foreign_category.pk, "title": "Hi", "body": "Hello", "action": "publish"},
    )
    assert response.status_code == 400
    assert not other.topics.exists()


def test_join_is_refused_to_a_researcher_and_unknown_person_gets_404(
    client_factory: Callable[[], Client], make_member: Callable[..., User], community: Community
) -> None:
    researcher = make_member(Role.RESEARCHER, totp=True)
    client = login_client(client_factory(), researcher)
    response = client.post(f"/communities/{community.pk}/join/", {"version": "1", "accept": "on"})
    # Researchers are fenced from every content page (research.middleware): not found, as for
    # anyone who may not know the community exists.
    assert response.status_code == 404
    assert not community.members.filter(user=researcher).exists()
