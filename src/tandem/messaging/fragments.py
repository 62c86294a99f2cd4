"""Messages as HTML fragments for the live socket, rendered once per process.

The same message goes to every socket of a thread in a process: the fragment is rendered once
and kept, keyed by everything that changes the HTML (the message's state, whether the reader
sent it, how its sender is named to the reader, the reader's time zone and language).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tandem.accounts.models import User
from tandem.accounts.selectors import role_summary_for_user
from tandem.messaging import kinds, selectors
from tandem.messaging.models import Message, Thread

RENDER_CACHE_SIZE = 2000
_RENDERED: dict[tuple[Any, ...], str] = {}


@dataclass(frozen=True)
class Reader:
    """Who the fragments are for."""

    user: User
    time_zone: str
    language: str


def _key(reader: Reader, message: Message, thread: Thread) -> tuple[Any, ...]:
    return (
        message.pk,
        message.edited_at,
        message.withdrawn_at,
        message.sender_id == reader.user.pk,
        kinds.display_name(message.sender, thread, reader.user),
        reader.time_zone,
        reader.language,
    )


def _frame(reader: Reader, message: Message, html: str) -> dict[str, Any]:
    return {"id": message.pk, "mine": message.sender_id == reader.user.pk, "html": html}


def cached(reader: Reader, thread: Thread, messages: list[Message]) -> list[dict[str, Any]] | None:
    """The fragments when this process has rendered all of them already, else None."""
    rendered = []
    for message in messages:
        html = _RENDERED.get(_key(reader, message, thread))
        if html is None:
            return None
        rendered.append(_frame(reader, message, html))
    return rendered


def render(reader: Reader, thread: Thread, messages: list[Message]) -> list[dict[str, Any]]:
    """The fragments of ``messages`` (of ``thread``) for ``reader``, rendering those this
    process has not rendered yet."""
    rendered = []
    with (
        timezone.override(zoneinfo.ZoneInfo(reader.time_zone)),
        translation.override(reader.language),
    ):
        for message in messages:
            key = _key(reader, message, thread)
            html = _RENDERED.get(key)
            if html is None:
                (view,) = selectors.message_views(reader.user, [message], thread=thread)
                html = render_to_string(
                    "messaging/includes/message.html", {"item": view, "controls": False}
                )
                if len(_RENDERED) >= RENDER_CACHE_SIZE:
                    _RENDERED.clear()
                _RENDERED[key] = html
            rendered.append(_frame(reader, message, html))
    return rendered


def language_of(scope: dict[str, Any]) -> str:
    """The language a socket's browser asked for (the first it accepts that Tandem has)."""
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return (
        translation.get_supported_language_variant(
            accept.split(",")[0].split(";")[0].strip() or settings.LANGUAGE_CODE
        )
        if accept
        else settings.LANGUAGE_CODE
    )


def time_zone_of(user: User) -> str:
    """The time zone of ``user``'s organisation (one query), UTC when it is not valid."""
    name = role_summary_for_user(user).time_zone or settings.TANDEM_DEFAULT_TIME_ZONE
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name
