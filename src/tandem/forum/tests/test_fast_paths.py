"""The hand-written gate and page reads say exactly what the ORM versions say.

Every forum page passes ``access.get_topic_access`` or ``access.get_community_access``,
and the notification badge asks ``access.member_community_ids``: these are hand-written SQL for
speed (docs/performance.md). Each rule agrees with its ORM oracle in ``test_rules_oracle.py``
(the matrix of membership cases moved there); these tests check what pages read through them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import Organisation, User
from tandem.accounts.tests.factories import UserFactory
from tandem.conftest import login_client
from tandem.forum import access, selectors, services, sql
from tandem.forum.models import (
    Category,
    Community,
    ModerationState,
    Post,
    ReactionKind,
    Topic,
    TopicRead,
    Visibility,
)
from tandem.forum.tests.conftest import join, make_topic, reply
from tandem.forum.tests.factories import CategoryFactory, CommunityFactory

pytestmark = pytest.mark.django_db


def test_topic_gate_loads_the_topic_with_its_category_circle_and_community(
    member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, title="Gate")
    loaded = access.get_topic_access(member(), topic.pk).topic
    assert loaded == topic
    assert loaded.title == "Gate"
    assert loaded.category.name == category.name
    assert loaded.circle is None
    assert loaded.community.pk == category.community_id
    assert loaded.community.organisation.pk == category.community.organisation_id
    assert loaded.last_posted_at == topic.last_posted_at


def test_topic_gate_refuses_topics_outside_the_persons_communities(
    member: Callable[..., User], category: Category, make_member: Callable[..., User]
) -> None:
    topic = make_topic(member(), category)
    elsewhere = CategoryFactory.create(
        community=CommunityFactory.create(organisation=category.community.organisation)
    )
    outsider_topic = make_topic(join(make_member(), elsewhere.community), elsewhere)
    reader = member()
    with pytest.raises(Http404):
        access.get_topic_access(reader, outsider_topic.pk)
    with pytest.raises(Http404):
        access.get_topic_access(make_member(), topic.pk)  # in the organisation, not joined
    with pytest.raises(Http404):
        access.get_topic_access(UserFactory.create(), topic.pk)
    with pytest.raises(Http404):
        access.get_topic_access(reader, topic.pk + 1000)


def test_circle_topic_gate_checks_the_circle(
    member: Callable[..., User], category: Category
) -> None:
    author, friend, stranger = member(), member(), member()
    circle = services.create_circle(user=author, community=category.community, name="Friends")
    services.add_to_circle(user=author, circle=circle, pseudonym=friend.pseudonym)
    topic = services.create_topic(
        author=author,
        community=category.community,
        category=category,
        title="Only us",
        body="Between us.",
        visibility=Visibility.CIRCLE,
        circle=circle,
    )
    assert access.get_topic_access(friend, topic.pk).topic.circle == circle
    with pytest.raises(Http404):
        access.get_topic_access(stranger, topic.pk)


def test_reading_a_topic_again_with_nothing_new_writes_nothing(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    reader = member()
    topic = make_topic(member(), category)
    login_client(client, reader)
    path = f"/topics/{topic.pk}/"
    client.get(path)
    first = TopicRead.objects.get(user=reader, topic=topic).last_read_at
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    assert not [q for q in queries if q["sql"].startswith(("UPDATE", "INSERT"))]
    assert TopicRead.objects.get(user=reader, topic=topic).last_read_at == first
    reply(member(), topic)
    client.get(path)
    assert TopicRead.objects.get(user=reader, topic=topic).last_read_at > first


def test_topic_reading_reports_mark_watch_and_draft(
    member: Callable[..., User], category: Category
) -> None:
    reader = member()
    topic = make_topic(member(), category)
    empty = selectors.topic_reading(reader, topic)
    assert (empty.last_read_at, empty.is_watching, empty.draft) == (None, False, None)
    services.mark_topic_read(user=reader, topic=topic)
    services.toggle_topic_watch(user=reader, topic=topic)
    draft = services.save_reply_draft(author=reader, topic=topic, body="Half a thought")
    reading = selectors.topic_reading(reader, topic)
    assert reading.last_read_at == TopicRead.objects.get(user=reader, topic=topic).last_read_at
    assert reading.last_read_at is not None
    assert timezone.is_aware(reading.last_read_at)
    assert reading.is_watching is True
    assert reading.draft == draft


def test_category_counts_total_and_new_topics(
    member: Callable[..., User], category: Category
) -> None:
    reader = member()
    other = CategoryFactory.create(community=category.community, name="Other", position=5)
    read_then_replied = make_topic(member(), category, title="Replied")
    read = make_topic(member(), category, title="Read")
    make_topic(member(), category, title="Never opened")
    services.mark_topic_read(user=reader, topic=read_then_replied)
    services.mark_topic_read(user=reader, topic=read)
    TopicRead.objects.filter(user=reader, topic=read_then_replied).update(
        last_read_at=timezone.now() - timedelta(hours=1)
    )
    services.toggle_category_watch(user=reader, category=other)
    rows = {c.pk: c for c in selectors.categories_for_community(reader, category.community)}
    mine, theirs = rows[category.pk], rows[other.pk]
    assert (mine.topic_count, mine.unread_count, mine.is_watched) == (3, 2, False)  # type: ignore[attr-defined]
    assert (theirs.topic_count, theirs.unread_count, theirs.is_watched) == (0, 0, True)  # type: ignore[attr-defined]


def test_each_post_is_one_form_that_works_without_javascript(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    reader = member()
    topic = make_topic(member(pseudonym="Kite"), category)
    own = reply(reader, topic, "My own words.")
    login_client(client, reader)
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    opening = topic.posts.get(is_opening=True)
    assert page.count('name="csrfmiddlewaretoken"') >= 3  # two posts, the reply form
    assert f'action="/posts/{opening.pk}/react/"' in page
    assert 'name="kind" value="hear_you"' in page
    assert f'formaction="/posts/{opening.pk}/mute-author/"' in page
    assert f'href="/moderation/posts/{opening.pk}/report/"' in page
    assert f'formaction="/posts/{own.pk}/delete/"' in page
    assert f'href="/posts/{own.pk}/edit/"' in page
    response = client.post(f"/posts/{opening.pk}/react/", {"kind": ReactionKind.HEAR_YOU})
    assert response.status_code == 302
    assert 'aria-pressed="true"' in client.get(f"/topics/{topic.pk}/").content.decode()


def test_post_card_escapes_what_people_typed(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    writer = member(pseudonym="<b>Kite</b>")
    topic = make_topic(writer, category)
    post = topic.posts.get(is_opening=True)
    post.moderation_note = '<img src=x onerror="alert(1)">'
    post.professional_title = "<i>Nurse</i>"
    post.save(update_fields=["moderation_note", "professional_title"])
    login_client(client, member())
    page = client.get(f"/topics/{topic.pk}/").content.decode()
    assert "<b>Kite</b>" not in page and "&lt;b&gt;Kite&lt;/b&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "<i>Nurse</i>" not in page and "&lt;i&gt;Nurse&lt;/i&gt;" in page


def test_badge_counts_only_notifications_the_person_may_still_see(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category)
    reply(member(), topic)
    reply(member(), topic)
    login_client(client, author)
    badge = 'Notifications <span class="badge badge-new">2<span class="visually-hidden"> unread'
    assert badge in client.get("/crisis/").content.decode()
    client.post(f"/communities/{category.community_id}/leave/", {"confirm": "yes"})
    assert "Notifications</a>" in client.get("/crisis/").content.decode()


def test_badge_asks_no_scope_when_nothing_is_unread(member: Callable[..., User]) -> None:
    from tandem.notifications.selectors import unread_count_for_user

    person = member()
    with CaptureQueriesContext(connection) as queries:
        assert unread_count_for_user(person) == 0
    assert len(queries) == 1


def test_topic_pages_hold_fifty_posts_each_in_order(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    author = member()
    topic = make_topic(author, category, body="Post 0")
    for n in range(1, 55):
        reply(author, topic, f"Post {n}")
    login_client(client, member())
    first = client.get(f"/topics/{topic.pk}/").content.decode()
    second = client.get(f"/topics/{topic.pk}/?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert first.count('<article class="post') == 50
    assert second.count('<article class="post') == 5
    assert "<p>Post 49</p>" in first and "<p>Post 50</p>" in second
    assert first.index("<p>Post 1</p>") < first.index("<p>Post 2</p>")


def test_held_and_hidden_posts_on_the_topic_page(
    client_factory: Callable[[], Client], member: Callable[..., User], category: Category
) -> None:
    author, reader = member(), member()
    topic = make_topic(member(), category)
    held = reply(author, topic, "Waiting words")
    hidden = reply(author, topic, "Hidden words")
    Post.objects.filter(pk=held.pk).update(moderation_state=ModerationState.HELD)
    Post.objects.filter(pk=hidden.pk).update(
        moderation_state=ModerationState.HIDDEN, moderation_note="Off topic"
    )
    as_author = login_client(client_factory(), author).get(f"/topics/{topic.pk}/")
    as_reader = login_client(client_factory(), reader).get(f"/topics/{topic.pk}/")
    mine, theirs = as_author.content.decode(), as_reader.content.decode()
    assert "Waiting words" in mine and "data-post-held" in mine
    assert "Waiting words" not in theirs
    assert "Hidden words" in mine and "Off topic" in mine
    assert "Hidden words" not in theirs and "This post was hidden by a moderator." in theirs


def test_rows_become_the_models_the_orm_would_load(
    member: Callable[..., User], category: Category
) -> None:
    """``forum.sql.from_row`` (public field API: ``from_db_value``, ``to_python``) gives every
    field the value and type the ORM gives it: dates and times aware, booleans, UUIDs, the
    organisation's encrypted and plain columns."""
    author = member()
    topic = make_topic(author, category, title="Rows")
    post = reply(author, topic)
    Post.objects.filter(pk=post.pk).update(
        client_key=uuid.uuid4(), deleted_at=timezone.now(), moderation_state=ModerationState.HIDDEN
    )
    community = category.community
    for model, pk in (
        (Post, post.pk),
        (Topic, topic.pk),
        (Category, category.pk),
        (Community, community.pk),
        (Organisation, community.organisation_id),
    ):
        table = model._meta.db_table
        ((row),) = sql.fetch_all(
            f"SELECT {sql.columns(model, 'x')} FROM {table} x WHERE x.id = %(pk)s",  # noqa: S608 - table names from _meta
            {"pk": pk},
        )
        loaded = sql.from_row(model, row)
        expected = model._default_manager.get(pk=pk)
        for field in sql.concrete_fields(model):
            mine, theirs = getattr(loaded, field.attname), getattr(expected, field.attname)
            assert mine == theirs, (model, field.attname)
            assert type(mine) is type(theirs), (model, field.attname)
