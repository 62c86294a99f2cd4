"""The cached URL helpers give exactly what ``{% url %}`` gives, under any script prefix."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from tandem.core.addresses import url_with_id


@pytest.mark.parametrize(
    "name",
    ["forum:post-react", "forum:topic-detail", "moderation:post-report", "forum:post-edit"],
)
def test_url_for_id_matches_reverse(name: str) -> None:
    for object_id in (1, 42, 1234567):
        assert url_with_id(name, object_id) == reverse(name, args=[object_id])


def test_fixed_url_and_url_for_id_in_templates() -> None:
    template = Template(
        "{% load tandem_urls %}{% fixed_url 'web:home' %}|{{ 7|url_for_id:'forum:topic-detail' }}"
    )
    assert (
        template.render(Context())
        == f"{reverse('web:home')}|{reverse('forum:topic-detail', args=[7])}"
    )


def test_script_prefix_is_respected() -> None:
    set_script_prefix("/tandem/")
    try:
        assert url_with_id("forum:topic-detail", 5) == "/tandem/topics/5/"
        rendered = Template("{% load tandem_urls %}{% fixed_url 'web:crisis' %}").render(Context())
        assert rendered == reverse("web:crisis")
        assert rendered.startswith("/tandem/")
    finally:
        clear_script_prefix()
        set_script_prefix("/")


def test_a_url_without_one_id_is_refused() -> None:
    with pytest.raises(NoReverseMatch):
        url_with_id("web:home", 3)
