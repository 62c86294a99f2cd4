"""What the risk screen tests share: the rule ids a text fires."""

from __future__ import annotations

from tandem.moderation import screening


def _ids(text: str, language: str | None = None) -> set[str]:
    """The rules (not the statistical second reader) that fire on ``text``."""
    return {rule.id for rule in screening.screen(text, language, use_model=False).fired}
