"""What the care page tests share: the goals module's value and a response's text."""

from __future__ import annotations

from tandem.care.models import Module

GOALS = Module.GOALS.value


def _text(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined,no-any-return]
