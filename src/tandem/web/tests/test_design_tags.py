"""The avatar and relative-time tags, and the style page's gate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.templatetags.avatars import avatar, avatar_svg, name_avatar
from tandem.conftest import login_client
from tandem.core.templatetags.times import reltime

SRC = Path(__file__).resolve().parents[2]


def test_an_avatar_is_the_same_for_the_same_pseudonym_whatever_its_case() -> None:
    assert avatar_svg("Skylark") == avatar_svg("skylark")
    assert avatar_svg("Skylark") != avatar_svg("Otter")


def test_a_persons_choices_change_colour_and_shape_but_not_the_pattern() -> None:
    person = User(pseudonym="Skylark", avatar_colour="4", avatar_shape="hexagon")
    html = str(avatar(person))
    assert 'class="avatar av-4"' in html
    assert "<polygon" in html
    plain = str(avatar_svg("Skylark"))
    assert html.split('<path class="av-fg"')[1] == plain.split('<path class="av-fg"')[1]


def test_a_name_avatar_ignores_choices_and_unknown_values_are_ignored() -> None:
    assert name_avatar("Pat Provider") == avatar_svg("Pat Provider")
    assert avatar_svg("x", colour='"><script>', shape="nope", size="huge") == avatar_svg("x")


def test_avatars_are_decorative_and_need_no_inline_style() -> None:
    html = str(avatar(None, "sm"))
    assert 'aria-hidden="true"' in html
    assert "style=" not in html


def test_no_template_uses_an_inline_style_attribute() -> None:
    """The CSP's style-src has no 'unsafe-inline': a style attribute would be ignored."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.glob("tandem/*/templates/**/*.html")
        if " style=" in path.read_text()
    ]
    assert not offenders


@time_machine.travel("2026-05-12 12:00 +0000", tick=False)
@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(seconds=20), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59), "59 minutes ago"),
        (timedelta(hours=3), "3 hours ago"),
        (timedelta(days=1, hours=2), "yesterday"),
        (timedelta(days=3), "3 days ago"),
        (timedelta(days=8), "4 May 2026"),
        (-timedelta(days=1), "13 May 2026"),
    ],
)
def test_relative_times_read_as_words_with_the_exact_time_kept(ago: timedelta, words: str) -> None:
    html = str(reltime(timezone.now() - ago))
    assert f' tabindex="0">{words}<span class="reltime-exact">' in html
    assert 'datetime="2026-' in html
    assert 'title="' in html


@pytest.mark.django_db
def test_the_style_page_is_for_django_staff_only(client: Client, service_user: User) -> None:
    login_client(client, service_user)
    assert client.get("/style/").status_code == 404
    User.objects.filter(pk=service_user.pk).update(is_staff=True)
    response = client.get("/style/")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
