"""Errors the forum's writing services raise, and that whoever screens posts for the forum
(``forum.hooks``) raises through them."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class PostingLimitError(ValidationError):
    """The person may not post just now (a limit, slow mode, a mute). Views answer HTTP 429
    (or 403 for a mute or suspension, 503 when nothing screens posts) and keep the typed text.

    Defined here, in the forum, because the forum's views catch it; moderation raises it
    (``moderation.errors`` re-exports it under the same name).
    """

    def __init__(self, message: str, *, status: int = 429) -> None:
        super().__init__(message, code="limit")
        self.status = status
