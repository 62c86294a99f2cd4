"""Acting on a review item whatever state its post is in (issue 13): a post written by code
without a publication time once made the item page, where muting its author lands, answer
500 (its context was counted from the empty ``published_at``)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.accounts.models import User
from tandem.conftest import login_client
from tandem.forum.models import Category, Post
from tandem.forum.tests.conftest import make_topic, reply
from tandem.moderation import services
from tandem.moderation.models import ReviewItem, Sanction, SanctionKind

pytestmark = pytest.mark.django_db


def test_muting_the_author_of_a_post_without_a_publication_time(
    otter: User, skylark: User, mo: User, category: Category
) -> None:
    topic = make_topic(skylark, category, title="Hard nights", body="Nights are the worst.")
    post = reply(otter, topic, "Spam spam spam")
    services.report_post(reporter=skylark, post=post, reason="spam")
    Post.objects.filter(pk=post.pk).update(published_at=None)
    item = ReviewItem.objects.get(post=post)
    client = login_client(Client(), mo)
    response = client.post(
        f"/moderation/items/{item.pk}/act/",
        {"action": "mute", "reason": "Cooling off", "hours": "2"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The author is muted in this community." in response.content.decode()
    assert Sanction.objects.filter(user=otter, kind=SanctionKind.MUTE).exists()
