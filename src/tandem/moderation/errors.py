from __future__ import annotations

# The forum owns the error (its views catch it); moderation raises it. Re-exported under its
# old home so that ``from tandem.moderation.errors import PostingLimitError`` keeps working.
from tandem.forum.errors import PostingLimitError

__all__ = ["PostingLimitError"]
