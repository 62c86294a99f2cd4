"""A post held because someone *else* may be in danger now tells its author to call for help
for that person, not that we are sorry they feel this way."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum.models import Topic
from tandem.forum.tests.conftest import reply
from tandem.moderation import selectors
from tandem.moderation.models import ReviewItem, Risk

pytestmark = pytest.mark.django_db

FRIEND = (
    "My best mate just texted me 'sorry for everything, you were the best' and now his phone "
    "is off. What do I do?"
)


def _outcome_page(otter: User, text: str, topic: Topic) -> tuple[ReviewItem, str]:
    post = reply(otter, topic, text)
    item = ReviewItem.objects.get(post=post)
    page = login_client(Client(), otter).get(f"/moderation/posts/{post.pk}/outcome/")
    assert page.status_code == 200
    return item, page.content.decode()


def test_a_friend_in_danger_is_held_and_the_author_is_told_to_call_for_them(
    otter: User, topic: Topic, on_duty: User
) -> None:
    item, html = _outcome_page(otter, FRIEND, topic)
    assert item.is_held and item.risk == Risk.HIGH
    assert selectors.post_outcome(otter, item.post).about_someone_else
    assert "data-about-someone-else" in html
    assert "If someone is in danger now, call 999" in html
    assert "Thank you for telling us how you feel" not in html
    assert "data-crisis-resources" in html  # the contacts are still there


def test_the_authors_own_risk_keeps_the_supportive_words(
    otter: User, topic: Topic, on_duty: User
) -> None:
    item, html = _outcome_page(otter, FRIEND + " I want to kill myself tonight too.", topic)
    assert item.risk == Risk.HIGH
    assert not selectors.post_outcome(otter, item.post).about_someone_else
    assert "Thank you for telling us how you feel" in html
    assert "data-about-someone-else" not in html
