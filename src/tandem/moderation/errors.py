from __future__ import annotations

from django.core.exceptions import ValidationError


class PostingLimitError(ValidationError):
    """The person may not post just now (a limit, slow mode, a mute). Views answer HTTP 429
    (or 403 for a mute or suspension) and keep the typed text."""

    def __init__(self, message: str, *, status: int = 429) -> None:
        super().__init__(message, code="limit")
        self.status = status
