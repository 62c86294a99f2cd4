"""With nothing registered to screen posts, the forum refuses to publish (it never publishes
unscreened) and keeps the person's text; moderation registers its screen at start-up."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tandem.accounts.models import User
from tandem.forum import hooks, services
from tandem.forum.errors import PostingLimitError
from tandem.forum.models import Category, Post
from tandem.moderation.posting import ForumScreen

pytestmark = pytest.mark.django_db


def test_moderation_registers_its_screen_at_start_up() -> None:
    assert isinstance(hooks.post_screen(), ForumScreen)


def test_without_a_screen_posting_is_refused_and_nothing_is_published(
    monkeypatch: pytest.MonkeyPatch, member: Callable[..., User], category: Category
) -> None:
    monkeypatch.setattr(hooks, "_screen", hooks._Unscreened())
    with pytest.raises(PostingLimitError) as refused:
        services.create_topic(
            author=member(), community=category.community, category=category, title="T", body="B"
        )
    assert refused.value.status == 503
    assert not Post.objects.exists()
