"""``bench/forum_data.py``: the benchmark community, at a tiny size."""

from __future__ import annotations

from io import StringIO

import pytest
from django.test import Client

from bench.forum_data import seed
from bench.forum_seed import BENCH_USER_EMAIL
from tandem.accounts.models import Membership, User
from tandem.forum.models import Category, CommunityMember, Post, Topic
from tandem.forum.search import search_posts

pytestmark = pytest.mark.django_db


def test_bench_data_writes_a_community_a_member_can_read_and_search(client: Client) -> None:
    out = StringIO()
    args = ["--posts", "30", "--topics", "3", "--users", "5", "--categories", "2"]
    args += ["--short-topic-posts", "5", "--jobs", "1"]
    assert seed(args, stdout=out, stderr=StringIO()) == 0

    assert out.getvalue().startswith("TANDEM_SEED users=5 topics=3 categories=2 posts=30 ")
    assert User.objects.filter(email__endswith="@bench.tandem.test").count() == 5
    assert CommunityMember.objects.filter(community__slug="peer-support").count() == 5
    assert Category.objects.filter(community__slug="peer-support").count() == 2
    assert Topic.objects.count() == 3
    assert Post.objects.count() == 30
    assert Post.objects.filter(is_opening=True).count() == 3
    # The first topic is the short one, the second takes the posts it gives up.
    short, *_others = topics = Topic.objects.order_by("pk")
    assert [topic.reply_count for topic in topics] == [4, 14, 9]

    reader = User.objects.get(email=BENCH_USER_EMAIL)
    client.force_login(reader)
    response = client.get(f"/topics/{short.pk}/")
    assert response.status_code == 200
    assert response.content.count(b'id="post-') == short.reply_count + 1
    # The search index is filled: a word of the vocabulary finds posts.
    assert search_posts(reader, "anxiety").exists()

    # Dates are written as generated, but only while seeding: later saves are stamped again.
    assert Membership._meta.get_field("created_at").auto_now_add

    again = StringIO()
    assert seed(args, stdout=again, stderr=StringIO()) == 0
    assert again.getvalue().startswith("TANDEM_SEED already there")
    assert Post.objects.count() == 30
