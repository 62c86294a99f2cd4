"""The header of each post on a topic page (``{% post_card %}``): the author's generated avatar
and a relative time, drawn as the design system's tags draw them (issue 15)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.template.context import Context
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.models import AvatarColour, AvatarShape, User
from tandem.accounts.templatetags.avatars import avatar
from tandem.conftest import login_client
from tandem.core.templatetags.times import reltime
from tandem.forum.models import Category, Post
from tandem.forum.templatetags.forum_posts import _avatar, _page, _time
from tandem.forum.tests.conftest import make_topic, reply

pytestmark = pytest.mark.django_db

NOW = "2026-05-12 12:00 +0000"


def _articles(html: str) -> list[str]:
    return re.findall(r"<article .*?</article>", html, flags=re.DOTALL)


@time_machine.travel(NOW, tick=False)
def test_each_post_shows_its_authors_avatar_and_a_relative_time_with_the_exact_one(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    kite = member(pseudonym="Kite")
    kite.avatar_colour, kite.avatar_shape = AvatarColour.SLATE, AvatarShape.FLOWER
    kite.save(update_fields=["avatar_colour", "avatar_shape"])
    wren = member(pseudonym="Wren")
    topic = make_topic(kite, category)
    answer = reply(wren, topic, "Same here.")
    Post.objects.filter(topic=topic, is_opening=True).update(
        published_at=timezone.now() - timedelta(days=10)
    )
    Post.objects.filter(pk=answer.pk).update(published_at=timezone.now() - timedelta(hours=3))
    login_client(client, member())
    opening, second = _articles(client.get(f"/topics/{topic.pk}/").content.decode())
    # Each author in the colour and shape they chose (or those of their pseudonym).
    assert str(avatar(kite, size="sm")) in opening
    assert 'class="avatar av-6 avatar-sm"' in opening  # slate
    assert str(avatar(wren, size="sm")) in second
    # "3 hours ago", with the exact time in the title and in text screen readers read.
    # (In the organisation's time zone.)
    assert re.search(
        r'<time class="reltime" datetime="2026-05-12T(\d\d):00:00[+-]\d\d:\d\d"'
        r' title="12 May 2026, \1:00" tabindex="0">3 hours ago'
        r'<span class="reltime-exact"> \(12 May 2026, \1:00\)</span></time>',
        second,
    )
    # Beyond a week: the date, as {% reltime %} shows it.
    assert re.search(
        r' tabindex="0">2 May 2026<span class="reltime-exact"> \(2 May 2026, ', opening
    )


def test_avatars_cost_no_query_of_their_own(
    client: Client, member: Callable[..., User], category: Category
) -> None:
    """The avatar choices come with the posts' one query: a post by someone who chose a
    colour costs nothing more than one by someone who did not."""
    plain = member()
    topic = make_topic(plain, category)
    reply(plain, topic)
    login_client(client, member())
    path = f"/topics/{topic.pk}/"
    client.get(path)
    with CaptureQueriesContext(connection) as before:
        client.get(path)
    for n in range(5):
        chooser = member()
        chooser.avatar_colour = AvatarColour.values[n]
        chooser.save(update_fields=["avatar_colour"])
        reply(chooser, topic)
    client.get(path)  # the new posts move the "last read" mark
    with CaptureQueriesContext(connection) as after:
        html = client.get(path).content.decode()
    assert len(after) == len(before)
    assert len(_articles(html)) == 7
    assert all('<svg class="avatar' in article for article in _articles(html))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "ago",
    [
        timedelta(seconds=20),
        timedelta(minutes=59),
        timedelta(hours=3),
        timedelta(days=1, hours=2),
        timedelta(days=6, hours=23),
        timedelta(days=7),
        timedelta(days=400),
        -timedelta(days=1),
    ],
)
def test_the_cards_time_is_the_reltime_tags(ago: timedelta) -> None:
    """The card builds the time itself for speed; it must read exactly as ``{% reltime %}``."""
    value = timezone.now() - ago
    assert _time(value, _page(Context())) == str(reltime(value))


def test_the_cards_avatar_is_the_avatar_tags(member: Callable[..., User]) -> None:
    person = member(pseudonym="Heron")
    page = _page(Context())
    assert _avatar(person, page) == str(avatar(person, size="sm"))
    person.avatar_colour, person.avatar_shape = AvatarColour.SLATE, AvatarShape.HEXAGON
    # Drawn once per page and author choice: a changed choice is a new drawing.
    assert _avatar(person, page) == str(avatar(person, size="sm"))
    assert len(page.avatars) == 2
